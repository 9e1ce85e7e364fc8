"""Pulls: plan (a dry run, always first), approve (by an analyst or by the policy),
execute in batches of mailboxes, restore. Every step is audited.

The plan is made outside any transaction (it searches mail stores, which takes time);
each state change is one short transaction that also queues the jobs it needs.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from phishloop.connectors.directory import DirectoryError
from phishloop.core.errors import ConfigError
from phishloop.remediation import Plan, Planner, Seed, auto_approval
from phishloop.remediation.seeds import seed_from_dict
from phishloop.server.audit.service import record
from phishloop.server.incidents.models import Category, Incident, IncidentState
from phishloop.server.remediation import connect
from phishloop.server.remediation.actions import actions_from_plan, refresh_counts
from phishloop.server.remediation.execution import settle
from phishloop.server.remediation.models import ActionOutcome, PullJob, PullState
from phishloop.server.remediation.steps import queue_batches

APPROVABLE = (PullState.PLANNED, PullState.AWAITING_APPROVAL)
RESTORABLE = (PullState.APPROVED, PullState.RUNNING, PullState.DONE, PullState.FAILED)
POLICY_ACTOR = "system:policy"


class PullError(ValueError):
    """The request cannot be applied (wrong state, unknown incident, no mail store…)."""


def plan_pull(incident_id: int, *, actor: str, dry_run: bool = False) -> PullJob:
    """Plan a pull of the incident's copies. With `dry_run` it stays `planned`; otherwise
    the policy either approves it (it runs) or it waits for an analyst."""
    incident = _incident(incident_id)
    seeds = _seeds(incident)
    plan, internal_sender = _make_plan(seeds)
    with transaction.atomic():
        pull = PullJob.objects.create(incident=incident, plan=_summary(plan), created_by=actor)
        actions_from_plan(pull, plan, connect.settings().batch_size)
        refresh_counts(pull)
        record("pull.planned", pull, actor=actor, incident=incident.pk, dry_run=dry_run,
               counts=pull.counts)  # fmt: skip
        if not dry_run:
            _apply_policy(pull, incident, plan, internal_sender)
    return pull


def approve_pull(pull_id: int, *, actor: str) -> PullJob:
    """An analyst approves a planned pull: its batches are queued at once."""
    with transaction.atomic():
        pull = _locked(pull_id)
        if pull.state not in APPROVABLE:
            raise PullError(f"pull #{pull.pk} is {pull.state}; only planned pulls are approved")
        if pull.incident.category == Category.CLEAN:
            raise PullError(f"incident #{pull.incident_id} is clean now; plan again if needed")
        _approve(pull, actor, auto=False, reasons=[])
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
        pull.finished_at = None
        pull.save()
        batches = queue_batches(pull, restore=False)
        record("pull.executing", pull, actor=actor, run=pull.run, batches=batches)
        if not batches:  # nothing left to move (a second run): finish at once
            settle(pull.pk)
            pull.refresh_from_db()
    return pull


def restore_pull(pull_id: int, *, actor: str, reason: str = "") -> PullJob:
    """Put every quarantined copy back where it was (batches queued at once)."""
    with transaction.atomic():
        pull = _locked(pull_id)
        if pull.state not in RESTORABLE and pull.state != PullState.RESTORING:
            raise PullError(f"pull #{pull.pk} is {pull.state}; nothing to restore")
        request_restore(pull, actor=actor, reason=reason)
    return pull


def request_restore(pull: PullJob, *, actor: str, reason: str) -> None:
    """Inside a transaction: mark the pull restoring and queue its restore batches."""
    pull.state = PullState.RESTORING
    pull.restore_run += 1
    pull.restore_reason = reason[:500]
    pull.save()
    batches = queue_batches(pull, restore=True)
    record("pull.restoring", pull, actor=actor, reason=reason, batches=batches)
    if not batches:
        pull.state, pull.restored_at = PullState.RESTORED, timezone.now()
        pull.save()
        record("pull.restored", pull, actor=actor, counts=refresh_counts(pull))


# -- helpers -------------------------------------------------------------------------------
def _incident(incident_id: int) -> Incident:
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        raise PullError(f"no incident #{incident_id}")
    if incident.state == IncidentState.MERGED:
        raise PullError(f"incident #{incident_id} was merged into #{incident.merged_into_id}")
    return incident


def _seeds(incident: Incident) -> list[Seed]:
    seeds = []
    for message in incident.messages.order_by("id"):
        seed = seed_from_dict(message.analysis if isinstance(message.analysis, dict) else {})
        if not seed.message_id and message.message_id:
            seed = Seed(message.message_id, seed.sender, seed.subject, seed.date,
                        seed.recipients, seed.fingerprint)  # fmt: skip
        if seed.message_id or (seed.sender and seed.subject):
            seeds.append(seed)
    if not seeds:
        raise PullError(f"incident #{incident.pk} has no message with a Message-ID or sender")
    return seeds


def _make_plan(seeds: list[Seed]) -> tuple[Plan, bool]:
    """The plan, and whether a seed's sender is internal (for the policy)."""
    try:
        settings = connect.settings()
        store = connect.open_store()
        directory = connect.open_directory()
    except ConfigError as exc:
        raise PullError(str(exc)) from exc
    options = settings.plan_options(connect.protected_addresses())
    try:
        plan = Planner(store, directory, connect.fingerprints, options).plan(seeds)
    finally:
        store.close()
    try:
        internal = any(seed.sender and directory.is_internal(seed.sender) for seed in seeds)
    except DirectoryError:
        internal = True  # unknown: an analyst decides
    return plan, internal


def _summary(plan: Plan) -> dict[str, object]:
    """The plan without its copies and external recipients: those are the actions."""
    summary = plan.to_dict()
    del summary["entries"], summary["external"]
    return summary


def _apply_policy(pull: PullJob, incident: Incident, plan: Plan, internal_sender: bool) -> None:
    decision = auto_approval(
        connect.settings(),
        category=incident.category,
        confidence=incident.confidence,
        mailboxes=len(plan.mailboxes),
        internal_sender=internal_sender,
        errors=len(plan.errors),
    )
    if decision.approved:
        _approve(pull, POLICY_ACTOR, auto=True, reasons=list(decision.reasons))
        return
    pull.state = PullState.AWAITING_APPROVAL
    pull.approval_reasons = list(decision.reasons)
    pull.save()
    record("pull.awaiting_approval", pull, reasons=list(decision.reasons))


def _approve(pull: PullJob, actor: str, *, auto: bool, reasons: list[str]) -> None:
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
