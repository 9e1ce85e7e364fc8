"""Job kinds of pulls: one job per batch of mailboxes, run by the embedded worker or,
at scale, by Celery workers through the job table. A job that fails for good (a
permanent error such as a broken `[mailstore]`, or its attempts exhausted) settles its
pull through its kind's failure handler: planning ends `plan_failed`, a batch's copies
not moved end `failed` — never a pull waiting forever."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from phishloop.core.errors import ConfigError
from phishloop.server.audit.service import record
from phishloop.server.jobs.queue import PermanentError, enqueue, register
from phishloop.server.remediation.models import ActionOutcome, PullJob

PLAN = "pull-plan"
SWEEP = "pull-sweep"
FINISH_PLAN = "pull-plan-finish"
QUARANTINE = "pull-quarantine"
RESTORE = "pull-restore"


def batch_key(pull_id: int, run: int, batch: int) -> str:
    """The job key of an execute batch (also its name in `PullJob.pending_batches`)."""
    return f"pull:{pull_id}:run{run}:batch{batch}"


def queue_batches(pull: PullJob, *, restore: bool) -> list[int]:
    """Queue one job per batch holding work (inside the caller's transaction); the
    batches queued."""
    outcome = ActionOutcome.MOVED if restore else ActionOutcome.FOUND
    batches = sorted(set(pull.actions.filter(outcome=outcome).values_list("batch", flat=True)))
    for batch in batches:
        if restore:
            key = f"pull:{pull.pk}:restore{pull.restore_run}:batch{batch}"
            payload = {"pull_id": pull.pk, "batch": batch, "restore_run": pull.restore_run}
        else:
            key = batch_key(pull.pk, pull.run, batch)
            payload = {"pull_id": pull.pk, "batch": batch, "run": pull.run}
        enqueue(RESTORE if restore else QUARANTINE, key, payload)
    return batches


@contextmanager
def _permanent() -> Iterator[None]:
    """A broken configuration or a refused request will not heal by retrying."""
    from phishloop.server.remediation.planning import PullError  # noqa: PLC0415

    try:
        yield
    except (ConfigError, PullError) as exc:
        raise PermanentError(str(exc)) from exc


def _plan_failed(payload: dict[str, Any], reason: str) -> None:
    from phishloop.server.remediation.planning import plan_failed  # noqa: PLC0415

    plan_failed(int(payload["pull_id"]), reason)


def _auto_plan_failed(payload: dict[str, Any], reason: str) -> None:
    record("pull.auto_plan_failed", ("incident", payload.get("incident_id")), reason=reason[:500])


def _optional(payload: dict[str, Any], key: str) -> int | None:
    value = payload.get(key)  # absent in jobs queued before it was added
    return None if value is None else int(value)


@register(PLAN, queue="remediation", on_failure=_auto_plan_failed)
def plan_step(payload: dict[str, Any]) -> None:
    """A verdict asked for a pull: plan it; the policy approves it or an analyst will."""
    from phishloop.server.remediation.planning import live_pulls, start_plan  # noqa: PLC0415

    incident_id = int(payload["incident_id"])
    if live_pulls(incident_id).exists():
        return  # planned meanwhile (by an analyst, or an earlier delivery of this job)
    with _permanent():
        start_plan(incident_id, actor="system:policy")


@register(SWEEP, queue="remediation", on_failure=_plan_failed)
def sweep_step(payload: dict[str, Any]) -> None:
    from phishloop.server.remediation.planning import sweep_chunk  # noqa: PLC0415

    with _permanent():
        sweep_chunk(int(payload["pull_id"]), int(payload["chunk"]))


@register(FINISH_PLAN, queue="remediation", on_failure=_plan_failed)
def finish_plan_step(payload: dict[str, Any]) -> None:
    from phishloop.server.remediation.planning import finish_plan  # noqa: PLC0415

    with _permanent():
        finish_plan(int(payload["pull_id"]))


def _batch_failed(name: str) -> Callable[[dict[str, Any], str], None]:
    def failed(payload: dict[str, Any], reason: str) -> None:
        from phishloop.server.remediation import execution  # noqa: PLC0415

        handler = execution.quarantine_failed if name == "run" else execution.restore_failed
        handler(int(payload["pull_id"]), int(payload["batch"]), _optional(payload, name), reason)

    return failed


@register(QUARANTINE, queue="remediation", on_failure=_batch_failed("run"))
def quarantine_step(payload: dict[str, Any]) -> None:
    from phishloop.server.remediation.execution import quarantine_batch  # noqa: PLC0415

    with _permanent():
        quarantine_batch(int(payload["pull_id"]), int(payload["batch"]), _optional(payload, "run"))


@register(RESTORE, queue="remediation", on_failure=_batch_failed("restore_run"))
def restore_step(payload: dict[str, Any]) -> None:
    from phishloop.server.remediation.execution import restore_batch  # noqa: PLC0415

    with _permanent():
        restore_batch(int(payload["pull_id"]), int(payload["batch"]))
