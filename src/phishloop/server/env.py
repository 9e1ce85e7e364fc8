"""Typed readers of the `PHISHLOOP_*` environment variables: every server setting comes
from here, each with a safe default, and a bad value is a clear `ConfigError` naming the
variable (never a traceback deep inside Django)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from platformdirs import user_data_dir

from phishloop.core.errors import ConfigError

PREFIX = "PHISHLOOP_"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    return (os.environ if environ is None else environ).get(PREFIX + name)


def env_str(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    """`PHISHLOOP_<name>` as text, or `default` when unset."""
    value = _raw(name, environ)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    """`PHISHLOOP_<name>` as a yes/no switch (1/0, true/false, yes/no, on/off)."""
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{PREFIX}{name}={value!r}: expected true or false")


def env_int(
    name: str, default: int, environ: Mapping[str, str] | None = None, *, minimum: int = 0
) -> int:
    """`PHISHLOOP_<name>` as a whole number no smaller than `minimum`."""
    value = _raw(name, environ)
    if value is None or not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}={value!r}: expected a whole number") from None
    if number < minimum:
        raise ConfigError(f"{PREFIX}{name}={number}: must be at least {minimum}")
    return number


def env_float(
    name: str, default: float, environ: Mapping[str, str] | None = None, *, minimum: float = 0.0
) -> float:
    """`PHISHLOOP_<name>` as a number no smaller than `minimum`."""
    value = _raw(name, environ)
    if value is None or not value.strip():
        return default
    try:
        number = float(value.strip())
    except ValueError:
        raise ConfigError(f"{PREFIX}{name}={value!r}: expected a number") from None
    if number < minimum:
        raise ConfigError(f"{PREFIX}{name}={number}: must be at least {minimum}")
    return number


def env_list(
    name: str, default: tuple[str, ...] = (), environ: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """`PHISHLOOP_<name>` as a comma-separated list (blank items dropped)."""
    value = _raw(name, environ)
    if value is None:
        return default
    return tuple(item.strip() for item in value.split(",") if item.strip())


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the embedded mode keeps its database, raw reports and secret key:
    `PHISHLOOP_DATA_DIR`, else the per-user data directory (e.g. ~/.local/share/phishloop)."""
    configured = env_str("DATA_DIR", environ=environ)
    path = Path(configured) if configured else Path(user_data_dir("phishloop", appauthor=False))
    return path.expanduser().resolve()
