"""Reporter feedback end to end with the in-memory notifier: one answer per reporter and
verdict, in their language; corrections; acknowledgements; "still under review";
retries and visible failures; reporters outside the organisation; simulations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from tests.server.notifications.feedback_helpers import (
    NEVER,
    body_text,
    configure,
    recipients,
    report,
)
from tests.server.pipeline_helpers import campaign_copy, isolated_runtime

from phishloop.connectors.notifier import DeliveryResult, DeliveryStatus, InMemoryNotifier
from phishloop.server.audit.models import AuditEvent
from phishloop.server.incidents.models import Incident, IncidentState
from phishloop.server.incidents.service import set_analyst_verdict
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.notifications.delivery import use_notifier
from phishloop.server.notifications.models import Notification, NotificationStatus
from phishloop.server.notifications.resend import resend
from phishloop.server.notifications.steps import PLAN_REVIEW
from phishloop.server.reports.models import Report

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("isolated_runtime")]
__all__ = ["isolated_runtime"]

ALICE, BOB, CARL = "alice@corp.example", "bob@corp.example", "carl@corp.de"


@pytest.fixture
def notifier() -> Iterator[InMemoryNotifier]:
    with use_notifier(InMemoryNotifier()) as fake:
        assert isinstance(fake, InMemoryNotifier)
        yield fake


def campaign(times_alice: int = 5, verdict: str = "malicious") -> Incident:
    """The campaign reported by Alice (several times, same copy), Bob and Carl; the
    automatic verdict (suspicious) waits for the analyst, who gives `verdict`."""
    for _ in range(times_alice):
        report(campaign_copy(ALICE), ALICE)
    report(campaign_copy(BOB), BOB)
    report(campaign_copy(CARL), CARL)
    queue.drain()
    [incident] = Incident.objects.exclude(state=IncidentState.MERGED)
    assert incident.state == IncidentState.AWAITING_ANALYST
    subtype = "phish" if verdict == "malicious" else ""
    set_analyst_verdict(incident.pk, category=verdict, subtype=subtype, actor="token:soc")
    queue.drain()
    incident.refresh_from_db()
    return incident


BULK = b"""From: Shop News <news@shop-deals.example>
To: alice@corp.example
Subject: Spring sale: 20% off everything
Message-ID: <sale-1@shop-deals.example>
Date: Mon, 3 Jun 2024 09:12:00 +0000
List-Unsubscribe: <https://shop-deals.example/unsubscribe?u=42>, <mailto:leave@shop-deals.example>
List-Id: Shop News <news.shop-deals.example>
Precedence: bulk
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Our spring sale starts today: 20% off everything in the shop, this week only.
Browse the new collection at https://shop-deals.example/spring and unsubscribe any time.
"""


def test_a_campaign_reported_by_three_people_gives_each_one_answer_in_their_language(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    configure(settings, tmp_path)
    incident = campaign()
    assert (incident.state, incident.category) == (IncidentState.RESOLVED, "malicious")
    assert Report.objects.count() == 7
    assert recipients(notifier.sent) == [ALICE, BOB, CARL]
    by_reporter = {m["To"].addresses[0].addr_spec: m for m in notifier.sent}
    english, german = by_reporter[ALICE], by_reporter[CARL]
    assert str(english["Subject"]).startswith("Dangerous message removed: Action required")
    assert english["Content-Language"] == "en" and german["Content-Language"] == "de"
    assert "Action required: verify your mailbox" in body_text(german)
    assert "malicious" in body_text(english) and "Corp IT Security" in body_text(english)
    assert "mailbox-verify[.]example" in body_text(english)  # the sender, defanged
    assert english["Auto-Submitted"] == "auto-replied"
    rows = Notification.objects.order_by("reporter")
    assert [(n.reporter, n.status, n.outcome, n.language) for n in rows] == [
        (ALICE, "sent", "malicious", "en"), (BOB, "sent", "malicious", "en"),
        (CARL, "sent", "malicious", "de"),
    ]  # fmt: skip
    alice = rows[0]
    assert alice.reports.count() == 5 and alice.incident == incident and alice.sent_at
    assert AuditEvent.objects.filter(action="notification.sent").count() == 3

    queue.drain()  # nothing more to say
    assert len(notifier.attempts) == 3


def test_an_analyst_changing_the_verdict_sends_each_reporter_a_correction(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    configure(settings, tmp_path)
    incident = campaign(times_alice=2)
    set_analyst_verdict(incident.pk, category="clean", actor="token:soc", note="vendor mail")
    queue.drain()
    corrections = notifier.sent[3:]
    assert recipients(corrections) == [ALICE, BOB, CARL]
    english = next(m for m in corrections if m["To"].addresses[0].addr_spec == ALICE)
    assert str(english["Subject"]).startswith("Correction: the message you reported is safe")
    assert "we told you earlier that this message was malicious" in body_text(english)
    german = next(m for m in corrections if m["To"].addresses[0].addr_spec == CARL)
    assert german["Content-Language"] == "de"
    rows = Notification.objects.filter(outcome="clean")
    assert {(n.previous_outcome, n.template) for n in rows} == {("malicious", "correction+clean")}

    set_analyst_verdict(incident.pk, category="clean", actor="token:soc", note="again")
    queue.drain()
    assert len(notifier.sent) == 6  # the same verdict again: nothing new to say
    set_analyst_verdict(incident.pk, category="malicious", subtype="phish", actor="token:soc")
    queue.drain()
    assert recipients(notifier.sent[6:]) == [ALICE, BOB, CARL]
    latest = Notification.objects.filter(outcome="malicious", previous_outcome="clean")
    assert latest.count() == 3
    assert {str(m["Subject"]).split(":")[0] for m in notifier.sent[6:]} == {
        "Correction", "Korrektur"}  # fmt: skip


def test_an_automatic_resolution_answers_with_safe_unsubscribe_advice(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    configure(settings, tmp_path)
    report(BULK, ALICE)
    report(BULK, ALICE)
    queue.drain()
    incident = Incident.objects.get()
    assert (incident.state, incident.category) == (IncidentState.RESOLVED, "bulk")
    [answer] = notifier.sent
    text = body_text(answer)
    assert "https://shop-deals.example/unsubscribe?u=42" in text  # to copy, not a link
    html = answer.get_body(("html",))
    assert html is not None and "<a " not in str(html.get_content())
    assert "Spring sale: 20% off everything" in text and "3 June 2024" in text


def test_a_burst_of_reporters_joining_a_resolved_incident_is_planned_a_few_times(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    configure(settings, tmp_path)
    report(BULK, ALICE)
    queue.drain()
    assert len(notifier.sent) == 1
    reporters = [f"user{n}@corp.example" for n in range(30)]
    for reporter in reporters:
        report(BULK, reporter)
    queue.drain()
    assert recipients(notifier.sent[1:]) == sorted(reporters)
    assert Job.objects.filter(kind="plan-feedback").count() <= 3  # not one per reporter


def test_transient_failure_is_retried_then_sent(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    configure(settings, tmp_path)
    notifier.results.append(DeliveryResult(DeliveryStatus.TRANSIENT, "451 try again later"))
    report(BULK, ALICE)
    queue.drain()
    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 2 and len(notifier.attempts) == 2
    assert len(notifier.sent) == 1


def test_permanent_failure_and_exhausted_retries_are_visible(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    configure(settings, tmp_path)
    settings.PHISHLOOP_JOB_MAX_ATTEMPTS = 2
    notifier.results.extend([
        DeliveryResult(DeliveryStatus.PERMANENT, "550 5.1.1 no such user", code=550),
        DeliveryResult(DeliveryStatus.TRANSIENT, "421 busy"),
        DeliveryResult(DeliveryStatus.TRANSIENT, "421 still busy"),
    ])  # fmt: skip
    report(BULK, ALICE)
    queue.drain()
    report(BULK, BOB)
    queue.drain()
    failed = Notification.objects.order_by("reporter")
    assert [(n.reporter, n.status, n.attempts) for n in failed] == [
        (ALICE, "failed", 1), (BOB, "failed", 2)]  # fmt: skip
    assert failed[0].last_error == "550 5.1.1 no such user"
    assert failed[1].last_error == "421 still busy"
    assert AuditEvent.objects.filter(action="notification.failed").count() == 2
    jobs = Job.objects.filter(kind="send-notification")
    assert {job.state for job in jobs} == {JobState.FAILED}
    assert not notifier.sent

    assert resend(failed[0], actor="user:admin")  # the admin fixed the address
    queue.drain()
    assert Notification.objects.get(reporter=ALICE).status == NotificationStatus.SENT
    assert recipients(notifier.sent) == [ALICE]


def test_reporters_outside_the_organisation_are_never_sent_feedback(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    configure(settings, tmp_path)
    report(BULK, "mallory@attacker.example")
    report(BULK, BOB)
    queue.drain()
    assert recipients(notifier.sent) == [BOB]
    skipped = Notification.objects.get(reporter="mallory@attacker.example")
    assert skipped.status == NotificationStatus.SKIPPED
    assert "not an address of the organisation" in skipped.last_error


def test_simulations_get_no_feedback_by_default(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    configure(settings, tmp_path)
    campaign(times_alice=1, verdict="simulation")
    assert not notifier.sent
    skipped = Notification.objects.all()
    assert {(n.status, n.outcome) for n in skipped} == {("skipped", "simulation")}
    assert "training platform" in skipped[0].last_error


def test_simulations_well_spotted_when_configured(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    configure(settings, tmp_path, feedback="notify_simulations = true")
    campaign(times_alice=1, verdict="simulation")
    subjects = sorted(str(m["Subject"]).split(":")[0] for m in notifier.sent)
    assert subjects == ["Gut erkannt", "Well spotted", "Well spotted"]


def test_acknowledgement_on_receipt_once_per_message_then_the_answer(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    configure(settings, tmp_path, policy=NEVER, feedback="acknowledge_receipt = true")
    report(campaign_copy(ALICE), ALICE)
    report(campaign_copy(ALICE), ALICE)
    queue.drain()
    [ack] = notifier.sent
    assert str(ack["Subject"]).startswith("We received your report: Action required")
    [incident] = Incident.objects.all()
    assert incident.state == IncidentState.AWAITING_ANALYST
    set_analyst_verdict(incident.pk, category="spam", actor="token:soc")
    queue.drain()
    assert [str(m["Subject"]).split(":")[0] for m in notifier.sent] == [
        "We received your report", "Your report"]  # fmt: skip
    assert "Correction" not in body_text(notifier.sent[1])


def test_still_under_review_after_the_configured_delay(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    configure(settings, tmp_path, policy=NEVER, feedback="under_review_after_minutes = 30")
    report(campaign_copy(ALICE), ALICE)
    queue.drain()
    assert not notifier.sent  # the note waits for its delay
    review = Job.objects.get(kind=PLAN_REVIEW)
    assert review.state == JobState.QUEUED
    # Half an hour later (moved in the database rather than waited for):
    Report.objects.update(received_at=timezone.now() - timedelta(hours=1))
    Job.objects.filter(pk=review.pk).update(not_before=timezone.now())
    queue.drain()
    [note] = notifier.sent
    assert str(note["Subject"]).startswith("Your report is being reviewed")
    incident = Incident.objects.get()
    set_analyst_verdict(incident.pk, category="malicious", subtype="phish", actor="token:soc")
    queue.drain()
    answer = notifier.sent[-1]
    assert str(answer["Subject"]).startswith("Dangerous message removed")
    assert "Correction" not in str(answer["Subject"])


def test_no_notifier_configured_sends_nothing_and_queues_nothing(
    settings: Any, tmp_path: Path, notifier: InMemoryNotifier
) -> None:
    path = tmp_path / "plain.toml"
    path.write_text('[organisation]\ndomains = ["corp.example"]\n')
    settings.PHISHLOOP_CONFIG = str(path)
    report(campaign_copy(ALICE), ALICE)
    queue.drain()
    assert not Notification.objects.exists() and not notifier.attempts
    assert not Job.objects.filter(kind__in=("plan-feedback", "send-notification")).exists()
