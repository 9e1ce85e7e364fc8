"""Enqueue, claim, finish and retry jobs; the handlers are registered by kind."""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from phishloop.server.jobs.models import Job, JobState

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], None]
# Told that a job of its kind failed for good (payload, reason), in the transaction that
# marks the job failed: the work it stood for must not wait forever for it.
FailureHandler = Callable[[dict[str, Any], str], None]
MAX_BACKOFF_SECONDS = 3600.0


class PermanentError(Exception):
    """A job failed in a way retrying cannot fix (bad input): fail now, with this message."""


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: Handler
    queue: str = "pipeline"
    on_failure: FailureHandler | None = None


_KINDS: dict[str, JobKind] = {}
# Called after a job's row is committed (the Celery dispatcher); None in embedded mode.
_dispatch: list[Callable[[Job], None]] = []


def register(
    name: str, *, queue: str = "pipeline", on_failure: FailureHandler | None = None
) -> Callable[[Handler], Handler]:
    """Decorator: `handler(payload)` runs the jobs of kind `name`; `on_failure(payload,
    reason)` is called when one of them fails for good (a permanent error, its attempts
    exhausted, its workers kept dying)."""

    def decorate(handler: Handler) -> Handler:
        _KINDS[name] = JobKind(name, handler, queue, on_failure)
        return handler

    return decorate


def kinds() -> dict[str, JobKind]:
    return dict(_KINDS)


def set_dispatcher(dispatch: Callable[[Job], None] | None) -> None:
    """Send committed jobs somewhere besides the table (Celery), or stop doing so."""
    _dispatch.clear()
    if dispatch is not None:
        _dispatch.append(dispatch)


def enqueue(kind: str, key: str, payload: dict[str, Any] | None = None, *, delay: float = 0) -> Job:
    """Queue a job unless one with `key` exists (then return that one). Call inside the
    transaction of the change that needs it: the job exists exactly when the change does."""
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    existing = Job.objects.filter(key=key).first()
    if existing is not None:
        return existing
    not_before = timezone.now() + timedelta(seconds=delay)
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                key=key,
                payload=payload or {},
                not_before=not_before,
                max_attempts=settings.PHISHLOOP_JOB_MAX_ATTEMPTS,
            )
    except IntegrityError:  # enqueued concurrently by another process
        return Job.objects.get(key=key)
    if _dispatch:
        transaction.on_commit(lambda: _send(job))
    return job


def _send(job: Job) -> None:
    for dispatch in _dispatch:
        try:
            dispatch(job)
        except Exception as exc:  # the row is safe; the sweeper sends it again
            # One line per job: during a broker outage a traceback each would flood the log.
            log.warning("could not send job %s to the broker (%s: %s); it stays queued and "
                        "the sweeper sends it again", job.pk, type(exc).__name__, exc)  # fmt: skip


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(job_id: int | None = None, *, worker: str | None = None) -> Job | None:
    """Take one due job (or the job `job_id` if it is due) for this worker, or None. A
    running job whose lease ran out (its worker died) is due again."""
    now = timezone.now()
    due = Q(state=JobState.QUEUED, not_before__lte=now) | Q(
        state=JobState.RUNNING, locked_until__lt=now
    )
    candidates = Job.objects.filter(due)
    if job_id is not None:
        candidates = candidates.filter(pk=job_id)
    lease = timedelta(seconds=settings.PHISHLOOP_JOB_LEASE_SECONDS)
    for candidate in candidates.order_by("not_before", "id").values_list("pk", flat=True)[:5]:
        # Compare-and-set: only one worker wins the row, on SQLite and PostgreSQL alike. The
        # claim and the read of the claimed row commit together: if the database goes away
        # in between, the claim is rolled back instead of leaving the job running, unseen by
        # this worker, until its lease ends.
        with transaction.atomic():
            won = Job.objects.filter(due, pk=candidate).update(
                state=JobState.RUNNING,
                locked_until=now + lease,
                locked_by=worker or worker_name(),
                attempts=F("attempts") + 1,
                started_at=now,
            )
            if won:
                return Job.objects.get(pk=candidate)
    return None


