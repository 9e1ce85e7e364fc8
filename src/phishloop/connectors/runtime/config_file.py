"""Finding and reading the organisation's TOML configuration file."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from phishloop.core.config import AnalysisConfig
from phishloop.core.errors import ConfigError

CONFIG_ENV = "PHISHLOOP_CONFIG"


def config_path(option: str | None) -> Path | None:
    """`--config FILE` wins over `$PHISHLOOP_CONFIG`; neither means built-in defaults."""
    chosen = option or os.environ.get(CONFIG_ENV)
    return Path(chosen).expanduser() if chosen else None


def read_config_table(path: Path | None) -> dict[str, Any]:
    """The parsed TOML document ({} when no file is configured)."""
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc.strerror}") from None


@dataclass(frozen=True)
class LoadedConfig:
    """The configuration file, read once: the analysis settings and the raw tables that
    other components (intel, the service, remediation) read their own settings from."""

    path: Path | None
    analysis: AnalysisConfig
    tables: dict[str, Any]


def load_config(option: str | None) -> LoadedConfig:
    """Read and check the configuration; ConfigError names the file and the bad key."""
    path = config_path(option)
    try:
        tables = read_config_table(path)
        return LoadedConfig(path, AnalysisConfig.from_mapping(tables), tables)
    except ConfigError as exc:
        named = f"{path}: {exc}" if path and str(path) not in str(exc) else str(exc)
        raise ConfigError(named) from None
