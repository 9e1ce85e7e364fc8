"""Reports become incidents: clustering, decisions, analyst verdicts, merge and split,
indicators fed back to the local intel store, recovery of reconstructed reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.server.pipeline_helpers import (
    INVOICE_TEXT,
    campaign_copy,
    isolated_runtime,
    use_policy,
)

from phishloop.connectors.intel.sqlite_store import SqliteIntelStore
from phishloop.core.model import Indicator as CoreIndicator
from phishloop.server.audit.models import AuditEvent
from phishloop.server.incidents.models import Incident, IncidentState, Indicator, VerdictSource
from phishloop.server.incidents.service import (
    IncidentError,
    merge_incidents,
    set_analyst_verdict,
    split_incident,
)
from phishloop.server.incidents.signals import incident_created, verdict_changed
from phishloop.server.intake.service import accept_report
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.pipeline.recovery import complete_recovery, pending_recoveries
from phishloop.server.reports.models import Fidelity, Message, Recovery, Report

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("isolated_runtime")]
__all__ = ["isolated_runtime"]

NEVER = "[policy]\nauto_resolve = {}\n"
ALWAYS = "[policy]\nauto_resolve = {malicious = 0.01, spam = 0.01, bulk = 0.01, clean = 0.01}\n"


def invoice(recipient: str) -> bytes:
    return campaign_copy(recipient, text=INVOICE_TEXT, subject="Overdue invoice",
                         sender="Billing <billing@invoices-due.example>",
                         domain="invoices-due.example")  # fmt: skip


def report(raw: bytes, reporter: str) -> Report:
    return accept_report(raw, channel="api", reporter=reporter).report


def signals() -> list[tuple[str, int, str]]:
    """Record incident signals as (name, incident id, previous) while the test runs."""
    seen: list[tuple[str, int, str]] = []

    def created(incident: Incident, **_: Any) -> None:
        seen.append(("created", incident.pk, ""))

    def changed(incident: Incident, previous: str, **_: Any) -> None:
        seen.append(("verdict", incident.pk, previous))

    incident_created.connect(created, weak=False, dispatch_uid="test-created")
    verdict_changed.connect(changed, weak=False, dispatch_uid="test-verdict")
    return seen


@pytest.fixture(autouse=True)
def disconnect() -> Any:
    yield
    incident_created.disconnect(dispatch_uid="test-created")
    verdict_changed.disconnect(dispatch_uid="test-verdict")


def test_copies_of_a_campaign_become_one_incident_and_others_another() -> None:
    seen = signals()
    for name in ("alice", "bob", "carol"):
        report(campaign_copy(f"{name}@corp.example"), f"{name}@corp.example")
    report(campaign_copy("alice@corp.example"), "dave@corp.example")  # same original
    report(invoice("erin@corp.example"), "erin@corp.example")
    queue.drain()
    phish, bill = Incident.objects.order_by("id")
    assert (phish.message_count, phish.report_count) == (3, 4)
    assert (bill.message_count, bill.report_count) == (1, 1)
    joined = Message.objects.filter(incident=phish, cluster_score__isnull=False)
    assert joined.count() == 2
    assert all("same body text (normalised)" in m.cluster_reasons for m in joined)
    assert phish.first_seen <= phish.last_seen and phish.title.startswith("Action required")
    assert [s[0] for s in seen].count("created") == 2
    assert not Job.objects.exclude(state=JobState.DONE).exists()


def test_the_window_keeps_old_incidents_closed(settings: Any) -> None:
    report(campaign_copy("alice@corp.example"), "alice@corp.example")
    queue.drain()
    settings.PHISHLOOP_CLUSTER_WINDOW_HOURS = 1
    Incident.objects.update(first_seen="2020-01-01T00:00Z", last_seen="2020-01-01T00:00Z")
    report(campaign_copy("bob@corp.example"), "bob@corp.example")
    queue.drain()
    assert Incident.objects.count() == 2


def test_jobs_run_twice_give_one_result() -> None:
    report(campaign_copy("alice@corp.example"), "alice@corp.example")
    report(campaign_copy("bob@corp.example"), "bob@corp.example")
    queue.drain()
    before = list(Incident.objects.values_list("pk", "message_count", "report_count", "category",
                                               "state", "revision"))  # fmt: skip
    events = AuditEvent.objects.count()
    for job in Job.objects.all():  # as if every message had been delivered again
        queue.kinds()[job.kind].handler(job.payload)
    after = list(Incident.objects.values_list("pk", "message_count", "report_count", "category",
                                              "state", "revision"))  # fmt: skip
    assert after == before
    analysed_again = AuditEvent.objects.count() - events
    assert analysed_again == Report.objects.count()  # only the "report.analysed" records


def test_policy_resolves_when_confident_else_waits(settings: Any, tmp_path: Path) -> None:
    use_policy(settings, tmp_path, NEVER)
    report(campaign_copy("alice@corp.example"), "alice@corp.example")
    queue.drain()
    incident = Incident.objects.get()
    assert incident.state == IncidentState.AWAITING_ANALYST
    assert incident.verdict_source == VerdictSource.AUTO and incident.category
    assert "never resolves" in incident.reasons[-1]["evidence"]

    use_policy(settings, tmp_path, ALWAYS.replace("}", ", suspicious = 0.5}"))
    Job.objects.filter(kind="decide-incident").update(state=JobState.QUEUED)
    queue.drain()
    failed = Job.objects.get(kind="decide-incident")
    assert failed.state == JobState.FAILED and "suspicious" in failed.last_error


def test_an_analyst_verdict_overrides_is_audited_and_sticks(settings: Any, tmp_path: Path) -> None:
    use_policy(settings, tmp_path, ALWAYS)
    seen = signals()
    report(invoice("alice@corp.example"), "alice@corp.example")
    queue.drain()
    incident = Incident.objects.get()
    set_analyst_verdict(incident.pk, category="clean", actor="token:ana", note="known supplier")
    report(invoice("bob@corp.example"), "bob@corp.example")  # a new copy joins later
    queue.drain()
    incident.refresh_from_db()
    assert (incident.category, incident.verdict_source, incident.state) == (
        "clean", VerdictSource.ANALYST, IncidentState.RESOLVED)  # fmt: skip
    assert incident.message_count == 2 and incident.decided_by == "token:ana"
    event = AuditEvent.objects.get(action="incident.analyst_verdict")
    assert event.actor == "token:ana" and event.detail["note"] == "known supplier"
    assert ("verdict", incident.pk, "spam") in seen or ("verdict", incident.pk, "malicious") in seen
    with pytest.raises(IncidentError, match="unknown category"):
        set_analyst_verdict(incident.pk, category="evil", actor="token:ana")
    with pytest.raises(IncidentError, match="has no subtype"):
        set_analyst_verdict(incident.pk, category="clean", subtype="phish", actor="token:ana")


def test_confirmed_malicious_indicators_reach_the_intel_store(isolated_runtime: Path) -> None:
    report(campaign_copy("alice@corp.example"), "alice@corp.example")
    queue.drain()
    incident = Incident.objects.get()
    set_analyst_verdict(incident.pk, category="malicious", subtype="phish", actor="token:ana")
    queue.drain()
    values = set(Indicator.objects.filter(incidents=incident).values_list("value", flat=True))
    assert "support@mailbox-verify.example" in values
    assert not any("corp.example" in value for value in values)  # our own never become intel
    with SqliteIntelStore(isolated_runtime / "intel.sqlite3") as store:
        matches = store.lookup([CoreIndicator("email", "support@mailbox-verify.example")])
    assert [m.source for m in matches] == ["phishloop-incidents"]

    set_analyst_verdict(incident.pk, category="clean", actor="token:ana")  # overturned
    queue.drain()
    assert not Indicator.objects.filter(incidents=incident).exists()
    with SqliteIntelStore(isolated_runtime / "intel.sqlite3") as store:
        assert store.lookup([CoreIndicator("email", "support@mailbox-verify.example")]) == []


def test_merge_and_split_move_messages_and_are_audited() -> None:
    seen = signals()
    report(campaign_copy("alice@corp.example"), "alice@corp.example")
    report(invoice("bob@corp.example"), "bob@corp.example")
    queue.drain()
    phish, bill = Incident.objects.order_by("id")
    merged = merge_incidents(phish.pk, [bill.pk], actor="token:ana")
    bill.refresh_from_db()
    assert bill.state == IncidentState.MERGED and bill.merged_into_id == phish.pk
    assert (merged.message_count, merged.report_count) == (2, 2)
    with pytest.raises(IncidentError, match="was merged into"):
        set_analyst_verdict(bill.pk, category="spam", actor="token:ana")

    invoice_message = Message.objects.get(subject="Overdue invoice")
    new = split_incident(phish.pk, [invoice_message.pk], actor="token:ana")
    queue.drain()
    phish.refresh_from_db()
    assert (phish.message_count, new.message_count) == (1, 1)
    assert Message.objects.get(pk=invoice_message.pk).incident_id == new.pk
    assert ("created", new.pk, "") in seen
    assert {"incident.merged", "incident.merged_into", "incident.split"} <= set(
        AuditEvent.objects.values_list("action", flat=True))  # fmt: skip
    with pytest.raises(IncidentError, match="at least one message"):
        split_incident(new.pk, [invoice_message.pk], actor="token:ana")


INLINE_FORWARD = b"""From: Alice <alice@corp.example>
To: abuse@corp.example
Subject: Fwd: Action required: verify your mailbox
Message-ID: <fwd1@corp.example>
Content-Type: text/plain; charset=utf-8