def run(job: Job) -> bool:
    """Run a claimed job's handler; True when it finished (done or failed for good)."""
    kind = _KINDS.get(job.kind)
    if kind is None:
        _finish(job, JobState.FAILED, f"no handler for job kind {job.kind!r}")
        return True
    if job.attempts > job.max_attempts:  # its workers kept dying (killed, out of memory)
        _give_up(job, kind, f"gave up: {job.attempts - 1} workers stopped running it")
        return True
    try:
        kind.handler(job.payload)
    except PermanentError as exc:
        _give_up(job, kind, str(exc))
        return True
    except Exception as exc:
        return _retry_or_fail(job, kind, exc)
    _finish(job, JobState.DONE, "")
    return True


def run_one(job_id: int | None = None) -> Job | None:
    """Claim and run one job; the job, or None when nothing was due."""
    job = claim(job_id)
    if job is None:
        return None
    run(job)
    job.refresh_from_db()
    return job


def drain(limit: int = 10_000) -> int:
    """Run due jobs until none is left (tests, `phishloop report --wait`); how many ran."""
    count = 0
    while count < limit and run_one() is not None:
        count += 1
    return count


def _finish(job: Job, state: str, error: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=state, last_error=error[:4000], finished_at=timezone.now(), locked_until=None
    )
    if state == JobState.FAILED:
        log.error("job %s (%s) failed: %s", job.pk, job.key, error)


def _give_up(job: Job, kind: JobKind, error: str) -> None:
    """Fail the job and tell its kind, in one transaction; a failing failure handler is
    logged and leaves the job failed (an operator retries it)."""
    with transaction.atomic():
        _finish(job, JobState.FAILED, error)
        if kind.on_failure is None:
            return
        try:
            with transaction.atomic():
                kind.on_failure(job.payload, error)
        except Exception:
            log.exception("job %s (%s): its failure handler failed", job.pk, job.key)


def _retry_or_fail(job: Job, kind: JobKind, exc: Exception) -> bool:
    error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if job.attempts >= job.max_attempts:
        _give_up(job, kind, f"gave up after {job.attempts} attempts: {error}")
        return True
    delay = min(MAX_BACKOFF_SECONDS, settings.PHISHLOOP_JOB_RETRY_SECONDS * 2 ** (job.attempts - 1))
    log.warning("job %s (%s) attempt %s failed, retrying in %.0fs: %s", job.pk, job.key,
                job.attempts, delay, error)  # fmt: skip
    Job.objects.filter(pk=job.pk).update(
        state=JobState.QUEUED,
        last_error=error[:4000],
        locked_until=None,
        not_before=timezone.now() + timedelta(seconds=delay),
    )
    return False


def retry_failed(job_id: int) -> Job:
    """Put a failed job back in the queue (an operator fixed the cause)."""
    Job.objects.filter(pk=job_id, state=JobState.FAILED).update(
        state=JobState.QUEUED, attempts=0, not_before=timezone.now(), finished_at=None
    )
    job = Job.objects.get(pk=job_id)
    if _dispatch:
        transaction.on_commit(lambda: _send(job))
    return job


def run_soon(keys: list[str]) -> int:
    """Queued jobs among `keys` are due now (a back-off no longer matters) and are sent
    again once the caller's transaction commits; how many."""
    jobs = list(Job.objects.filter(key__in=keys, state=JobState.QUEUED))
    Job.objects.filter(pk__in=[job.pk for job in jobs]).update(not_before=timezone.now())
    for job in jobs if _dispatch else ():
        transaction.on_commit(lambda job=job: _send(job))  # type: ignore[misc]
    return len(jobs)


def stale(older_than: timedelta) -> list[Job]:
    """Jobs a broker may have lost: queued and due for longer than `older_than` (the
    message never arrived), or running past their lease (the worker died with it)."""
    now = timezone.now()
    lost = Q(state=JobState.QUEUED, not_before__lt=now - older_than) | Q(
        state=JobState.RUNNING, locked_until__lt=now
    )
    return list(Job.objects.filter(lost).order_by("id")[:1000])
