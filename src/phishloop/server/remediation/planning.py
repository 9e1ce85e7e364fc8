"""Planning a pull: at once (`plan_pull`: the CLI, small organisations) or fanned out
(`start_plan`: the API and automatic pulls), where the every-mailbox sweep runs as jobs
of `plan_chunk_size` mailboxes on any number of workers and a last job makes the plan
from their results. Either way the plan is recorded, audited and put to the policy in
one transaction; searching mail stores happens outside transactions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from phishloop.connectors.directory import Directory, DirectoryError
from phishloop.connectors.mailstore.base import MailStore
from phishloop.core.errors import ConfigError
from phishloop.remediation import Plan, Planner, RemediationSettings, Seed, auto_approval
from phishloop.remediation.prefetch import (
    PrefetchedStore,
    query_from_json,
    query_to_json,
    results_from_json,
    results_to_json,
    run_chunk,
)
from phishloop.remediation.seeds import seed_from_dict
from phishloop.server.audit.service import record
from phishloop.server.incidents.models import Incident, IncidentState
from phishloop.server.jobs.queue import enqueue
from phishloop.server.remediation import connect
from phishloop.server.remediation.actions import actions_from_plan, refresh_counts
from phishloop.server.remediation.models import PullJob, PullState, PullSweep
from phishloop.server.remediation.steps import FINISH_PLAN, SWEEP

APPROVABLE = (PullState.PLANNED, PullState.AWAITING_APPROVAL)
ENDED = (PullState.RESTORED, PullState.PLAN_FAILED)  # no longer stand for the incident
POLICY_ACTOR = "system:policy"


class PullError(ValueError):
    """The request cannot be applied (wrong state, unknown incident, no mail store…)."""


@dataclass
class Connections:
    settings: RemediationSettings
    store: MailStore
    directory: Directory

    def planner(self, store: MailStore | None = None) -> Planner:
        options = self.settings.plan_options(connect.protected_addresses())
        return Planner(store or self.store, self.directory, connect.fingerprints, options)


def plan_pull(incident_id: int, *, actor: str, dry_run: bool = False) -> PullJob:
    """Plan a pull of the incident's copies here and now. With `dry_run` it stays
    `planned`; otherwise the policy approves it (it runs) or it waits for an analyst."""
    incident = _incident(incident_id)
    seeds = _seeds(incident)
    with _connected() as connections:
        plan = connections.planner().plan(seeds)
        internal = _internal(connections.directory, seeds)
    with transaction.atomic():
        pull = PullJob.objects.create(incident=incident, state=PullState.PLANNING,
                                      created_by=actor, dry_run=dry_run)  # fmt: skip
        return _record(pull, plan, internal)


def start_plan(incident_id: int, *, actor: str, dry_run: bool = False) -> PullJob:
    """Plan a pull with workers: the pull is `planning` until its sweep jobs are through."""
    incident = _incident(incident_id)
    seeds = _seeds(incident)
    with _connected() as connections:
        sweep = connections.planner().sweep(seeds)
        size = connections.settings.plan_chunk_size
    chunks = (len(sweep.universe) + size - 1) // size
    with transaction.atomic():
        pull = PullJob.objects.create(
            incident=incident, state=PullState.PLANNING, created_by=actor, dry_run=dry_run,
            plan={"sweep": {"universe": sweep.universe, "chunk_size": size, "chunks": chunks,
                            "queries": [query_to_json(q) for q in sweep.queries]}},
        )  # fmt: skip
        record("pull.planning", pull, actor=actor, incident=incident.pk, dry_run=dry_run,
               mailboxes=len(sweep.universe), chunks=chunks)  # fmt: skip
        for chunk in range(chunks):
            enqueue(SWEEP, f"pull:{pull.pk}:sweep{chunk}", {"pull_id": pull.pk, "chunk": chunk})
        if not chunks:
            enqueue(FINISH_PLAN, f"pull:{pull.pk}:plan", {"pull_id": pull.pk})
    return pull


def sweep_chunk(pull_id: int, chunk: int) -> None:
    """One sweep job: search its share of the mailboxes; the last one queues the plan."""
    pull = PullJob.objects.get(pk=pull_id)
    if pull.state != PullState.PLANNING:
        return
    sweep = pull.plan["sweep"]
    size = int(sweep["chunk_size"])
    mailboxes = sweep["universe"][chunk * size : (chunk + 1) * size]
    queries = [query_from_json(q) for q in sweep["queries"]]
    with _connected() as connections:
        results = results_to_json(run_chunk(connections.store, mailboxes, queries))
    with transaction.atomic():
        PullJob.objects.select_for_update().get(pk=pull_id)  # one chunk counts at a time
        PullSweep.objects.update_or_create(pull_id=pull_id, chunk=chunk,
                                           defaults={"results": results})  # fmt: skip
        if PullSweep.objects.filter(pull_id=pull_id).count() >= int(sweep["chunks"]):
            enqueue(FINISH_PLAN, f"pull:{pull_id}:plan", {"pull_id": pull_id})


def finish_plan(pull_id: int) -> None:
    """The last planning job: make the plan from the sweep results, record it."""
    pull = PullJob.objects.select_related("incident").get(pk=pull_id)
    if pull.state != PullState.PLANNING:
        return
    results = results_from_json(row.results for row in pull.sweeps.order_by("chunk"))
    seeds = _seeds(pull.incident)
    with _connected() as connections:
        store = PrefetchedStore(connections.store, results)
        plan = connections.planner(store).plan(seeds)
        internal = _internal(connections.directory, seeds)
    with transaction.atomic():
        locked = PullJob.objects.select_for_update().get(pk=pull_id)
        if locked.state == PullState.PLANNING:
            _record(locked, plan, internal)
            locked.sweeps.all().delete()


def plan_failed(pull_id: int, reason: str) -> None:
    """A planning job failed for good (inside its transaction): the pull ends
    `plan_failed` with the reason, audited; the incident can be planned again."""
    pull = PullJob.objects.select_for_update().filter(pk=pull_id).first()
    if pull is None or pull.state != PullState.PLANNING:
        return
    pull.state, pull.error = PullState.PLAN_FAILED, reason[:4000]
    pull.finished_at = timezone.now()
    pull.save()
    pull.sweeps.all().delete()
    record("pull.plan_failed", pull, incident=pull.incident_id, reason=reason[:500])


def live_pulls(incident_id: int) -> QuerySet[PullJob]:
    """The incident's pulls that still stand for it (an automatic pull is not planned
    again while one exists); restored pulls and failed plans do not."""
    return PullJob.objects.filter(incident_id=incident_id).exclude(state__in=ENDED)


# -- helpers -------------------------------------------------------------------------------
def _record(pull: PullJob, plan: Plan, internal_sender: bool) -> PullJob:
    """Inside a transaction: store the plan and its actions, audit, apply the policy."""
    pull.plan = _summary(plan)
    pull.state = PullState.PLANNED
    pull.save()
    actions_from_plan(pull, plan, connect.settings().batch_size)
    refresh_counts(pull)
    record("pull.planned", pull, actor=pull.created_by, incident=pull.incident_id,
           dry_run=pull.dry_run, counts=pull.counts)  # fmt: skip
    if not pull.dry_run:
        _apply_policy(pull, plan, internal_sender)
    return pull


def _apply_policy(pull: PullJob, plan: Plan, internal_sender: bool) -> None:
    from phishloop.server.remediation.service import approve  # noqa: PLC0415 - cycle

    incident = pull.incident
    decision = auto_approval(
        connect.settings(), category=incident.category, confidence=incident.confidence,
        mailboxes=len(plan.mailboxes), internal_sender=internal_sender,
        errors=len(plan.errors),
    )  # fmt: skip
    if decision.approved:
        approve(pull, POLICY_ACTOR, auto=True, reasons=list(decision.reasons))
        return
    pull.state = PullState.AWAITING_APPROVAL
    pull.approval_reasons = list(decision.reasons)
    pull.save()
    record("pull.awaiting_approval", pull, reasons=list(decision.reasons))


@contextmanager
def _connected() -> Iterator[Connections]:
    try:
        connections = Connections(connect.settings(), connect.open_store(),
                                  connect.open_directory())  # fmt: skip
    except ConfigError as exc:
        raise PullError(str(exc)) from exc
    try:
        yield connections
    finally:
        connections.store.close()


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


def _internal(directory: Directory, seeds: list[Seed]) -> bool:
    try:
        return any(seed.sender and directory.is_internal(seed.sender) for seed in seeds)
    except DirectoryError:
        return True  # unknown: an analyst decides


def _summary(plan: Plan) -> dict[str, object]:
    """The plan without its copies and external recipients: those are the actions."""
    summary = plan.to_dict()
    del summary["entries"], summary["external"]
    return summary
