"""The SMTP intake channel: mail delivered to the abuse address becomes a report whose
reporter is the envelope sender."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections

from phishloop.connectors.intake.base import AcceptResult
from phishloop.connectors.intake.policy import SenderRateLimiter
from phishloop.connectors.intake.settings import IntakeSettings
from phishloop.connectors.intake.smtp import ReportHandler, SmtpListener
from phishloop.server.intake.channels import accept_for_channel
from phishloop.server.intake.config import intake_settings

log = logging.getLogger(__name__)


def accept_smtp(raw: bytes, mail_from: str, rcpt_tos: list[str]) -> AcceptResult:
    # No delivery id: an MTA retrying after a lost 250 sends the same bytes from the same
    # sender, which accept_report already counts as the same report.
    return accept_for_channel(raw, channel="smtp", reporter=mail_from)


class SmtpIntake:
    """An SMTP listener on `host:port` (port 0: any free port, see `.port`)."""

    def __init__(self, host: str, port: int, *, intake: IntakeSettings | None = None) -> None:
        self.host = host
        self._requested_port = port
        self._intake = intake
        self._listener: SmtpListener | None = None

    @property
    def port(self) -> int:
        return self._listener.port if self._listener else self._requested_port

    def start(self) -> None:
        intake = self._intake or intake_settings()
        if not intake.reporters.allow_any and not intake.reporters.domains:
            log.warning(
                "SMTP intake: no reporter domains configured ([organisation] domains or "
                "[intake] reporter_domains), so every sender is refused"
            )
        max_bytes = settings.PHISHLOOP_MAX_REPORT_BYTES
        rate = SenderRateLimiter(intake.sender_rate_limit, intake.sender_rate_window_seconds)
        handler = ReportHandler(
            accept_smtp,
            reporters=intake.reporters,
            max_bytes=max_bytes,
            rate=rate,
            release=connections.close_all,
        )
        listener = SmtpListener(handler, self.host, self._requested_port, max_bytes=max_bytes)
        listener.start()
        self._listener = listener
        log.info("SMTP intake listening on %s:%d", self.host, listener.port)

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