Is this real?

---------- Forwarded message ---------
From: IT Service Desk <support@mailbox-verify.example>
Date: Mon, 3 Jun 2024 09:12:00 +0000
Subject: Action required: verify your mailbox
To: Alice <alice@corp.example>

Dear Alice, please verify your password now: https://login.mailbox-verify.example/verify
"""


def test_a_reconstructed_report_waits_for_its_original() -> None:
    accepted = accept_report(INLINE_FORWARD, channel="imap", reporter="alice@corp.example")
    queue.drain()
    forwarded = Report.objects.get(pk=accepted.report.pk)
    assert forwarded.fidelity == Fidelity.RECONSTRUCTED
    assert forwarded.recovery == Recovery.PENDING
    assert list(pending_recoveries()) == [forwarded]

    complete_recovery(forwarded.pk, campaign_copy("alice@corp.example"), actor="connector:imap")
    complete_recovery(forwarded.pk, campaign_copy("alice@corp.example"), actor="connector:imap")
    queue.drain()
    forwarded.refresh_from_db()
    assert (forwarded.fidelity, forwarded.recovery) == (Fidelity.RECOVERED, Recovery.RECOVERED)
    assert forwarded.messages.count() == 2 and not pending_recoveries().exists()
    assert AuditEvent.objects.filter(action="report.recovered").count() == 1
