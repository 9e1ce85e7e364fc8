"""A "malicious" answer waits for the incident's pull under way, so it says "removed from
N mailboxes" — within `[feedback] hold_for_pull_minutes`, after which it goes out saying
the message is being removed. One answer per reporter either way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from tests.server.notifications.feedback_helpers import body_text, configure, recipients, report
from tests.server.pipeline_helpers import campaign_copy, isolated_runtime

from phishloop.connectors.directory import InMemoryDirectory
from phishloop.connectors.mailstore import MemoryMailStore
from phishloop.connectors.notifier import InMemoryNotifier
from phishloop.server.audit.models import AuditEvent
from phishloop.server.incidents.models import Incident, IncidentState
from phishloop.server.incidents.service import set_analyst_verdict
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job
from phishloop.server.notifications.delivery import deliver, use_notifier
from phishloop.server.notifications.models import Notification
from phishloop.server.remediation import connect
from phishloop.server.remediation.models import ActionOutcome, PullAction, PullJob, PullState

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("isolated_runtime")]
__all__ = ["isolated_runtime"]

ALICE, BOB = "alice@corp.example", "bob@corp.example"
REMOVED = "We have removed it from"
REMOVING = "We are removing it from every mailbox that received it."


@pytest.fixture
def notifier() -> Iterator[InMemoryNotifier]:
    with use_notifier(InMemoryNotifier()) as fake:
        assert isinstance(fake, InMemoryNotifier)
        yield fake


def reported() -> Incident:
    """The campaign reported by Alice and Bob, waiting for an analyst."""
    for reporter in (ALICE, BOB):
        report(campaign_copy(reporter), reporter)
    queue.drain()
    [incident] = Incident.objects.exclude(state=IncidentState.MERGED)
    assert incident.state == IncidentState.AWAITING_ANALYST
    return incident


def pull_of(incident: Incident, state: str) -> PullJob:
    """A pull in `state` with one copy in each reporter's mailbox, not moved yet."""
    pull = PullJob.objects.create(incident=incident, state=state, created_by="token:soc")
    for mailbox in (ALICE, BOB):
        PullAction.objects.create(pull=pull, kind="original", mailbox=mailbox, folder="INBOX",
                                  uid="1", outcome=ActionOutcome.FOUND)  # fmt: skip
    return pull


def malicious(incident: Incident) -> None:
    set_analyst_verdict(incident.pk, category="malicious", subtype="phish", actor="token:soc")
    queue.drain()


def past_the_bound(minutes: float, *, jobs: bool = True) -> None:
    """As if `minutes` had passed: answers older, (with `jobs`) delayed jobs due."""
    earlier = timezone.now() - timedelta(minutes=minutes)
    Notification.objects.update(created_at=earlier)
    if jobs:
        Job.objects.filter(state="queued").update(not_before=earlier)


@pytest.fixture
def waiting(settings: Any, tmp_path: Path, notifier: InMemoryNotifier) -> PullJob:
    """Alice's and Bob's malicious answers, held by the incident's running pull."""
    configure(settings, tmp_path)
    incident = reported()
    pull = pull_of(incident, PullState.RUNNING)
    malicious(incident)
    assert notifier.sent == []
    return pull


