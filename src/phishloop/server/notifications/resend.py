"""Sending a failed notification again, once an admin fixed the cause (relay, address)."""

from __future__ import annotations

from django.db import transaction

from phishloop.server.audit.service import record
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.notifications.models import Notification, NotificationStatus


def resend(notification: Notification, *, actor: str) -> bool:
    """Queue a failed notification again; False when it has not failed for good."""
    with transaction.atomic():
        key = f"notification:{notification.pk}"
        job = Job.objects.select_for_update().filter(key=key).first()
        if job is None or job.state != JobState.FAILED:
            return False
        Notification.objects.filter(pk=notification.pk, status=NotificationStatus.FAILED).update(
            status=NotificationStatus.PENDING
        )
        queue.retry_failed(job.pk)
        record("notification.resend", notification, actor=actor, reporter=notification.reporter)
    return True
