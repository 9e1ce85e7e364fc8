"""Incident and report changes → feedback jobs, queued inside the change's transaction.

Thin: each receiver only decides whether a job is due and enqueues it (idempotent by
key); the services decide who is told what. `post_save` of Incident is the one place
every resolution passes through (automatic decisions, analyst verdicts, merges, and new
reporters joining a resolved incident), so answers follow all of them; `verdict_changed`
is also heard, for its actor; a pull that settles releases the answers held for it. A
receiver never raises into the pipeline's transaction: a broken configuration still
queues the job, which then fails visibly with the reason.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from phishloop.connectors.runtime.config_file import config_path, read_config_table
from phishloop.core.errors import ConfigError
from phishloop.server.incidents.models import Incident, IncidentState
from phishloop.server.incidents.signals import verdict_changed
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.jobs.queue import enqueue
from phishloop.server.notifications.config import FeedbackConfig, feedback_config
from phishloop.server.notifications.hold import UNDER_WAY, release
from phishloop.server.notifications.recovery import RECOVER
from phishloop.server.notifications.steps import PLAN_RECEIPT, PLAN_REVIEW, PLAN_VERDICT
from phishloop.server.reports.models import Recovery, Report, ReportState

log = logging.getLogger(__name__)


def _config() -> FeedbackConfig | None:
    """None when the file cannot be read: callers then queue the job anyway."""
    try:
        return feedback_config()
    except ConfigError:
        log.warning("feedback configuration is invalid; its jobs will fail with the reason")
        return None


def _wanted(table: str) -> bool:
    """With an invalid file: whether it asks for `table`'s work at all (then its jobs
    are queued, to fail visibly with the reason, rather than silently not sent)."""
    try:
        return table in read_config_table(config_path(settings.PHISHLOOP_CONFIG or None))
    except ConfigError:
        return False


@receiver(post_save, sender=Incident, dispatch_uid="phishloop.notifications.incident_saved")
def on_incident_saved(sender: object, *, instance: Incident, **_: Any) -> None:
    if instance.state == IncidentState.RESOLVED:
        queue_verdict_feedback(instance)
    elif instance.state == IncidentState.AWAITING_ANALYST:
        queue_review_note(instance)


@receiver(verdict_changed, dispatch_uid="phishloop.notifications.verdict_changed")
def on_verdict_changed(sender: object, *, incident: Incident, **_: Any) -> None:
    if incident.state == IncidentState.RESOLVED:
        queue_verdict_feedback(incident)


@receiver(post_save, sender="remediation.PullJob",
          dispatch_uid="phishloop.notifications.pull_saved")  # fmt: skip
def on_pull_saved(sender: object, *, instance: Any, **_: Any) -> None:
    """A pull that settled releases the answers held for it (`hold`)."""
    if instance.state not in UNDER_WAY:
        release(instance.incident_id, instance.pk)


@receiver(post_save, sender=Report, dispatch_uid="phishloop.notifications.report_saved")
def on_report_saved(sender: object, *, instance: Report, **_: Any) -> None:
    if instance.state != ReportState.ANALYSED:
        return
    config = _config()
    recover = config.recovering if config else _wanted("mailstore")
    if instance.recovery == Recovery.PENDING and recover:
        enqueue(RECOVER, f"recover:report:{instance.pk}", {"report_id": instance.pk})
    acknowledge = (
        config.sending and config.feedback.acknowledge_receipt if config else _wanted("notifier")
    )
    if instance.reporter and acknowledge:
        enqueue(PLAN_RECEIPT, f"acknowledge:report:{instance.pk}", {"report_id": instance.pk})


def queue_verdict_feedback(incident: Incident) -> None:
    """A planning job for this state of the verdict and the incident's reports, unless
    one is still waiting in the queue: it reads the incident when it runs, and cannot
    read it before this transaction commits (the planner locks the incident's row first;
    SQLite has one writer). A burst of 1,000 reporters costs a few plans, not 1,000."""
    config = _config()
    if not (config.sending if config else _wanted("notifier")):
        return
    waiting = Job.objects.filter(
        kind=PLAN_VERDICT, state=JobState.QUEUED, attempts=0, payload__incident_id=incident.pk
    )
    if waiting.exists():
        return
    key = (f"feedback:incident:{incident.pk}:r{incident.revision}:{incident.category}:"
           f"{incident.subtype}:{incident.report_count}")  # fmt: skip
    enqueue(PLAN_VERDICT, key, {"incident_id": incident.pk})


def queue_review_note(incident: Incident) -> None:
    """After the configured delay, "still under review" to those still waiting."""
    config = _config()
    minutes = config.feedback.under_review_after_minutes if config else 0
    if config is None or not config.sending or not minutes:
        return
    key = f"review:incident:{incident.pk}:reports:{incident.report_count}"
    enqueue(PLAN_REVIEW, key, {"incident_id": incident.pk}, delay=minutes * 60)
