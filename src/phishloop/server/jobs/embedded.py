"""The embedded worker of `phishloop serve`: threads in the web process that claim jobs
from the job table — no broker. Each thread runs due jobs back to back and, when none is
due, sleeps until a job is committed (it is woken) or `poll_seconds` pass (retries with a
back-off, leases of a crashed process, jobs committed by another process)."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection

from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job, JobState

log = logging.getLogger(__name__)
ERROR_PAUSE_SECONDS = 2.0  # the database went away: try again after this, without a busy loop


class EmbeddedWorker:
    """`threads` job-running threads; `start()` once, `stop()` to finish the current jobs
    and join (a job interrupted by a hard kill is taken up again when its lease ends)."""

    def __init__(self, threads: int = 1, poll_seconds: float = 0.5) -> None:
        if threads < 1:
            raise ValueError("an embedded worker needs at least one thread")
        self.threads = threads
        self.poll_seconds = poll_seconds
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self.ran = 0  # jobs run so far (all threads)
        self._count = threading.Lock()
        self._interrupted: set[int] = set()  # claimed jobs whose run the database cut short

    def start(self) -> None:
        if self._threads:
            raise RuntimeError("the embedded worker is already running")
        self._stopping.clear()
        if not settings.PHISHLOOP_BROKER_URL:  # Celery dispatches when a broker is set
            queue.set_dispatcher(self._on_commit)
        for number in range(self.threads):
            thread = threading.Thread(target=self._loop, name=f"phishloop-worker-{number}",
                                      daemon=True)  # fmt: skip
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the threads to finish their current job and wait up to `timeout` seconds."""
        self._stopping.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in self._threads if t.is_alive()]
        if alive:
            log.warning("worker threads still busy after %.0fs: %s", timeout, ", ".join(alive))
        if not settings.PHISHLOOP_BROKER_URL:
            queue.set_dispatcher(None)
        self._threads = []

    def _on_commit(self, job: Job) -> None:
        self._wake.set()

    def _loop(self) -> None:
        try:
            while not self._stopping.is_set():
                self._wake.clear()  # before looking: a commit from now on wakes the wait
                if not self._run_due():
                    self._wake.wait(self.poll_seconds)
        finally:
            connection.close()  # this thread's connection: never leak one per thread

    def _run_due(self) -> bool:
        """Run one due job; False when there was none (or the database is unavailable)."""
        close_old_connections()  # drop a connection the database closed or that is too old
        job: Job | None = None
        try:
            self._release_interrupted()
            job = queue.claim()
            if job is None:
                return False
            queue.run(job)
        except Exception:  # the database is unreachable or locked: nothing is lost, retry
            log.warning("the worker cannot reach the job table; retrying", exc_info=True)
            if job is not None:
                with self._count:
                    self._interrupted.add(job.pk)
            connection.close()
            self._stopping.wait(ERROR_PAUSE_SECONDS)
            return False
        with self._count:
            self.ran += 1
        return True

    def _release_interrupted(self) -> None:
        """Jobs whose outcome the database could not record (it went away while they ran)
        go back to the queue once it answers again, instead of waiting out their lease.
        Their handlers are idempotent, so running one again is safe."""
        with self._count:
            pending = list(self._interrupted)
        if not pending:
            return
        Job.objects.filter(
            pk__in=pending, state=JobState.RUNNING, locked_by=queue.worker_name()
        ).update(state=JobState.QUEUED, locked_until=None)
        with self._count:
            self._interrupted.difference_update(pending)
