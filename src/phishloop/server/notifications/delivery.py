"""Sending one notification: rendered at send time (so "removed from N mailboxes" is as
late as possible), composed with safe headers, handed to the configured notifier. A
"malicious" answer waits for the incident's pull under way, within a bound (`hold`).

Transient failures (4xx, connection trouble) are retried through the job table with
back-off; permanent ones (5xx, refused certificate) and exhausted retries leave the row
`failed`, audited and listed for admins (admin, `GET /api/v1/notifications?status=failed`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from typing import Any

from django.utils import timezone

from phishloop.connectors.notifier import (
    DeliveryResult,
    Notifier,
    feedback_message,
    open_notifier,
)
from phishloop.core.feedback import FeedbackRequest, Outcome
from phishloop.server.audit.service import record
from phishloop.server.jobs.models import Job
from phishloop.server.jobs.queue import PermanentError, register
from phishloop.server.notifications.config import FeedbackConfig, feedback_config
from phishloop.server.notifications.hold import held, superseded, was_told
from phishloop.server.notifications.models import Notification, NotificationStatus
from phishloop.server.notifications.removal import removed_count
from phishloop.server.notifications.service import SEND
from phishloop.server.reports.models import Channel, Fidelity
from phishloop.server.reports.storage import load_raw

log = logging.getLogger(__name__)
_override: list[Notifier] = []
_lock = threading.Lock()


class TransientDelivery(Exception):
    """The relay could not take the message now; the job retries later."""


@contextmanager
def use_notifier(notifier: Notifier) -> Iterator[Notifier]:
    """Send through `notifier` instead of the configured one (tests, `phishloop check`)."""
    with _lock:
        _override.append(notifier)
    try:
        yield notifier
    finally:
        with _lock:
            _override.remove(notifier)


@register(SEND)
def send_step(payload: dict[str, Any]) -> None:
    deliver(int(payload["notification_id"]))


def deliver(notification_id: int) -> Notification:
    """Send it unless it was sent (or given up) already; raises to have the job retry."""
    notification = Notification.objects.select_related("message", "incident").get(
        pk=notification_id
    )
    if notification.status != NotificationStatus.PENDING:
        return notification
    config = feedback_config()
    if config.notifier is None:
        _fail(notification, "no [notifier] is configured")
        raise PermanentError("no [notifier] is configured")
    if superseded(notification):
        return notification  # skipped: never after the answer that overtook it
    if held(notification, config.feedback.hold_for_pull_minutes):
        return notification  # sent when the pull settles, or at the bound
    try:
        message = build_email(notification, config)
    except ValueError as exc:  # a malformed reporter address
        _fail(notification, f"cannot address {notification.reporter!r}: {exc}")
        raise PermanentError(str(exc)) from exc
    result = _notifier(config).send(message)
    return _settle(notification, message, result)


def build_email(notification: Notification, config: FeedbackConfig) -> EmailMessage:
    """The finished feedback e-mail for `notification` (ValueError: bad address)."""
    assert config.notifier is not None
    return feedback_message(
        config.notifier,
        config.templates,
        feedback_request(notification, config),
        notification.reporter,
        now=timezone.now(),
        in_reply_to=_report_message_id(notification),
    )


def feedback_request(notification: Notification, config: FeedbackConfig) -> FeedbackRequest:
    message, outcome = notification.message, Outcome(notification.outcome)
    incident = notification.incident
    removed = removed_count(incident.pk) if incident and outcome is Outcome.MALICIOUS else 0
    corrects = notification.previous_outcome and was_told(notification)
    previous = Outcome(notification.previous_outcome) if corrects else None
    return FeedbackRequest(
        outcome=outcome,
        language=notification.language,
        subject=message.subject,
        sender=message.sender,
        reported_at=message.sent_at,
        timezone=config.feedback.zone(),
        removed_count=removed,
        list_unsubscribe=_header(message.analysis, "list-unsubscribe"),
        previous_outcome=previous,
        reference=f"incident #{incident.pk}" if incident else f"message #{message.pk}",
        organisation=config.notifier.organisation_name if config.notifier else "",
    )


def _settle(
    notification: Notification, message: EmailMessage, result: DeliveryResult
) -> Notification:
    notification.attempts += 1
    notification.last_attempt_at = timezone.now()
    notification.subject = str(message["Subject"])[:300]
    if result.delivered:
        notification.status = NotificationStatus.SENT
        notification.sent_at = notification.last_attempt_at
        notification.smtp_message_id = str(message["Message-ID"])[:300]
        notification.last_error = ""
        notification.save()
        record("notification.sent", notification, reporter=notification.reporter,
               outcome=notification.outcome, detail=result.detail)  # fmt: skip
        return notification
    error = result.detail or result.status.value
    if not result.retryable or _last_attempt(notification.pk):
        _fail(notification, error, saved=False)
        raise PermanentError(f"notification {notification.pk}: {error}")
    notification.last_error = error[:4000]
    notification.save()
    raise TransientDelivery(f"notification {notification.pk}: {error}")


def _fail(notification: Notification, error: str, *, saved: bool = True) -> None:
    notification.status = NotificationStatus.FAILED
    notification.last_error = error[:4000]
    notification.save()
    record("notification.failed", notification, reporter=notification.reporter,
           outcome=notification.outcome, attempts=notification.attempts,
           error=error[:500])  # fmt: skip
    log.error("feedback to %s failed: %s", notification.reporter, error)


def _last_attempt(notification_id: int) -> bool:
    job = Job.objects.filter(key=f"notification:{notification_id}").first()
    return job is None or job.attempts >= job.max_attempts


def _notifier(config: FeedbackConfig) -> Notifier:
    with _lock:
        if _override:
            return _override[-1]
    assert config.notifier is not None
    return open_notifier(config.notifier)


def _header(analysis: Any, name: str) -> str | None:
    headers = analysis.get("headers") if isinstance(analysis, dict) else None
    for header in headers if isinstance(headers, list) else ():
        if isinstance(header, dict) and str(header.get("name", "")).lower() == name:
            return str(header.get("value", ""))
    return None


def _report_message_id(notification: Notification) -> str | None:
    """The Message-ID of the reporter's own forward, so the answer threads under it; never
    the reported original's (an API upload of the phish itself)."""
    report = (
        notification.reports.filter(channel__in=(Channel.SMTP, Channel.IMAP))
        .exclude(fidelity=Fidelity.DIRECT)
        .order_by("received_at", "id")
        .first()
    )
    if report is None:
        return None
    try:
        headers = BytesHeaderParser().parsebytes(_head(load_raw(report.raw_sha256)))
    except (OSError, ValueError):
        return None
    value = headers.get("Message-ID")
    return str(value).strip() if value else None


def _head(raw: bytes) -> bytes:
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    return raw if end < 0 else raw[: end + 2]
