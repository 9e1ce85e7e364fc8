"""Typed reading of one TOML table: every error names `<table>.<key>`.

Used by the `[directory]`, `[notifier]`, `[feedback]` and `[intake]` settings; secrets come
from the file (`password`), a file holding only the secret (`password_file`) or the
environment (`password_env`), exactly one of them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from phishloop.core.errors import ConfigError


def table(
    parent: Mapping[str, Any], key: str, name: str, known: frozenset[str]
) -> Mapping[str, Any]:
    """The sub-table `key` ({} when absent); unknown keys are an error, since a typo must
    not silently turn off TLS or certificate checks."""
    value = parent.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{name} must be a table")
    unknown = set(value) - known
    if unknown:
        first = sorted(unknown)[0]
        raise ConfigError(f"unknown key {name}.{first}; known: {', '.join(sorted(known))}")
    return value


@dataclass(frozen=True)
class TableReader:
    table: Mapping[str, Any]
    prefix: str
    base_dir: Path | None = None

    def _get(self, key: str, kinds: type | tuple[type, ...], default: Any) -> Any:
        if key not in self.table:
            return default
        value = self.table[key]
        # bool is an int in Python: a flag must be a bool, a number must not be one.
        if isinstance(value, bool) != (kinds is bool) or not isinstance(value, kinds):
            raise ConfigError(f"{self.prefix}.{key} has the wrong type ({type(value).__name__})")
        return value

    def flag(self, key: str, default: bool) -> bool:
        return bool(self._get(key, bool, default))

    def text(self, key: str, default: str = "") -> str:
        return str(self._get(key, str, default)).strip()

    def choice(self, key: str, default: str, allowed: tuple[str, ...]) -> str:
        """One of `allowed`, matched case-insensitively, returned as spelled there."""
        value = self.text(key, default).lower()
        for option in allowed:
            if option.lower() == value:
                return option
        raise ConfigError(f"{self.prefix}.{key} must be one of {', '.join(allowed)}")

    def integer(
        self, key: str, default: int, *, minimum: int = 0, maximum: int | None = None
    ) -> int:
        value = int(self._get(key, int, default))
        if maximum is not None and not minimum <= value <= maximum:
            raise ConfigError(f"{self.prefix}.{key} must be between {minimum} and {maximum}")
        if value < minimum:
            raise ConfigError(f"{self.prefix}.{key} must be at least {minimum}")
        return value

    def number(self, key: str, default: float, minimum: float) -> float:
        value = float(self._get(key, (int, float), default))
        if value < minimum:
            raise ConfigError(f"{self.prefix}.{key} must be at least {minimum:g}")
        return value

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.table.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{self.prefix}.{key} must be a list of strings")
        return tuple(item.strip() for item in value if item.strip())

    def path(self, key: str) -> Path | None:
        value = self.text(key)
        if not value:
            return None
        path = Path(value).expanduser()
        return path if path.is_absolute() or self.base_dir is None else self.base_dir / path

    def require(self, key: str) -> str:
        value = self.text(key)
        if not value:
            raise ConfigError(f"{self.prefix}.{key} is not set")
        return value

    def secret(self, key: str) -> str:
        """`key`, `key_file` or `key_env`; "" when none is set."""
        given = [k for k in (key, f"{key}_file", f"{key}_env") if self.text(k)]
        if len(given) > 1:
            raise ConfigError(f"{self.prefix}: set only one of {', '.join(given)}")
        if self.text(f"{key}_env"):
            name = self.text(f"{key}_env")
            if name not in os.environ:
                raise ConfigError(
                    f"{self.prefix}.{key}_env: environment variable {name} is not set"
                )
            return os.environ[name]
        secret_file = self.path(f"{key}_file")
        if secret_file is None:
            return self.text(key)
        try:
            return secret_file.read_text("utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"{self.prefix}.{key}_file: cannot read {secret_file}: {exc.strerror}"
            ) from None
