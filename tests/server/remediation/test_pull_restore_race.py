"""A restore asked for while execute batches are queued or moving is exact: batches not
started move nothing, and what a running batch moves after the request is restored too.
The interleavings are driven by hand (a store that asks for the restore in the middle of
a move), so nothing depends on timing."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.server.remediation.conftest import MemoryOrg
from tests.server.remediation.test_pull_service import quarantined, snapshot

from phishloop.connectors.mailstore import MemoryMailStore
from phishloop.connectors.mailstore.base import MessageRef, MoveResult
from phishloop.server.incidents.models import Incident
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.jobs.queue import drain, run_one
from phishloop.server.remediation import connect, service
from phishloop.server.remediation.models import ActionOutcome, PullJob, PullState

pytestmark = pytest.mark.django_db


class InterruptedStore(MemoryMailStore):
    """The organisation's store that runs `interrupt` once, in the middle of the move of
    the batch holding `mailbox`: after the batch job checked the pull, before its results
    are recorded."""

    def __init__(self, store: MemoryMailStore, mailbox: str, interrupt: Callable[[], None]):
        self.__dict__.update(store.__dict__)
        self.mailbox, self.interrupt = mailbox, interrupt
        self.interrupted = False

    def quarantine(self, refs: Sequence[MessageRef]) -> list[MoveResult]:
        if not self.interrupted and any(ref.mailbox == self.mailbox for ref in refs):
            self.interrupted = True
            self.interrupt()
        return super().quarantine(refs)


def approved(org: MemoryOrg, incident: Incident) -> PullJob:
    org.configure(batch_size=3)  # 9 mailboxes: batches 0, 1, 2
    pull = service.plan_pull(incident.pk, actor="token:soc")
    service.approve_pull(pull.pk, actor="token:soc")
    pull.refresh_from_db()
    assert len(pull.pending_batches) == 3
    return pull


def batch_job(pull: PullJob, batch: int) -> int:
    return Job.objects.get(key=f"pull:{pull.pk}:run{pull.run}:batch{batch}").pk


def mailbox_of(pull: PullJob, batch: int) -> str:
    return str(pull.actions.filter(batch=batch).exclude(kind="external")[0].mailbox)


def restore(pull: PullJob) -> Callable[[], None]:
    return lambda: service.restore_pull(pull.pk, actor="token:soc", reason="clean after all")


def test_a_restore_during_the_first_batch_restores_what_it_moved_and_moves_nothing_more(
    memory_org: MemoryOrg, incident: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(memory_org)
    pull = approved(memory_org, incident)
    store = InterruptedStore(memory_org.store, mailbox_of(pull, 0), restore(pull))
    monkeypatch.setattr(connect, "open_store", lambda: store)
    assert run_one(batch_job(pull, 0)) is not None  # the restore comes mid-move
    pull.refresh_from_db()
    # Batch 0's copies moved after the request; batches 1 and 2 still pending: no
    # restore batch yet (one queued now could run before batch 0's copies are moved).
    assert pull.state == PullState.RESTORING and store.interrupted
    assert pull.actions.filter(outcome=ActionOutcome.MOVED, batch=0).exists()
    assert not Job.objects.filter(kind="pull-restore").exists()
    assert len(pull.pending_batches) == 2
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.RESTORED and pull.pending_batches == []
    assert quarantined(memory_org) == set()
    after = {key: value for key, value in snapshot(memory_org).items() if key[1] != "Quarantine"}
    assert after == before
    outcomes = dict(pull.actions.exclude(kind="external").values_list("batch", "outcome"))
    assert outcomes[0] == ActionOutcome.RESTORED
    assert outcomes[1] == outcomes[2] == ActionOutcome.FOUND  # never moved


def test_a_restore_during_the_last_batch_waits_for_it(
    memory_org: MemoryOrg, incident: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(memory_org)
    pull = approved(memory_org, incident)
    for batch in (0, 1):
        assert run_one(batch_job(pull, batch)) is not None
    store = InterruptedStore(memory_org.store, mailbox_of(pull, 2), restore(pull))
    monkeypatch.setattr(connect, "open_store", lambda: store)
    assert PullJob.objects.get(pk=pull.pk).state == PullState.RUNNING
    drain()
    pull.refresh_from_db()
    assert store.interrupted and pull.state == PullState.RESTORED
    assert pull.counts["restored"] == pull.counts["messages"]
    assert quarantined(memory_org) == set()
    after = {key: value for key, value in snapshot(memory_org).items() if key[1] != "Quarantine"}
    assert after == before


def test_a_restore_does_not_wait_out_a_batch_retry(
    memory_org: MemoryOrg, incident: Incident
) -> None:
    pull = approved(memory_org, incident)
    busy = mailbox_of(pull, 1)
    memory_org.store.transient_failures[busy] = "server busy"
    drain()  # batch 1 is left waiting for its retry, minutes away
    pull.refresh_from_db()
    waiting = Job.objects.get(pk=batch_job(pull, 1))
    assert pull.state == PullState.RUNNING and waiting.state == JobState.QUEUED
    service.restore_pull(pull.pk, actor="token:soc")
    drain()  # the retry is due at once: it sees the restore and finishes
    pull.refresh_from_db()
    del memory_org.store.transient_failures[busy]
    assert pull.state == PullState.RESTORED and quarantined(memory_org) == set()
    assert pull.actions.filter(mailbox=busy, outcome=ActionOutcome.FOUND).exists()
