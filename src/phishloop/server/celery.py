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

from phishloop.server.jobs import queue  # noqa: E402
from phishloop.server.jobs.models import Job  # noqa: E402

log = logging.getLogger(__name__)
app = Celery("phishloop")
app.config_from_object("django.conf:settings", namespace="CELERY")
SWEEP_SECONDS = 60.0


@app.task(name="phishloop.run_job", bind=True, acks_late=True, max_retries=None)
def run_job(self: Task[Any, Any], job_id: int) -> str:
    """Run job `job_id` if it is due; when it is not due yet (a retry with back-off),
    ask Celery to deliver it again then."""
    job = queue.claim(job_id)
    if job is None:
        pending = Job.objects.filter(pk=job_id, state="queued").values_list("not_before", flat=True)
        due = pending.first()
        if due is not None:
            raise self.retry(eta=due, countdown=None)
        return "nothing to do"
    finished = queue.run(job)
    if not finished:
        job.refresh_from_db()
        raise self.retry(eta=job.not_before, countdown=None)
    return "done"


@app.task(name="phishloop.sweep")
def sweep() -> int:
    """Re-send queued jobs that no worker took within a minute (broker down at commit)."""
    lost = queue.stale(timedelta(seconds=SWEEP_SECONDS))
    for job in lost:
        send(job)
    return len(lost)


def send(job: Job) -> None:
    """Hand a committed job to the broker."""
    kind = queue.kinds().get(job.kind)
    run_job.apply_async((job.pk,), queue=kind.queue if kind else "pipeline")


app.conf.beat_schedule = {"sweep": {"task": "phishloop.sweep", "schedule": SWEEP_SECONDS}}
app.conf.task_default_queue = "pipeline"
