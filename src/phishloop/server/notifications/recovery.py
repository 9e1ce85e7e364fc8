"""Recovering the true original of a reconstructed report from the reporter's mailbox.

An inline forward keeps the original's sender, subject and date (as the forward shows
them). The reporter's own mailbox is searched for a message from that sender with that
subject within `[feedback] recovery_window_hours` of that date; the forward itself
(and anything the reporter sent) is excluded. Exactly one candidate (copies with one
Message-ID count once) is fetched and handed to `pipeline.recovery.complete_recovery`;
none or several → `recovery_unavailable` with the reason. A mailbox the store cannot
reach right now is retried by the job table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from typing import Any

from phishloop.connectors.directory import open_directory
from phishloop.connectors.mailstore import FoundMessage, MailStore, MailStoreError, SearchQuery
from phishloop.connectors.mailstore.settings import open_mailstore
from phishloop.core.errors import ConfigError
from phishloop.server.jobs.queue import PermanentError, register
from phishloop.server.notifications.config import FeedbackConfig, feedback_config
from phishloop.server.pipeline.recovery import complete_recovery, recovery_unavailable
from phishloop.server.reports.models import Message, Recovery, Report
from phishloop.server.reports.storage import load_raw

RECOVER = "recover-report"
ACTOR = "recovery:mailstore"
_override: list[MailStore] = []
_SPACES = re.compile(r"\s+")


class MailboxUnavailable(Exception):
    """The store could not search the mailbox now; the job retries later."""


@dataclass(frozen=True)
class Lookup:
    """What the forward says about the original, and whose mailbox to search."""

    mailbox: str
    reporter: str
    sender: str
    subject: str
    date: datetime | None
    forward_id: str


@contextmanager
def use_mailstore(store: MailStore) -> Iterator[MailStore]:
    """Search `store` instead of the configured `[mailstore]` (tests)."""
    _override.append(store)
    try:
        yield store
    finally:
        _override.remove(store)


@register(RECOVER)
def recover_step(payload: dict[str, Any]) -> None:
    try:
        recover_report(int(payload["report_id"]))
    except ConfigError as exc:
        raise PermanentError(f"configuration: {exc}") from exc


def recover_report(report_id: int) -> str:
    """Try to recover report `report_id`; "recovered", "unavailable" or "skipped"."""
    report = Report.objects.get(pk=report_id)
    config = feedback_config()
    if report.recovery != Recovery.PENDING or not (config.recovering or _override):
        return "skipped"
    lookup = _lookup(report, config)
    if isinstance(lookup, str):
        recovery_unavailable(report_id, actor=ACTOR, reason=lookup)
        return "unavailable"
    store = _override[-1] if _override else _open(config)
    try:
        found = _candidates(store, lookup, config)
        if len(found) != 1:
            reason = _not_one(found, lookup)
            recovery_unavailable(report_id, actor=ACTOR, reason=reason)
            return "unavailable"
        raw = store.fetch(found[0].ref)
    except MailStoreError as exc:
        if exc.transient:
            raise MailboxUnavailable(f"{lookup.mailbox}: {exc}") from exc
        recovery_unavailable(report_id, actor=ACTOR, reason=f"mail store: {exc}")
        return "unavailable"
    finally:
        if not _override:
            store.close()
    complete_recovery(report_id, raw, actor=ACTOR)
    return "recovered"


def _open(config: FeedbackConfig) -> MailStore:
    assert config.mailstore is not None
    return open_mailstore(config.mailstore)


def _lookup(report: Report, config: FeedbackConfig) -> Lookup | str:
    """The search to run, or why there is none."""
    reporter = report.reporter.strip().lower()
    if not reporter:
        return "the report names no reporter, so there is no mailbox to search"
    original = _reconstructed_message(report)
    if original is None or not original.sender or not original.subject.strip():
        return "the forward does not show the original's sender and subject"
    mailbox = reporter
    if config.directory is not None:
        mailbox = open_directory(config.directory).mailbox_of(reporter) or reporter
    return Lookup(mailbox, reporter, original.sender.lower(), original.subject,
                  original.sent_at, _forward_id(report))  # fmt: skip


def _reconstructed_message(report: Report) -> Message | None:
    for message in report.messages.order_by("id"):
        info = message.analysis.get("report") if isinstance(message.analysis, dict) else None
        if isinstance(info, dict) and info.get("fidelity") == "reconstructed":
            return message
    return None


def _forward_id(report: Report) -> str:
    head = load_raw(report.raw_sha256)[:65536]
    value = BytesHeaderParser().parsebytes(head).get("Message-ID")
    return str(value).strip() if value else ""


def _candidates(store: MailStore, lookup: Lookup, config: FeedbackConfig) -> list[FoundMessage]:
    """Good candidates, one per Message-ID."""
    window = timedelta(hours=config.feedback.recovery_window_hours)
    query = SearchQuery(
        sender=lookup.sender,
        subject=lookup.subject.strip(),
        since=lookup.date - window if lookup.date else None,
        until=lookup.date + window if lookup.date else None,
    )
    [result] = store.search([lookup.mailbox], query)
    if not result.ok:
        raise MailStoreError(result.error, transient=result.transient)
    unique: dict[str, FoundMessage] = {}
    for hit in result.messages:
        if _good(hit, lookup):
            unique.setdefault(hit.ref.message_id or f"{hit.ref}", hit)
    return list(unique.values())


def _good(hit: FoundMessage, lookup: Lookup) -> bool:
    """From the original's sender, with its very subject; not the forward nor anything
    the reporter wrote."""
    if lookup.forward_id and hit.ref.message_id == lookup.forward_id:
        return False
    senders = {address.lower() for _, address in getaddresses([hit.sender])}
    if lookup.reporter in senders or lookup.sender not in senders:
        return False
    return _normal(hit.subject) == _normal(lookup.subject)


def _normal(subject: str) -> str:
    return _SPACES.sub(" ", subject).strip().casefold()


def _not_one(found: list[FoundMessage], lookup: Lookup) -> str:
    what = f"from {lookup.sender} with subject {lookup.subject[:120]!r}"
    if not found:
        return f"no message {what} in mailbox {lookup.mailbox}"
    places = ", ".join(sorted(f"{h.ref.folder}" for h in found)[:5])
    return (
        f"ambiguous: {len(found)} different messages {what} in mailbox {lookup.mailbox} ({places})"
    )
