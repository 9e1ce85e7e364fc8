"""Running one batch of a pull against the mail store, and settling the pull when its
last batch is through. Transient failures are retried (the job retries with back-off) up
to `MAX_ATTEMPTS` per copy; then the copy is marked failed with the reason. A batch job
that fails for good fails its copies not moved yet (`quarantine_failed`,
`restore_failed`), so a pull never waits for a job that will not run again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from phishloop.connectors.mailstore.base import Moved, MoveResult, Outcome
from phishloop.server.audit.service import record
from phishloop.server.remediation import connect
from phishloop.server.remediation.actions import refresh_counts
from phishloop.server.remediation.models import ActionOutcome, PullAction, PullJob, PullState
from phishloop.server.remediation.steps import batch_key, queue_batches

MAX_ATTEMPTS = 3
_FIELDS = ("outcome", "outcome_reason", "attempts", "quarantined")


class TransientPullError(Exception):
    """Some copies hit a transient error: the job runs again later for them."""


def quarantine_batch(pull_id: int, batch: int, run: int | None = None) -> None:
    """Move the batch's copies to quarantine, unless the pull stopped running (a restore
    was asked for). Its results and its leaving `pending_batches` commit together, under
    the pull's row lock: a restore waiting for the batch then sees every copy it moved."""
    pull = PullJob.objects.get(pk=pull_id)
    token = batch_key(pull_id, pull.run if run is None else run, batch)
    actions: list[PullAction] = []
    if pull.state == PullState.RUNNING:
        actions = list(pull.actions.filter(batch=batch, outcome=ActionOutcome.FOUND))
    results: Sequence[MoveResult] = []
    if actions:
        store = connect.open_store()
        try:
            results = store.quarantine([action.ref for action in actions])
        finally:
            store.close()
    with transaction.atomic():
        locked = PullJob.objects.select_for_update().get(pk=pull_id)
        retry = _apply(locked, batch, actions, results, restore=False)
        if locked.state != PullState.RUNNING:
            retry = 0  # a restore is waiting: what is left stays where it is
        if not retry:
            _batch_through(locked, token)
        settle_locked(locked)
    if retry:
        raise TransientPullError(f"{retry} copies of batch {batch} hit a transient error")


def restore_batch(pull_id: int, batch: int) -> None:
    pull = PullJob.objects.get(pk=pull_id)
    if pull.state != PullState.RESTORING:
        return
    actions = [
        a
        for a in pull.actions.filter(batch=batch, outcome=ActionOutcome.MOVED)
        if a.attempts < MAX_ATTEMPTS
    ]
    results: Sequence[MoveResult] = []
    if actions:
        moves = [Moved(a.ref, a.quarantined_ref or a.ref) for a in actions]
        store = connect.open_store()
        try:
            results = store.restore(moves)
        finally:
            store.close()
    with transaction.atomic():
        locked = PullJob.objects.select_for_update().get(pk=pull_id)
        retry = _apply(locked, batch, actions, results, restore=True)
        settle_locked(locked)
    if retry:
        raise TransientPullError(f"{retry} copies of batch {batch} hit a transient error")


def quarantine_failed(pull_id: int, batch: int, run: int | None, reason: str) -> None:
    """An execute batch job failed for good: its copies not moved yet are `failed` with
    the reason, and the pull settles instead of waiting for it."""
    pull = PullJob.objects.select_for_update().filter(pk=pull_id).first()
    if pull is None:
        return
    run = pull.run if run is None else run
    failed = 0
    if run == pull.run:  # an older run's job must not fail the copies of this one
        failed = pull.actions.filter(batch=batch, outcome=ActionOutcome.FOUND).update(
            outcome=ActionOutcome.FAILED, outcome_reason=f"batch job failed: {reason}"[:4000]
        )
    _failed(pull, f"batch {batch}: {reason}", batch=batch, copies=failed)
    _batch_through(pull, batch_key(pull_id, run, batch))
    settle_locked(pull)


def restore_failed(pull_id: int, batch: int, restore_run: int | None, reason: str) -> None:
    """A restore batch job failed for good: its copies stay in quarantine (`moved`, with
    the reason) and the pull settles as `failed`; restoring again retries them."""
    pull = PullJob.objects.select_for_update().filter(pk=pull_id).first()
    if pull is None or pull.state != PullState.RESTORING:
        return
    if restore_run is not None and restore_run != pull.restore_run:
        return
    left = pull.actions.filter(batch=batch, outcome=ActionOutcome.MOVED,
                               attempts__lt=MAX_ATTEMPTS)  # fmt: skip
    failed = left.update(attempts=MAX_ATTEMPTS,
                         outcome_reason=f"restore failed: {reason}"[:4000])  # fmt: skip
    _failed(pull, f"restore batch {batch}: {reason}", batch=batch, copies=failed)
    settle_locked(pull)


