"""The `[feedback]` table (when and how reporters hear back) with what it builds on:
`[notifier]` (the SMTP relay), `[mailstore]` and `[directory]` (recovering originals),
`[organisation] domains` (who may receive feedback). Read from `PHISHLOOP_CONFIG`, again
whenever the file changes (admins edit templates and languages without a restart)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from phishloop.connectors.directory import DirectorySettings
from phishloop.connectors.mailstore.settings import MailstoreSettings
from phishloop.connectors.notifier import NotifierSettings, load_templates
from phishloop.connectors.runtime.config_file import LoadedConfig, config_path, load_config
from phishloop.connectors.tables import TableReader, table
from phishloop.core.errors import ConfigError
from phishloop.core.feedback import TemplateSet

_KEYS = frozenset(
    {
        "enabled", "acknowledge_receipt", "language", "languages", "template_dir",
        "notify_simulations", "under_review_after_minutes", "domains", "timezone",
        "recover_reports", "recovery_window_hours", "hold_for_pull_minutes",
    }
)  # fmt: skip


@dataclass(frozen=True)
class FeedbackSettings:
    enabled: bool = True
    acknowledge_receipt: bool = False
    language: str = "en"
    languages: Mapping[str, str] = field(default_factory=dict)  # domain or address → language
    template_dir: Path | None = None
    notify_simulations: bool = False
    under_review_after_minutes: float = 0.0  # 0: never send "still under review"
    domains: tuple[str, ...] = ()  # who may receive feedback
    timezone: str = "UTC"
    recover_reports: bool = True
    recovery_window_hours: float = 24.0
    # A "malicious" answer waits this long at most for the incident's pull under way.
    hold_for_pull_minutes: float = 15.0

    @classmethod
    def from_tables(
        cls, tables: Mapping[str, Any], notifier: NotifierSettings | None, base: Path | None
    ) -> FeedbackSettings:
        """`[feedback]`; keys it leaves out fall back to `[notifier]` (language,
        templates, acknowledge_receipt) and `[organisation] domains`."""
        reader = TableReader(table(tables, "feedback", "feedback", _KEYS), "feedback", base)
        fallback = notifier or NotifierSettings(from_address="unset@invalid.example")
        zone = reader.text("timezone", "UTC")
        _check_zone(zone)
        return cls(
            enabled=reader.flag("enabled", True),
            acknowledge_receipt=reader.flag("acknowledge_receipt", fallback.acknowledge_receipt),
            language=reader.text("language", fallback.language).lower() or "en",
            languages=_languages(reader.table.get("languages", {})),
            template_dir=reader.path("template_dir") or fallback.templates,
            notify_simulations=reader.flag("notify_simulations", False),
            under_review_after_minutes=reader.number("under_review_after_minutes", 0.0, 0.0),
            domains=tuple(d.lower() for d in reader.strings("domains", _org_domains(tables))),
            timezone=zone,
            recover_reports=reader.flag("recover_reports", True),
            recovery_window_hours=reader.number("recovery_window_hours", 24.0, 0.1),
            hold_for_pull_minutes=reader.number("hold_for_pull_minutes", 15.0, 0.0),
        )

    def language_for(self, address: str) -> str:
        """The reporter's language: their address, else their domain (or a parent
        domain) in `languages`, else `language`."""
        address = address.strip().lower()
        if address in self.languages:
            return self.languages[address]
        domain = address.rpartition("@")[2]
        while domain:
            if domain in self.languages:
                return self.languages[domain]
            domain = domain.partition(".")[2]
        return self.language

    def is_internal(self, address: str) -> bool:
        domain = address.strip().lower().rpartition("@")[2]
        return any(domain == d or domain.endswith("." + d) for d in self.domains)

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class FeedbackConfig:
    """Everything the notification and recovery jobs need from the configuration file."""

    feedback: FeedbackSettings
    notifier: NotifierSettings | None
    templates: TemplateSet
    mailstore: MailstoreSettings | None
    directory: DirectorySettings | None

    @property
    def sending(self) -> bool:
        """Feedback is sent at all: a `[notifier]` exists and `[feedback] enabled`."""
        return self.notifier is not None and self.feedback.enabled

    @property
    def recovering(self) -> bool:
        return self.mailstore is not None and self.feedback.recover_reports


def load_feedback_config(loaded: LoadedConfig) -> FeedbackConfig:
    """Parse and check the tables; ConfigError names the file and key."""
    tables, base = loaded.tables, loaded.path.parent if loaded.path else None
    try:
        notifier = NotifierSettings.from_tables(tables, base)
        feedback = FeedbackSettings.from_tables(tables, notifier, base)
        mailstore = (
            MailstoreSettings.from_mapping(tables["mailstore"]) if "mailstore" in tables else None
        )
        directory = DirectorySettings.from_tables(tables, base)
        templates = load_templates(feedback.template_dir)
    except ConfigError as exc:
        raise ConfigError(f"{loaded.path}: {exc}" if loaded.path else str(exc)) from None
    return FeedbackConfig(feedback, notifier, templates, mailstore, directory)


_lock = threading.Lock()
_cached: list[tuple[tuple[str, int], FeedbackConfig]] = []


def feedback_config() -> FeedbackConfig:
    """The feedback configuration of `PHISHLOOP_CONFIG`, cached until the file changes."""
    option = settings.PHISHLOOP_CONFIG or None
    path = config_path(option)
    try:
        stamp = (str(path or ""), path.stat().st_mtime_ns if path else 0)
    except OSError:
        stamp = (str(path), -1)  # load_config reports the missing file
    with _lock:
        if _cached and _cached[0][0] == stamp:
            return _cached[0][1]
    config = load_feedback_config(load_config(option))
    with _lock:
        _cached[:] = [(stamp, config)]
    return config


def _languages(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigError("feedback.languages must be a table of domain = language")
    result = {}
    for key, language in value.items():
        if not isinstance(language, str) or not language.strip():
            raise ConfigError(f'feedback.languages.{key} must be a language such as "de"')
        result[str(key).strip().lower()] = language.strip().lower()
    return result


def _org_domains(tables: Mapping[str, Any]) -> tuple[str, ...]:
    organisation = tables.get("organisation", {})
    domains = organisation.get("domains", []) if isinstance(organisation, Mapping) else []
    return tuple(str(d) for d in domains if isinstance(d, str))


def _check_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"feedback.timezone: unknown time zone {name!r}") from None
