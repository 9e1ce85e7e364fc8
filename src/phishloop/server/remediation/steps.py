"""Job kinds of pulls: one job per batch of mailboxes, run by the embedded worker or,
at scale, by Celery workers through the job table."""

from __future__ import annotations

from typing import Any

from phishloop.server.jobs.queue import enqueue, register
from phishloop.server.remediation.models import ActionOutcome, PullJob

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


@register(QUARANTINE, queue="remediation")
def quarantine_step(payload: dict[str, Any]) -> None:
    from phishloop.server.remediation.execution import quarantine_batch  # noqa: PLC0415

    quarantine_batch(int(payload["pull_id"]), int(payload["batch"]))


@register(RESTORE, queue="remediation")
def restore_step(payload: dict[str, Any]) -> None:
    from phishloop.server.remediation.execution import restore_batch  # noqa: PLC0415

    restore_batch(int(payload["pull_id"]), int(payload["batch"]))