def _failed(pull: PullJob, error: str, *, batch: int, copies: int) -> None:
    pull.error = error[:4000]
    pull.save(update_fields=["error"])
    record("pull.batch_failed", pull, reason=error[:500], batch=batch, copies=copies)


def _batch_through(pull: PullJob, token: str) -> None:
    """The execute batch `token` is through. When it was the last one a restore waited
    for, the restore's batches are queued now: every copy that will ever move has."""
    if token not in pull.pending_batches:
        return
    pull.pending_batches = [t for t in pull.pending_batches if t != token]
    pull.save(update_fields=["pending_batches"])
    if pull.state == PullState.RESTORING and not pull.pending_batches:
        batches = queue_batches(pull, restore=True)
        record("pull.restore_queued", pull, restore_run=pull.restore_run, batches=len(batches))


def _apply(
    pull: PullJob, batch: int, actions: list[PullAction], results: Sequence[MoveResult],
    *, restore: bool,
) -> int:  # fmt: skip
    if not actions:
        return 0
    tally: Counter[str] = Counter()
    for action, result in zip(actions, results, strict=True):
        tally[_update(action, result, restore=restore)] += 1
    _save(actions)
    action_name = "pull.batch_restored" if restore else "pull.batch_quarantined"
    record(action_name, pull, batch=batch, results=dict(tally),
           mailboxes=sorted({a.mailbox for a in actions}))  # fmt: skip
    return tally["retrying"]


def _save(actions: list[PullAction]) -> None:
    """Write the result fields of `actions`: one UPDATE statement run for every row
    (`bulk_update` builds a CASE expression per row and field: a fifth of a batch's time
    for a few hundred copies). Values are prepared by the fields, as Django would."""
    fields = [cast("Field[Any, Any]", PullAction._meta.get_field(name)) for name in _FIELDS]
    columns = ", ".join(f"{connection.ops.quote_name(str(f.column))} = %s" for f in fields)
    table = connection.ops.quote_name(PullAction._meta.db_table)
    rows = [
        [f.get_db_prep_save(getattr(a, f.attname), connection) for f in fields] + [a.pk]
        for a in actions
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {columns} WHERE id = %s", rows)  # noqa: S608 - names quoted, values bound


def _update(action: PullAction, result: MoveResult, *, restore: bool) -> str:
    """Record one result on its action; the tally word for the audit event."""
    if result.outcome in (Outcome.MOVED, Outcome.ALREADY):
        already = result.outcome == Outcome.ALREADY
        if restore:
            action.outcome, action.attempts = ActionOutcome.RESTORED, 0
            action.outcome_reason = "already back (an earlier run)" if already else ""
            return "restored"
        action.outcome = ActionOutcome.MOVED
        action.outcome_reason = "already in quarantine (an earlier run)" if already else ""
        action.attempts = 0  # counts restore attempts from now on
        target = result.target
        action.quarantined = (
            {"folder": target.folder, "uidvalidity": target.uidvalidity, "uid": target.uid}
            if target is not None
            else {"folder": "", "uidvalidity": 0, "uid": ""}
        )
        return "moved"
    if result.outcome == Outcome.NOT_FOUND:
        action.outcome = ActionOutcome.NOT_FOUND
        action.outcome_reason = ("restore: " if restore else "") + result.reason
        return "not-found"
    action.attempts += 1
    action.outcome_reason = ("restore failed: " if restore else "") + result.reason
    if result.transient and action.attempts < MAX_ATTEMPTS:
        return "retrying"
    if restore:
        action.attempts = MAX_ATTEMPTS  # stays in quarantine; settle reports the failure
    else:
        action.outcome = ActionOutcome.FAILED
    return "failed"


def settle(pull_id: int) -> None:
    """Finish the pull (or its restore) once no batch has work left."""
    with transaction.atomic():
        settle_locked(PullJob.objects.select_for_update().get(pk=pull_id))


def settle_locked(pull: PullJob) -> None:
    """`settle` for a pull the caller locked (inside its transaction)."""
    actions = pull.actions
    if pull.state == PullState.RUNNING:
        if actions.filter(outcome=ActionOutcome.FOUND).exists():
            return
        failed = actions.filter(outcome=ActionOutcome.FAILED).exists()
        pull.state = PullState.FAILED if failed else PullState.DONE
        pull.finished_at = timezone.now()
    elif pull.state == PullState.RESTORING:
        if pull.pending_batches:  # execute batches still running: they may move more
            return
        left = actions.filter(outcome=ActionOutcome.MOVED)
        if left.filter(attempts__lt=MAX_ATTEMPTS).exists():
            return
        pull.state = PullState.FAILED if left.exists() else PullState.RESTORED
        pull.restored_at = timezone.now()
    else:
        return
    pull.save()
    counts = refresh_counts(pull)
    record(f"pull.{pull.state}", pull, counts=counts)
