"""Running one batch of a pull against the mail store, and settling the pull when its
last batch is through. Transient failures are retried (the job retries with back-off) up
to `MAX_ATTEMPTS` per copy; then the copy is marked failed with the reason."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from phishloop.connectors.mailstore.base import Moved, MoveResult, Outcome
from phishloop.server.audit.service import record
from phishloop.server.remediation import connect
from phishloop.server.remediation.actions import refresh_counts
from phishloop.server.remediation.models import ActionOutcome, PullAction, PullJob, PullState

MAX_ATTEMPTS = 3
_FIELDS = ("outcome", "outcome_reason", "attempts", "quarantined")


class TransientPullError(Exception):
    """Some copies hit a transient error: the job runs again later for them."""


def quarantine_batch(pull_id: int, batch: int) -> None:
    pull = PullJob.objects.get(pk=pull_id)
    if pull.state != PullState.RUNNING:  # restored or restoring meanwhile: move nothing
        return
    actions = list(pull.actions.filter(batch=batch, outcome=ActionOutcome.FOUND))
    retry = 0
    if actions:
        store = connect.open_store()
        try:
            results = store.quarantine([action.ref for action in actions])
        finally:
            store.close()
        retry = _apply(pull, batch, actions, results, restore=False)
    settle(pull_id)
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
    retry = 0
    if actions:
        moves = [Moved(a.ref, a.quarantined_ref or a.ref) for a in actions]
        store = connect.open_store()
        try:
            results = store.restore(moves)
        finally:
            store.close()
        retry = _apply(pull, batch, actions, results, restore=True)
    settle(pull_id)
    if retry:
        raise TransientPullError(f"{retry} copies of batch {batch} hit a transient error")


def _apply(
    pull: PullJob, batch: int, actions: list[PullAction], results: Sequence[MoveResult],
    *, restore: bool,
) -> int:  # fmt: skip
    tally: Counter[str] = Counter()
    for action, result in zip(actions, results, strict=True):
        tally[_update(action, result, restore=restore)] += 1
    with transaction.atomic():
        PullAction.objects.bulk_update(actions, _FIELDS)
        action_name = "pull.batch_restored" if restore else "pull.batch_quarantined"
        record(action_name, pull, batch=batch, results=dict(tally),
               mailboxes=sorted({a.mailbox for a in actions}))  # fmt: skip
    return tally["retrying"]


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
        pull = PullJob.objects.select_for_update().get(pk=pull_id)
        actions = pull.actions
        if pull.state == PullState.RUNNING:
            if actions.filter(outcome=ActionOutcome.FOUND).exists():
                return
            failed = actions.filter(outcome=ActionOutcome.FAILED).exists()
            pull.state = PullState.FAILED if failed else PullState.DONE
            pull.finished_at = timezone.now()
        elif pull.state == PullState.RESTORING:
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