def test_the_answer_waits_for_the_pull_and_says_how_many_mailboxes(
    waiting: PullJob, notifier: InMemoryNotifier
) -> None:
    pull = waiting
    rows = Notification.objects.order_by("reporter")
    assert [(n.reporter, n.status) for n in rows] == [(ALICE, "pending"), (BOB, "pending")]
    held = AuditEvent.objects.filter(action="notification.held")
    assert held.count() == 2
    # The pull moves both copies and settles: the answers go out at once.
    pull.actions.update(outcome=ActionOutcome.MOVED)
    pull.state = PullState.DONE
    pull.save()
    queue.drain()
    assert recipients(notifier.sent) == [ALICE, BOB]
    assert all(f"{REMOVED} 2 mailboxes" in body_text(m) for m in notifier.sent), body_text(
        notifier.sent[0]
    )
    # The send queued at the bound finds them sent: still one answer each.
    past_the_bound(16)
    queue.drain()
    assert len(notifier.attempts) == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_a_pull_awaiting_approval_holds_the_answer_no_longer_than_the_bound(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    configure(settings, tmp_path, feedback="hold_for_pull_minutes = 10")
    incident = reported()
    pull_of(incident, PullState.AWAITING_APPROVAL)
    malicious(incident)
    past_the_bound(9, jobs=False)
    for notification in Notification.objects.all():
        deliver(notification.pk)  # e.g. released by another pull: 9 of 10 minutes, held
    assert notifier.sent == []
    past_the_bound(11)
    queue.drain()
    assert recipients(notifier.sent) == [ALICE, BOB]
    assert all(REMOVING in body_text(m) for m in notifier.sent)


@pytest.mark.parametrize(
    ("feedback", "state"),
    [("hold_for_pull_minutes = 0", PullState.RUNNING), ("", PullState.PLAN_FAILED)],
    ids=["switched-off", "pull-over"],
)
def test_no_hold_when_switched_off_or_when_the_pull_is_over(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier, feedback: str, state: str
) -> None:
    configure(settings, tmp_path, feedback=feedback)
    incident = reported()
    pull_of(incident, state)
    malicious(incident)
    assert recipients(notifier.sent) == [ALICE, BOB]
    assert all(REMOVING in body_text(m) for m in notifier.sent)
    assert not AuditEvent.objects.filter(action="notification.held").exists()


def test_an_automatic_pull_is_waited_for_end_to_end(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(settings, tmp_path, extra="[remediation]\nauto_approve = true\nmin_confidence = 0.5")
    store = MemoryMailStore()
    for person in (ALICE, BOB):
        store.add_mailbox(person)
        store.deliver(person, campaign_copy(person))
    monkeypatch.setattr(connect, "open_store", lambda: store)
    monkeypatch.setattr(connect, "open_directory",
                        lambda: InMemoryDirectory(domains=["corp.example"]))  # fmt: skip
    incident = reported()
    malicious(incident)  # queues the pull's plan and the answers together; drains both
    pull = PullJob.objects.get(incident=incident)
    assert pull.state == PullState.DONE, (pull.state, pull.approval_reasons, pull.error)
    assert recipients(notifier.sent) == [ALICE, BOB]
    assert pull.counts["moved"] == 2
    assert AuditEvent.objects.filter(action="notification.held").count() == 2
    assert all(f"{REMOVED} 2 mailboxes" in body_text(m) for m in notifier.sent)
    past_the_bound(16)
    queue.drain()
    assert len(notifier.attempts) == 2


def test_a_verdict_changed_while_the_answer_waits_sends_only_the_new_answer(
    waiting: PullJob, notifier: InMemoryNotifier
) -> None:
    pull = waiting
    set_analyst_verdict(pull.incident_id, category="clean", actor="token:lead")  # restores the pull
    queue.drain()
    pull.refresh_from_db()
    assert pull.state == PullState.RESTORED
    past_the_bound(16)
    queue.drain()
    assert recipients(notifier.sent) == [ALICE, BOB]  # one each, and it is the last verdict
    assert all("Correction" not in str(m["Subject"]) for m in notifier.sent)
    assert all("safe" in body_text(m) for m in notifier.sent), body_text(notifier.sent[0])
    rows = Notification.objects.order_by("reporter", "id")
    assert [(n.outcome, n.status) for n in rows] == [
        ("malicious", "skipped"), ("clean", "sent"), ("malicious", "skipped"), ("clean", "sent")
    ]  # fmt: skip
    assert {n.last_error for n in rows if n.status == "skipped"} == {
        "superseded by a later answer before it was sent"
    }


def test_a_settled_pull_that_stands_is_not_waited_for_again(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    """The verdict queued an automatic plan, but an analyst's pull was done before it ran:
    that plan will do nothing, so the answer goes out at once with the pull's count."""
    configure(settings, tmp_path, extra="[remediation]\nauto_approve = true\nmin_confidence = 0.5")
    incident = reported()
    set_analyst_verdict(incident.pk, category="malicious", subtype="phish", actor="token:soc")
    assert Job.objects.filter(kind="pull-plan", state="queued").exists()
    pull = pull_of(incident, PullState.DONE)  # planned and executed by an analyst meanwhile
    pull.actions.update(outcome=ActionOutcome.MOVED)
    feedback = Job.objects.get(kind="plan-feedback", state="queued")
    queue.run_one(feedback.pk)  # the answers are planned …
    assert Notification.objects.count() == 2
    for notification in Notification.objects.all():
        deliver(notification.pk)  # before the queued plan job runs
    assert recipients(notifier.sent) == [ALICE, BOB]
    assert all(f"{REMOVED} 2 mailboxes" in body_text(m) for m in notifier.sent)
    assert not AuditEvent.objects.filter(action="notification.held").exists()
    queue.drain()
    assert PullJob.objects.filter(incident=incident).count() == 1  # the plan job did nothing
    assert len(notifier.attempts) == 2
