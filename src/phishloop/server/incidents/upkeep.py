"""Keeping an incident's derived fields true: counts, first/last seen, title, and the
revision whose decision job re-judges it. Call inside the transaction of the change."""

from __future__ import annotations

from django.db.models import Count, Max, Min

from phishloop.server.incidents.models import Incident
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.jobs.queue import enqueue

DECIDE = "decide-incident"
SYNC_INTEL = "sync-intel"


def refresh_counts(incident: Incident) -> None:
    """Recount messages and reports from the rows (idempotent: no increments) and save."""
    from phishloop.server.reports.models import Message, Report  # noqa: PLC0415 - app cycle

    messages = Message.objects.filter(incident=incident)
    totals = messages.aggregate(
        count=Count("id"), first=Min("first_reported_at"), last=Max("last_reported_at")
    )
    incident.message_count = totals["count"]
    incident.report_count = Report.objects.filter(messages__incident=incident).distinct().count()
    if totals["first"] is not None:
        incident.first_seen = min(incident.first_seen, totals["first"])
        incident.last_seen = max(incident.last_seen, totals["last"])
    if not incident.title:
        first = messages.order_by("first_reported_at", "id").values_list("subject", flat=True)
        incident.title = (first.first() or "")[:300]
    incident.save()


def request_decision(incident: Incident) -> None:
    """Its messages changed: a new revision, whose decision job runs once.

    A decision of this incident still waiting in the queue (never started) covers the new
    revision too: it reads the messages when it runs, and it cannot read them before this
    transaction commits (SQLite: one writer; PostgreSQL: this transaction holds the
    incident's row, which the decision locks first). So a burst of 1,000 copies costs a few
    decisions, each reading the whole incident, instead of 1,000 of them."""
    incident.revision += 1
    incident.save(update_fields=["revision", "updated_at"])
    waiting = Job.objects.filter(
        kind=DECIDE, state=JobState.QUEUED, attempts=0, payload__incident_id=incident.pk
    )
    if waiting.exists():
        return
    key = f"decide:incident:{incident.pk}:r{incident.revision}"
    enqueue(DECIDE, key, {"incident_id": incident.pk})


def request_intel_sync(incident: Incident) -> None:
    """The set of confirmed-malicious indicators may have changed: rebuild the local intel
    store's phishloop source after commit (a job, so a busy store file is retried)."""
    key = f"intel:incident:{incident.pk}:r{incident.revision}:{incident.category}"
    enqueue(SYNC_INTEL, key, {"incident_id": incident.pk})
