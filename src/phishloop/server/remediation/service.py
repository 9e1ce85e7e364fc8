"""Pulls: plan (a dry run, always first: `planning`), approve (by an analyst or by the
policy), execute in batches of mailboxes, restore. Every step is audited; each state
change is one short transaction that also queues the jobs it needs.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from phishloop.server.audit.service import record
from phishloop.server.incidents.models import Category
from phishloop.server.jobs.queue import run_soon
from phishloop.server.remediation.actions import refresh_counts
from phishloop.server.remediation.execution import settle
from phishloop.server.remediation.models import ActionOutcome, PullJob, PullState
from phishloop.server.remediation.planning import (
    APPROVABLE,
    ENDED,
    PullError,
    plan_pull,
    start_plan,
)
from phishloop.server.remediation.steps import batch_key, queue_batches

__all__ = [
    "APPROVABLE", "ENDED", "RESTORABLE", "PullError", "approve_pull", "execute_pull", "plan_pull",
    "request_restore", "restore_pull", "retry_pull", "start_plan",
]  # fmt: skip
RESTORABLE = (PullState.APPROVED, PullState.RUNNING, PullState.DONE, PullState.FAILED)


def approve_pull(pull_id: int, *, actor: str) -> PullJob:
    """An analyst approves a planned pull: its batches are queued at once."""
    with transaction.atomic():
        pull = _locked(pull_id)
        if pull.state not in APPROVABLE:
            raise PullError(f"pull #{pull.pk} is {pull.state}; only planned pulls are approved")
        if pull.incident.category == Category.CLEAN:
            raise PullError(f"incident #{pull.incident_id} is clean now; plan again if needed")
        approve(pull, actor, auto=False, reasons=[])
    return pull


def execute_pull(pull_id: int, *, actor: str) -> PullJob:
    """Run an approved pull (again): queues a batch job for every batch with copies not yet
    moved. Copies already in quarantine are never moved twice."""
    with transaction.atomic():
        pull = _locked(pull_id)
        if pull.state not in (PullState.APPROVED, PullState.RUNNING, PullState.DONE,
                              PullState.FAILED):  # fmt: skip
            raise PullError(f"pull #{pull.pk} is {pull.state}; approve it first")
        pull.actions.filter(outcome=ActionOutcome.FAILED).update(outcome=ActionOutcome.FOUND)
        pull.run += 1
        pull.state = PullState.RUNNING
        pull.finished_at, pull.error = None, ""
        batches = queue_batches(pull, restore=False)
        pull.pending_batches = [*pull.pending_batches,
                                *(batch_key(pull.pk, pull.run, b) for b in batches)]  # fmt: skip
        pull.save()
        record("pull.executing", pull, actor=actor, run=pull.run, batches=len(batches))
        if not batches:  # nothing left to move (a second run): finish at once
            settle(pull.pk)
            pull.refresh_from_db()
    return pull


def retry_pull(pull_id: int, *, actor: str) -> PullJob:
    """An analyst runs a failed pull again (the cause fixed): its failed copies are queued
    once more. Refused once a restore was asked for: the copies belong back, not away."""
    with transaction.atomic():
        pull = _locked(pull_id)
        if pull.state != PullState.FAILED:
            raise PullError(f"pull #{pull.pk} is {pull.state}; only failed pulls are retried")
        if pull.restore_run:
            raise PullError(f"pull #{pull.pk} was restored; restore it again to retry the "
                            "copies left in quarantine")  # fmt: skip
        if not pull.actions.filter(outcome=ActionOutcome.FAILED).exists():
            raise PullError(f"pull #{pull.pk} has no failed copy to move")
    return execute_pull(pull_id, actor=actor)


def restore_pull(pull_id: int, *, actor: str, reason: str = "") -> PullJob:
    """Put every quarantined copy back where it was (batches queued at once)."""
    with transaction.atomic():
        pull = _locked(pull_id)
        if pull.state not in RESTORABLE and pull.state != PullState.RESTORING:
            raise PullError(f"pull #{pull.pk} is {pull.state}; nothing to restore")
        request_restore(pull, actor=actor, reason=reason)
    return pull


def request_restore(pull: PullJob, *, actor: str, reason: str) -> None:
    """Inside a transaction, with the pull locked: mark it restoring and queue its restore
    batches — or, while execute batches are still running, leave that to the last of them
    (`execution._batch_through`), so copies they move meanwhile are restored too. Batches
    not started yet see `restoring` and move nothing."""
    pull.state = PullState.RESTORING
    pull.restore_run += 1
    pull.restore_reason = reason[:500]
    pull.save()
    # A new restore tries again the copies an earlier one gave up on.
    pull.actions.filter(outcome=ActionOutcome.MOVED).update(attempts=0)
    if pull.pending_batches:
        # Batches waiting for a retry run now: they only need to see `restoring`.
        run_soon(list(pull.pending_batches))
        record("pull.restoring", pull, actor=actor, reason=reason, batches=0,
               waiting_for=list(pull.pending_batches))  # fmt: skip
        return
    batches = queue_batches(pull, restore=True)
    record("pull.restoring", pull, actor=actor, reason=reason, batches=len(batches))
    if not batches:
        pull.state, pull.restored_at = PullState.RESTORED, timezone.now()
        pull.save()
        record("pull.restored", pull, actor=actor, counts=refresh_counts(pull))


# -- helpers -------------------------------------------------------------------------------
def approve(pull: PullJob, actor: str, *, auto: bool, reasons: list[str]) -> None:
    """Inside a transaction, with the pull locked: approve it and queue its batches."""
    pull.state = PullState.APPROVED
    pull.approved_by, pull.approved_at = actor, timezone.now()
    pull.auto_approved = auto
    pull.approval_reasons = reasons
    pull.save()
    record("pull.approved", pull, actor=actor, auto=auto, reasons=reasons)
    execute_pull(pull.pk, actor=actor)
    pull.refresh_from_db()


def _locked(pull_id: int) -> PullJob:
    pull = PullJob.objects.select_for_update().select_related("incident").filter(pk=pull_id)
    found = pull.first()
    if found is None:
        raise PullError(f"no pull #{pull_id}")
    return found
