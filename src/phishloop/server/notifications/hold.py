"""Holding a "malicious" answer while the incident's pull is under way, so it can say
"removed from N mailboxes" instead of "we are removing it" — for at most
`[feedback] hold_for_pull_minutes` after the answer was planned (a pull waiting for an
analyst's approval holds nothing longer). The pulls are read loosely (app registry, job
kind by name), as in `removal`: feedback must not depend on remediation's internals.

A held answer stays `pending`; its send job finishes and a second one is queued at the
bound (`notification:<id>:held`). When the pull settles (done, failed, restored, plan
failed), `release` queues it at once. Either job sends the same row once: the second
finds it sent. Audited as `notification.held`. An answer overtaken by a later one (the
verdict changed while it waited) is skipped, and the later one is then no correction."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.apps import apps
from django.db import DatabaseError, transaction
from django.utils import timezone

from phishloop.core.feedback import Outcome
from phishloop.server.audit.service import record
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.jobs.queue import enqueue
from phishloop.server.notifications.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
)
from phishloop.server.notifications.service import SEND

log = logging.getLogger(__name__)
# Pull states in which copies may still be moved: the answer waits for them.
UNDER_WAY = ("planning", "planned", "awaiting_approval", "approved", "running")
PLAN_JOB = "pull-plan"  # an automatic pull queued by the verdict, not planned yet
# Pulls that no longer stand for their incident (remediation's ENDED): an automatic plan
# is made again only when every pull of the incident is one of these.
NO_LONGER_STANDING = ("restored", "plan_failed")


def pull_under_way(incident_id: int) -> bool:
    """A pull of the incident may still move copies (or is about to be planned)."""
    try:
        pull = apps.get_model("remediation", "PullJob")
    except LookupError:  # remediation is not installed
        return False
    try:
        pulls = pull.objects.filter(incident_id=incident_id)
        if pulls.filter(state__in=UNDER_WAY).exists():
            return True
        if pulls.exclude(state__in=NO_LONGER_STANDING).exists():
            return False  # a settled pull stands: a queued automatic plan will not plan again
        queued = Job.objects.filter(kind=PLAN_JOB, payload__incident_id=incident_id,
                                    state__in=(JobState.QUEUED, JobState.RUNNING))  # fmt: skip
        return queued.exists()
    except DatabaseError:  # never keep an answer back for a broken lookup
        log.warning("cannot see the pulls of incident %s", incident_id, exc_info=True)
        return False


def held(notification: Notification, minutes: float) -> bool:
    """Whether to keep `notification` back now; when so, its send at the bound is
    queued (once) and the hold audited."""
    if minutes <= 0 or notification.outcome != Outcome.MALICIOUS:
        return False
    incident_id = notification.incident_id
    until = notification.created_at + timedelta(minutes=minutes)
    remaining = (until - timezone.now()).total_seconds()
    if incident_id is None or remaining <= 0 or not pull_under_way(incident_id):
        return False
    key = held_key(notification.pk)
    with transaction.atomic():
        if not Job.objects.filter(key=key).exists():
            enqueue(SEND, key, {"notification_id": notification.pk}, delay=remaining)
            record("notification.held", notification, reporter=notification.reporter,
                   incident=incident_id, until=until.isoformat())  # fmt: skip
    return True


def release(incident_id: int, pull_id: int) -> int:
    """The incident's pull settled: send its held answers now; how many."""
    waiting = Notification.objects.filter(
        incident_id=incident_id, status=NotificationStatus.PENDING, outcome=Outcome.MALICIOUS
    ).values_list("pk", flat=True)
    released = 0
    for notification_id in waiting:
        if Job.objects.filter(key=held_key(notification_id), state=JobState.QUEUED).exists():
            enqueue(SEND, f"notification:{notification_id}:after-pull{pull_id}",
                    {"notification_id": notification_id})  # fmt: skip
            released += 1
    return released


def superseded(notification: Notification) -> bool:
    """A later answer to the same reporter about the same incident exists (the verdict
    changed while this one waited): this one is skipped, never sent after it. Audited."""
    if notification.kind != NotificationKind.VERDICT or notification.incident_id is None:
        return False
    later = Notification.objects.filter(
        reporter=notification.reporter, incident_id=notification.incident_id,
        kind=NotificationKind.VERDICT, pk__gt=notification.pk,
        status__in=(NotificationStatus.PENDING, NotificationStatus.SENT),
    )  # fmt: skip
    if not later.exists():
        return False
    reason = "superseded by a later answer before it was sent"
    notification.status, notification.last_error = NotificationStatus.SKIPPED, reason
    notification.save()
    record("notification.skipped", notification, reporter=notification.reporter,
           outcome=notification.outcome, reason=reason)  # fmt: skip
    return True


def was_told(notification: Notification) -> bool:
    """The answer a correction corrects reached the reporter (one held and then
    superseded did not: the new answer is then no correction)."""
    told = Notification.objects.filter(
        reporter=notification.reporter, kind=NotificationKind.VERDICT,
        outcome=notification.previous_outcome, status=NotificationStatus.SENT,
        pk__lt=notification.pk, messages__in=list(notification.messages.all()),
    )  # fmt: skip
    return told.exists()


def held_key(notification_id: int) -> str:
    return f"notification:{notification_id}:held"
