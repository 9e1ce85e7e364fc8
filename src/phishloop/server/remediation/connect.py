"""The mail store, directory, settings and fingerprints a pull uses, from the
organisation's configuration file (`[mailstore]`, `[directory]`, `[remediation]`)."""

from __future__ import annotations

from collections.abc import Sequence

from phishloop.connectors.directory import Directory, DirectorySettings, InMemoryDirectory
from phishloop.connectors.directory import open_directory as _open_directory
from phishloop.connectors.mailstore.base import MailStore
from phishloop.connectors.mailstore.settings import MailstoreSettings, open_mailstore
from phishloop.core.errors import ConfigError
from phishloop.core.model import Fingerprint
from phishloop.remediation import RemediationSettings
from phishloop.server.pipeline.runtime import runtime


def settings() -> RemediationSettings:
    loaded = runtime().loaded
    return RemediationSettings.from_tables(loaded.tables, loaded.path)


def protected_addresses() -> tuple[str, ...]:
    """The abuse mailbox(es): never searched, never touched."""
    return tuple(runtime().config.organisation.report_addresses)


def open_store() -> MailStore:
    loaded = runtime().loaded
    table = loaded.tables.get("mailstore")
    if table is None:
        where = loaded.path or "the configuration (PHISHLOOP_CONFIG)"
        raise ConfigError(f"pulls need a mail store: add a [mailstore] table to {where}")
    try:
        return open_mailstore(MailstoreSettings.from_mapping(table))
    except ConfigError as exc:
        raise ConfigError(f"{exc} (in {loaded.path})") from None


def open_directory() -> Directory:
    """The configured directory; without `[directory]`, an empty one that knows the
    organisation's domains (pulls then search the mail store's own mailbox list)."""
    loaded = runtime().loaded
    base = loaded.path.parent if loaded.path else None
    configured = DirectorySettings.from_tables(loaded.tables, base)
    if configured is None:
        return InMemoryDirectory(domains=runtime().config.organisation.domains)
    return _open_directory(configured)


def fingerprints(raw: bytes) -> Sequence[Fingerprint]:
    """Campaign fingerprints of a fetched message, as the pipeline computes them."""
    analyses = runtime().analyze(raw, None, verdict=False)
    return [a.fingerprint for a in analyses]
