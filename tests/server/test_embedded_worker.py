"""The embedded worker of `phishloop serve`: threads that take jobs from the table, woken
on commit, and stop cleanly."""

from __future__ import annotations

import time

import pytest
from tests.server.pipeline_helpers import INVOICE_TEXT, campaign_copy, isolated_runtime

from phishloop.server.incidents.models import Incident
from phishloop.server.intake.service import accept_report
from phishloop.server.jobs.embedded import EmbeddedWorker
from phishloop.server.jobs.models import Job, JobState

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("isolated_runtime")]
__all__ = ["isolated_runtime"]
WAIT_SECONDS = 120.0


def settle() -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while Job.objects.exclude(state__in=(JobState.DONE, JobState.FAILED)).exists():
        assert time.monotonic() < deadline, list(Job.objects.values("key", "state", "last_error"))
        time.sleep(0.1)


def test_two_threads_turn_a_burst_into_decided_incidents() -> None:
    worker = EmbeddedWorker(threads=2, poll_seconds=0.2)
    worker.start()
    try:
        for number in range(12):
            recipient = f"user{number}@corp.example"
            accept_report(campaign_copy(recipient), channel="api", reporter=recipient)
        accept_report(campaign_copy("x@corp.example", text=INVOICE_TEXT, subject="Overdue invoice",
                                    domain="invoices-due.example"), channel="api")  # fmt: skip
        settle()
    finally:
        worker.stop(timeout=30)
    assert not Job.objects.filter(state=JobState.FAILED).exists()
    campaign, other = Incident.objects.order_by("id")
    assert (campaign.message_count, campaign.report_count) == (12, 12)
    assert other.message_count == 1
    assert all(
        i.category and i.state in {"resolved", "awaiting_analyst"} for i in (campaign, other)
    )
    assert worker.ran == Job.objects.count()


def test_a_stopped_worker_takes_no_more_jobs_and_cannot_start_twice() -> None:
    worker = EmbeddedWorker()
    worker.start()
    with pytest.raises(RuntimeError, match="already running"):
        worker.start()
    worker.stop()
    accept_report(campaign_copy("late@corp.example"), channel="api")
    time.sleep(0.3)  # a running worker would have been woken by the commit
    assert Job.objects.get().state == JobState.QUEUED
    with pytest.raises(ValueError, match="at least one thread"):
        EmbeddedWorker(threads=0)
