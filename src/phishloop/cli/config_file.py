"""Finding and reading the organisation's TOML configuration file."""

from __future__ import annotations

import os
import tomllib
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


def load_analysis_config(option: str | None) -> AnalysisConfig:
    path = config_path(option)
    try:
        return AnalysisConfig.from_mapping(read_config_table(path))
    except ConfigError as exc:
        raise ConfigError(
            f"{path}: {exc}" if path and str(path) not in str(exc) else str(exc)
        ) from None
