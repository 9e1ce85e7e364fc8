"""The intake channels' settings, read from the organisation's configuration file."""

from __future__ import annotations

from django.conf import settings

from phishloop.connectors.intake.settings import IntakeSettings
from phishloop.connectors.runtime.config_file import config_path, read_config_table
from phishloop.core.errors import ConfigError


def intake_settings() -> IntakeSettings:
    """`[intake]` (and `[organisation] domains`) from `PHISHLOOP_CONFIG`; ConfigError
    names the file and the key."""
    path = config_path(settings.PHISHLOOP_CONFIG or None)
    tables = read_config_table(path)
    try:
        return IntakeSettings.from_tables(tables, path.parent if path else None)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}" if path else str(exc)) from None
