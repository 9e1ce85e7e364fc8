"""Pull services on the in-memory organisation: plan → approve → batches → done;
idempotent execution; policy; restore; automatic restore on a clean verdict; audit."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.server.remediation.conftest import MemoryOrg, make_incident
from tests.support import pull_org
from tests.support.pull_org import EXPECTED, address

from phishloop.server.audit.models import AuditEvent
from phishloop.server.incidents.models import Incident
from phishloop.server.incidents.service import set_analyst_verdict
from phishloop.server.jobs.models import Job
from phishloop.server.jobs.queue import drain
from phishloop.server.remediation import service
from phishloop.server.remediation.models import PullJob, PullState

pytestmark = pytest.mark.django_db


def quarantined(org: MemoryOrg) -> set[tuple[str, str]]:
    """(mailbox, Message-ID) of everything in quarantine."""
    return {
        (mailbox, message_id)
        for mailbox in org.store.list_mailboxes()
        if "Quarantine" in {f.name for f in org.store.list_folders(mailbox)}
        for message_id in org.store.messages(mailbox, "Quarantine")
    }


def snapshot(org: MemoryOrg) -> dict[tuple[str, str], dict[str, set[str]]]:
    return {
        (mailbox, folder.name): org.store.messages(mailbox, folder.name)
        for mailbox in org.store.list_mailboxes()
        for folder in org.store.list_folders(mailbox)
    }


def actions(pull: PullJob) -> set[tuple[str, str, str, str]]:
    return {(a.kind, a.mailbox, a.folder, a.message_id)
            for a in pull.actions.exclude(kind="external")}  # fmt: skip


def test_plan_waits_for_an_analyst_by_default(memory_org: MemoryOrg, incident: Incident) -> None:
    before = snapshot(memory_org)
    pull = service.plan_pull(incident.pk, actor="token:soc")
    assert pull.state == PullState.AWAITING_APPROVAL
    assert "auto-approval is off ([remediation] auto_approve)" in pull.approval_reasons
    assert actions(pull) == EXPECTED
    assert pull.counts["external"] == 2 and pull.counts["mailboxes"] == 9
    assert drain() == 0 and snapshot(memory_org) == before
    assert [e.action for e in AuditEvent.objects.filter(object_type="pulljob")] == [
        "pull.planned", "pull.awaiting_approval"]  # fmt: skip


def test_approve_quarantines_exactly_and_restore_puts_back(
    memory_org: MemoryOrg, incident: Incident
) -> None:
    before = snapshot(memory_org)
    memory_org.configure(batch_size=3)
    pull = service.plan_pull(incident.pk, actor="token:soc")
    service.approve_pull(pull.pk, actor="token:analyst")
    assert Job.objects.filter(kind="pull-quarantine").count() == 3  # 9 mailboxes / 3
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.DONE and pull.approved_by == "token:analyst"
    assert quarantined(memory_org) == {(mb, mid) for _, mb, _, mid in EXPECTED}
    assert pull.counts["moved"] == len(EXPECTED)
    # Executing again moves nothing twice.
    moved = snapshot(memory_org)
    service.execute_pull(pull.pk, actor="token:analyst")
    drain()
    assert snapshot(memory_org) == moved
    pull.refresh_from_db()
    assert pull.state == PullState.DONE and pull.counts["moved"] == len(EXPECTED)
    service.restore_pull(pull.pk, actor="token:analyst")
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.RESTORED and pull.counts["restored"] == len(EXPECTED)
    after = {key: value for key, value in snapshot(memory_org).items() if key[1] != "Quarantine"}
    assert after == before  # same folders, same messages, same flags
    events = [e.action for e in AuditEvent.objects.filter(object_type="pulljob")]
    assert events[:4] == ["pull.planned", "pull.awaiting_approval", "pull.approved",
                          "pull.executing"]  # fmt: skip
    assert events.count("pull.batch_quarantined") == 3 and "pull.done" in events
    assert events[-1] == "pull.restored"


def test_policy_auto_approves_small_external_campaigns(
    memory_org: MemoryOrg, incident: Incident
) -> None:
    memory_org.configure(auto_approve=True, max_mailboxes=20)
    pull = service.plan_pull(incident.pk, actor="system")
    assert pull.state == PullState.RUNNING and pull.auto_approved
    assert pull.approved_by == "system:policy"
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.DONE


@pytest.mark.parametrize(
    ("changes", "category", "blocker"),
    [
        ({"max_mailboxes": 5}, "malicious", "9 mailboxes exceed max_mailboxes 5"),
        ({}, "spam", "category 'spam' is not in ['malicious']"),
        ({"min_confidence": 0.99}, "malicious", "confidence 0.97 is below 0.99"),
    ],
)
def test_policy_refuses(
    memory_org: MemoryOrg, changes: dict[str, object], category: str, blocker: str
) -> None:
    memory_org.configure(auto_approve=True, **changes)
    pull = service.plan_pull(make_incident(category).pk, actor="system")
    assert pull.state == PullState.AWAITING_APPROVAL
    assert blocker in pull.approval_reasons


def test_internal_sender_needs_an_analyst(memory_org: MemoryOrg, incident: Incident) -> None:
    memory_org.configure(auto_approve=True)
    message = incident.messages.get()
    message.analysis["message"]["from"]["address"] = address("judy")
    message.save()
    pull = service.plan_pull(incident.pk, actor="system")
    assert "the sender is internal" in pull.approval_reasons


def test_dry_run_stays_planned_until_approved(memory_org: MemoryOrg, incident: Incident) -> None:
    pull = service.plan_pull(incident.pk, actor="cli:me", dry_run=True)
    assert pull.state == PullState.PLANNED
    service.approve_pull(pull.pk, actor="cli:me")
    with pytest.raises(service.PullError, match="only planned pulls are approved"):
        service.approve_pull(pull.pk, actor="cli:me")


def test_transient_failures_retry_then_fail_visibly(
    memory_org: MemoryOrg, incident: Incident, settings: object
) -> None:
    pull = service.plan_pull(incident.pk, actor="token:soc")
    memory_org.store.transient_failures[address("ivan")] = "server busy"
    service.approve_pull(pull.pk, actor="token:soc")
    for _ in range(4):
        drain()
        Job.objects.filter(state="queued").update(not_before="2000-01-01T00:00:00Z")
    pull.refresh_from_db()
    assert pull.state == PullState.FAILED
    ivan = pull.actions.get(mailbox=address("ivan"))
    assert (ivan.outcome, ivan.attempts, ivan.outcome_reason) == ("failed", 3, "server busy")
    # The cause is fixed: executing again moves only what is left.
    del memory_org.store.transient_failures[address("ivan")]
    service.execute_pull(pull.pk, actor="token:soc")
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.DONE
    assert (address("ivan"), "<fwd-alice@corp.test>") in quarantined(memory_org)


def test_clean_verdict_restores_automatically(memory_org: MemoryOrg, incident: Incident) -> None:
    before = snapshot(memory_org)
    pull = service.plan_pull(incident.pk, actor="token:soc")
    service.approve_pull(pull.pk, actor="token:soc")
    drain()
    set_analyst_verdict(incident.pk, category="clean", actor="token:lead", note="a real invoice")
    pull.refresh_from_db()
    assert pull.state == PullState.RESTORING
    assert pull.restore_reason == "verdict changed to clean by token:lead"
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.RESTORED
    assert quarantined(memory_org) == set()
    after = {key: value for key, value in snapshot(memory_org).items() if key[1] != "Quarantine"}
    assert after == before
    with pytest.raises(service.PullError, match="nothing to restore"):
        service.restore_pull(pull.pk, actor="token:soc")


def test_no_restore_on_clean_when_switched_off(memory_org: MemoryOrg, incident: Incident) -> None:
    memory_org.configure(restore_on_clean=False)
    pull = service.plan_pull(incident.pk, actor="token:soc")
    service.approve_pull(pull.pk, actor="token:soc")
    drain()
    set_analyst_verdict(incident.pk, category="clean", actor="token:lead")
    pull.refresh_from_db()
    assert pull.state == PullState.DONE


def test_unknown_or_merged_incident(memory_org: MemoryOrg, db: None) -> None:
    with pytest.raises(service.PullError, match="no incident #999"):
        service.plan_pull(999, actor="x")
    assert pull_org.PHISH_ID  # the organisation is loaded


def test_a_malicious_verdict_pulls_by_itself_when_the_policy_allows(
    memory_org: MemoryOrg, db: None
) -> None:
    memory_org.configure(auto_approve=True)
    incident = make_incident(category="suspicious", confidence=0.5)
    set_analyst_verdict(incident.pk, category="malicious", subtype="phish", actor="token:soc")
    assert Job.objects.filter(kind="pull-plan").count() == 1
    drain()
    pull = PullJob.objects.get(incident=incident)
    assert pull.state == PullState.DONE and pull.auto_approved
    assert quarantined(memory_org) == {(mb, mid) for _, mb, _, mid in EXPECTED}
    # A second change of verdict does not plan a second pull.
    set_analyst_verdict(incident.pk, category="malicious", subtype="bec", actor="token:soc")
    drain()
    assert PullJob.objects.filter(incident=incident).count() == 1


def test_no_automatic_pull_without_auto_approve(memory_org: MemoryOrg, db: None) -> None:
    incident = make_incident(category="suspicious", confidence=0.5)
    set_analyst_verdict(incident.pk, category="malicious", subtype="phish", actor="token:soc")
    assert not Job.objects.filter(kind="pull-plan").exists()
