"""The IMAP abuse-mailbox channel: forwards to the abuse address become reports whose
reporter is the forward's From. What cannot be accepted goes to the failed folder with
an audit event and a log line — never silently."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, transaction

from phishloop.connectors.intake.base import AcceptResult, Outcome
from phishloop.connectors.intake.imap import AbuseMailbox, MailboxItem
from phishloop.connectors.intake.policy import ReporterPolicy, header_sender
from phishloop.connectors.intake.settings import IntakeSettings
from phishloop.server.audit.service import record
from phishloop.server.intake.channels import accept_for_channel
from phishloop.server.intake.config import intake_settings

log = logging.getLogger(__name__)
ACTOR = "intake:imap"


class ImapIntake:
    """Reads the abuse mailbox configured in `[intake.imap]`."""

    def __init__(self, intake: IntakeSettings | None = None) -> None:
        self.intake = intake or intake_settings()
        self.mailbox = AbuseMailbox(
            self.intake.imap, self.handle, max_bytes=settings.PHISHLOOP_MAX_REPORT_BYTES
        )

    def run(self, stop: threading.Event) -> None:
        """Read until `stop` is set (see `AbuseMailbox.run`)."""
        try:
            self.mailbox.run(stop)
        finally:
            connections.close_all()  # this thread's; a reader thread leaves none open

    def run_once(self) -> int:
        try:
            return self.mailbox.run_once()
        finally:
            connections.close_all()

    def handle(self, item: MailboxItem) -> AcceptResult:
        reporter = "" if item.too_large else header_sender(item.raw)
        refusal = _refusal(item, reporter, self.intake.reporters)
        if refusal:
            result = AcceptResult(Outcome.REJECTED, refusal)
        else:
            result = accept_for_channel(
                item.raw, channel="imap", reporter=reporter, delivery_id=item.delivery_id
            )
        if result.outcome is Outcome.REJECTED:
            return self._failed(item, reporter, result)
        return result

    def _failed(self, item: MailboxItem, reporter: str, result: AcceptResult) -> AcceptResult:
        folder = self.intake.imap.failed_folder
        log.warning(
            "IMAP intake: %s from %r refused (%s); moving it to %r",
            item.delivery_id, reporter, result.detail, folder,
        )  # fmt: skip
        try:  # the record is committed before the message moves
            with transaction.atomic():
                record("report.refused", ("mailbox-message", item.delivery_id), actor=ACTOR,
                       channel="imap", reporter=reporter, reason=result.detail,
                       size=item.size, folder=folder)  # fmt: skip
        except DatabaseError as exc:
            log.warning("IMAP intake: cannot record the refusal now: %s", exc)
            return AcceptResult(Outcome.RETRY, "database unavailable")
        finally:
            close_old_connections()
        return result


def _refusal(item: MailboxItem, reporter: str, reporters: ReporterPolicy) -> str | None:
    if item.too_large:
        limit = settings.PHISHLOOP_MAX_REPORT_BYTES
        return f"the report is {item.size:,} bytes; the limit is {limit:,}"
    reason = reporters.refusal(reporter)
    return f"not accepted as a reporter: {reason}" if reason else None
