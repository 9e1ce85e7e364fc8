"""The Celery app (scale mode): one task per job kind, each taking a job id.

Tasks are thin: claim the job row, run its handler, done. JSON only, acks_late, and a
re-delivered task finds its row finished and does nothing. The job table stays the source
of truth, so a lost broker message is re-sent by the sweeper (`phishloop worker` beat)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import Celery, Task

from phishloop.server.bootstrap import setup_django

setup_django()

from django.db import DatabaseError  # noqa: E402

from phishloop.server.jobs import queue  # noqa: E402
from phishloop.server.jobs.models import Job, JobState  # noqa: E402

log = logging.getLogger(__name__)
app = Celery("phishloop")
app.config_from_object("django.conf:settings", namespace="CELERY")
SWEEP_SECONDS = 60.0


@app.task(
    name="phishloop.run_job",
    bind=True,
    acks_late=True,
    max_retries=None,
    # The database is away for a moment: deliver again with back-off instead of dropping.
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=60,
)
def run_job(self: Task[Any, Any], job_id: int) -> str:
    """Run job `job_id` if it is due. Not due yet (a retry with back-off): deliver again
    then. Running elsewhere: deliver again when that lease ends, in case its worker died
    (a duplicate then finds the job done and does nothing)."""
    job = queue.claim(job_id)
    if job is None:
        row = Job.objects.filter(pk=job_id).values("state", "not_before", "locked_until").first()
        if row is not None and row["state"] == JobState.QUEUED:
            raise self.retry(eta=row["not_before"], countdown=None)
        if row is not None and row["state"] == JobState.RUNNING and row["locked_until"]:
            raise self.retry(eta=row["locked_until"], countdown=None)
        return "nothing to do"
    finished = queue.run(job)
    if not finished:
        job.refresh_from_db()
        raise self.retry(eta=job.not_before, countdown=None)
    return "done"


@app.task(name="phishloop.sweep")
def sweep(older_than_seconds: float = SWEEP_SECONDS) -> int:
    """Re-send jobs the broker lost: queued ones no worker took within a minute (broker
    down at commit) and running ones whose worker died (lease over)."""
    lost = queue.stale(timedelta(seconds=older_than_seconds))
    for job in lost:
        send(job)
    return len(lost)


def send(job: Job) -> None:
    """Hand a committed job to the broker."""
    kind = queue.kinds().get(job.kind)
    run_job.apply_async((job.pk,), queue=kind.queue if kind else "pipeline")


app.conf.beat_schedule = {"sweep": {"task": "phishloop.sweep", "schedule": SWEEP_SECONDS}}
app.conf.task_default_queue = "pipeline"
