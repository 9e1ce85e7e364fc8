"""`phishloop check`'s look at the connector tables: `[remediation]`, `[feedback]`,
`[mailstore]`, `[directory]` and `[notifier]`, each loaded with the loader the service
uses (so a value the service would refuse is refused here, with the same message), and,
with `--connect`, a short attempt to reach the mail store, directory and relay."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from phishloop.connectors.directory import DirectorySettings, open_directory
from phishloop.connectors.mailstore.settings import MailstoreSettings, open_mailstore
from phishloop.connectors.notifier import NotifierSettings, load_templates, open_notifier
from phishloop.connectors.runtime.config_file import LoadedConfig, load_config
from phishloop.core.errors import ConfigError
from phishloop.remediation import RemediationSettings

OK, ERROR = "ok", "error"


@dataclass(frozen=True)
class Line:
    name: str
    status: str
    detail: str


@dataclass
class Loaded:
    """The connector settings that loaded (None: absent or refused)."""

    mailstore: MailstoreSettings | None = None
    directory: DirectorySettings | None = None
    notifier: NotifierSettings | None = None


def check_tables(config: str | None) -> tuple[list[Line], Loaded]:
    """One line per table; nothing when the file itself does not load (the
    configuration line says why)."""
    try:
        loaded = load_config(config)
    except ConfigError:
        return [], Loaded()
    base = loaded.path.parent if loaded.path else None
    tables, result = loaded.tables, Loaded()
    lines = [
        _load("remediation", lambda: _remediation(loaded)),
        _load("feedback", lambda: _feedback(loaded)),
    ]
    if "mailstore" in tables:
        lines.append(_load("mailstore", lambda: _mailstore(tables["mailstore"], result)))
    else:
        lines.append(Line("mailstore", OK, "not configured: no pulls, no report recovery"))
    if "directory" in tables:
        lines.append(_load("directory", lambda: _directory(tables, base, result)))
    else:
        lines.append(Line("directory", OK, "not configured: the mail store's mailboxes"))
    if "notifier" in tables:
        lines.append(_load("notifier", lambda: _notifier(tables, base, result)))
    else:
        lines.append(Line("notifier", OK, "not configured: no feedback to reporters"))
    return [_located(line, loaded.path) for line in lines], result


def check_connections(loaded: Loaded, timeout: float) -> list[Line]:
    """Reach each configured connector, giving each at most about `timeout` seconds."""
    probes: list[tuple[str, Callable[[], str]]] = []
    if loaded.mailstore is not None:
        store = dataclasses.replace(loaded.mailstore, timeout_seconds=timeout)
        probes.append(("mailstore link", lambda: _reach_store(store)))
    if loaded.directory is not None:
        directory = _directory_timeout(loaded.directory, timeout)
        probes.append(("directory link", lambda: _reach_directory(directory)))
    if loaded.notifier is not None:
        relay = dataclasses.replace(loaded.notifier, timeout_seconds=timeout)
        probes.append(("notifier link", lambda: _reach_relay(relay)))
    return [_probe(name, probe, timeout) for name, probe in probes]


# -- loading -------------------------------------------------------------------------------
def _located(line: Line, path: Path | None) -> Line:
    """An error names the file it is in."""
    if line.status != ERROR or path is None or str(path) in line.detail:
        return line
    return Line(line.name, line.status, f"{line.detail} (in {path})")


def _load(name: str, load: Callable[[], str]) -> Line:
    try:
        return Line(name, OK, load())
    except ConfigError as exc:
        return Line(name, ERROR, str(exc))
    except Exception as exc:  # an unreadable file named by the table, an odd value: a line
        return Line(name, ERROR, f"{type(exc).__name__}: {exc}")


def _remediation(loaded: LoadedConfig) -> str:
    settings = RemediationSettings.from_tables(loaded.tables, loaded.path)
    if "remediation" not in loaded.tables:
        return "not configured: defaults (every pull waits for an analyst)"
    policy = "auto-approve" if settings.auto_approve else "analyst approval"
    return f"valid: {policy}, batches of {settings.batch_size} mailboxes"


def _feedback(loaded: LoadedConfig) -> str:
    """`[feedback]` and its templates, as `notifications.config` reads them (the other
    tables it builds on have their own lines)."""
    from phishloop.server.notifications.config import FeedbackSettings  # noqa: PLC0415

    base = loaded.path.parent if loaded.path else None
    try:
        notifier = NotifierSettings.from_tables(loaded.tables, base)
    except ConfigError:
        notifier = None  # reported on the notifier line
    feedback = FeedbackSettings.from_tables(loaded.tables, notifier, base)
    load_templates(feedback.template_dir)
    if notifier is None or not feedback.enabled:
        return "valid: no feedback is sent (needs a [notifier] and enabled = true)"
    return f"valid: answers in {feedback.language}, times in {feedback.timezone}"


def _mailstore(table: Any, result: Loaded) -> str:
    result.mailstore = MailstoreSettings.from_mapping(table)
    return (
        f"valid: {result.mailstore.type}, quarantine folder {result.mailstore.quarantine_folder!r}"
    )


def _directory(tables: dict[str, Any], base: Path | None, result: Loaded) -> str:
    settings = DirectorySettings.from_tables(tables, base)
    assert settings is not None  # the table is there
    if settings.type == "file":  # local: load it now, as the service would
        open_directory(settings)
    result.directory = settings
    return f"valid: {settings.type}"


def _notifier(tables: dict[str, Any], base: Path | None, result: Loaded) -> str:
    result.notifier = NotifierSettings.from_tables(tables, base)
    if result.notifier is None:
        return "not configured"
    return f"valid: {result.notifier.host}:{result.notifier.port} ({result.notifier.security})"


# -- reaching ------------------------------------------------------------------------------
def _probe(name: str, probe: Callable[[], str], timeout: float) -> Line:
    """Run `probe` in a thread: a connector that ignores its timeout cannot hang check."""
    outcome: list[Line] = []

    def attempt() -> None:
        try:
            outcome.append(Line(name, OK, probe()))
        except Exception as exc:  # any failure is the answer, never a traceback
            outcome.append(Line(name, ERROR, f"failed: {type(exc).__name__}: {exc}"[:500]))

    thread = threading.Thread(target=attempt, name=f"check-{name}", daemon=True)
    thread.start()
    thread.join(timeout * 2 + 1)
    if not outcome:
        return Line(name, ERROR, f"failed: no answer within {timeout:g}s")
    return outcome[0]


def _reach_store(settings: MailstoreSettings) -> str:
    store = open_mailstore(settings, sleep=lambda _: None)
    try:
        mailboxes = store.list_mailboxes()
        if not mailboxes:
            return "connected: no mailboxes listed"
        folders = store.list_folders(mailboxes[0])  # a configured list needs no server
    finally:
        store.close()
    return f"connected: {len(mailboxes)} mailboxes; {mailboxes[0]} has {len(folders)} folders"


def _reach_directory(settings: DirectorySettings) -> str:
    directory = open_directory(settings)
    first = next(iter(directory.mailboxes()), None)
    return "connected" + ("" if first else ": no mailboxes listed")


def _reach_relay(settings: NotifierSettings) -> str:
    client = open_notifier(settings)._connect()  # the relay handshake the notifier sends with
    try:
        client.noop()
    finally:
        client.close()
    return f"connected to {settings.host}:{settings.port}"


def _directory_timeout(settings: DirectorySettings, timeout: float) -> DirectorySettings:
    if settings.ldap is not None:
        ldap = dataclasses.replace(settings.ldap, timeout_seconds=timeout)
        return dataclasses.replace(settings, ldap=ldap)
    if settings.graph is not None:
        graph = dataclasses.replace(settings.graph, timeout_seconds=timeout, max_retries=0)
        return dataclasses.replace(settings, graph=graph)
    return settings
