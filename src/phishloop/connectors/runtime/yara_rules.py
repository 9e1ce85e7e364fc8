"""YARA rules for the command line: the `[yara]` table, the rule files of the configured
directories, and one compiled `YaraScanner` handed to the analysis core."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from phishloop.core.errors import ConfigError
from phishloop.core.scan import (
    SHIPPED_NAMESPACE,
    CompiledRules,
    RuleSource,
    YaraScanner,
    compile_rules,
    shipped_sources,
)

RULE_SUFFIXES = (".yar", ".yara")


@dataclass(frozen=True)
class YaraSettings:
    """The `[yara]` table. Relative directories are relative to the configuration file."""

    enabled: bool = True
    shipped: bool = True
    directories: tuple[Path, ...] = ()
    timeout_seconds: float = 5.0
    budget_seconds: float = 10.0

    @classmethod
    def from_mapping(cls, table: object, base: Path | None = None) -> YaraSettings:
        if not isinstance(table, Mapping):
            raise ConfigError("[yara] must be a table")
        unknown = set(table) - {
            "enabled",
            "shipped",
            "directories",
            "timeout_seconds",
            "budget_seconds",
        }
        if unknown:
            raise ConfigError(f"unknown key yara.{sorted(unknown)[0]}")
        dirs = table.get("directories", [])
        if not isinstance(dirs, list) or not all(isinstance(d, str) for d in dirs):
            raise ConfigError("yara.directories must be a list of strings")
        return cls(
            enabled=_flag(table, "enabled"),
            shipped=_flag(table, "shipped"),
            directories=tuple(_resolve(Path(d).expanduser(), base) for d in dirs),
            timeout_seconds=_seconds(table, "timeout_seconds", cls.timeout_seconds),
            budget_seconds=_seconds(table, "budget_seconds", cls.budget_seconds),
        )


def _flag(table: Mapping[str, Any], key: str) -> bool:
    value = table.get(key, True)
    if not isinstance(value, bool):
        raise ConfigError(f"yara.{key} must be true or false")
    return value


def _seconds(table: Mapping[str, Any], key: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
        raise ConfigError(f"yara.{key} must be a number of seconds, at least 1")
    return float(value)


def _resolve(path: Path, base: Path | None) -> Path:
    return path if path.is_absolute() or base is None else base / path


def rule_files(directory: Path) -> list[Path]:
    """The .yar/.yara files under `directory` (recursively, hidden folders skipped)."""
    if not directory.is_dir():
        raise ConfigError(f"YARA rule directory {directory} does not exist")
    return sorted(
        path
        for path in directory.rglob("*")
        if path.suffix.lower() in RULE_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )


def read_sources(directories: Iterable[Path]) -> list[RuleSource]:
    """Each rule file as a source in the namespace named after the file."""
    sources = []
    for directory in directories:
        for path in rule_files(directory):
            if path.stem == SHIPPED_NAMESPACE:
                raise ConfigError(f"{path}: the namespace {SHIPPED_NAMESPACE!r} is reserved")
            try:
                text = path.read_text("utf-8")
            except UnicodeDecodeError:
                raise ConfigError(f"{path}: not UTF-8 text") from None
            except OSError as exc:
                raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
            sources.append(RuleSource(path.stem, str(path), text))
    return sources


def load_rules(settings: YaraSettings, extra: Sequence[Path] = ()) -> CompiledRules:
    """Compile the shipped pack (unless switched off) with the configured and `extra`
    directories; ConfigError (a YaraRulesError) names the file and line of a bad rule."""
    sources = list(shipped_sources()) if settings.shipped else []
    sources += read_sources([*settings.directories, *extra])
    return compile_rules(sources)


def load_scanner(tables: Mapping[str, Any], config_file: Path | None = None) -> YaraScanner | None:
    """The scanner for `phishloop analyze` (None when `[yara] enabled = false` or no rules)."""
    base = config_file.parent if config_file else None
    settings = YaraSettings.from_mapping(tables.get("yara", {}), base)
    if not settings.enabled:
        return None
    rules = load_rules(settings)
    if not rules.rules:
        return None
    return YaraScanner(rules, settings.timeout_seconds, settings.budget_seconds)
