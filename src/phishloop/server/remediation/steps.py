"""Job kinds of pulls: one job per batch of mailboxes, run by the embedded worker or,
at scale, by Celery workers through the job table."""

from __future__ import annotations

from typing import Any

from phishloop.server.jobs.queue import enqueue, register
from phishloop.server.remediation.models import ActionOutcome, PullJob

PLAN = "pull-plan"
SWEEP = "pull-sweep"
FINISH_PLAN = "pull-plan-finish"
QUARANTINE = "pull-quarantine"
RESTORE = "pull-restore"


def queue_batches(pull: PullJob, *, restore: bool) -> int:
    """Queue one job per batch holding work (inside the caller's transaction)."""
    outcome = ActionOutcome.MOVED if restore else ActionOutcome.FOUND
    batches = sorted(set(pull.actions.filter(outcome=outcome).values_list("batch", flat=True)))
    for batch in batches:
        if restore:
            key = f"pull:{pull.pk}:restore{pull.restore_run}:batch{batch}"
        else:
            key = f"pull:{pull.pk}:run{pull.run}:batch{batch}"
        enqueue(RESTORE if restore else QUARANTINE, key, {"pull_id": pull.pk, "batch": batch})
    return len(batches)


@register(PLAN, queue="remediation")
def plan_step(payload: dict[str, Any]) -> None:
    """A verdict asked for a pull: plan it; the policy approves it or an analyst will."""
    from phishloop.server.jobs.queue import PermanentError  # noqa: PLC0415
    from phishloop.server.remediation.models import PullState  # noqa: PLC0415
    from phishloop.server.remediation.planning import PullError, start_plan  # noqa: PLC0415

    incident_id = int(payload["incident_id"])
    if PullJob.objects.filter(incident_id=incident_id).exclude(state=PullState.RESTORED).exists():
        return  # planned meanwhile (by an analyst, or an earlier delivery of this job)
    try:
        start_plan(incident_id, actor="system:policy")
    except PullError as exc:
        raise PermanentError(str(exc)) from exc


@register(SWEEP, queue="remediation")
def sweep_step(payload: dict[str, Any]) -> None:
    from phishloop.server.remediation.planning import sweep_chunk  # noqa: PLC0415

    sweep_chunk(int(payload["pull_id"]), int(payload["chunk"]))


@register(FINISH_PLAN, queue="remediation")
def finish_plan_step(payload: dict[str, Any]) -> None:
    from phishloop.server.remediation.planning import finish_plan  # noqa: PLC0415

    finish_plan(int(payload["pull_id"]))


@register(QUARANTINE, queue="remediation")
def quarantine_step(payload: dict[str, Any]) -> None:
    from phishloop.server.remediation.execution import quarantine_batch  # noqa: PLC0415

    quarantine_batch(int(payload["pull_id"]), int(payload["batch"]))


@register(RESTORE, queue="remediation")
def restore_step(payload: dict[str, Any]) -> None:
    from phishloop.server.remediation.execution import restore_batch  # noqa: PLC0415

    restore_batch(int(payload["pull_id"]), int(payload["batch"]))
