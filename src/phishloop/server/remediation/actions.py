"""Turning a plan into PullAction rows, and counting them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from phishloop.remediation import Plan
from phishloop.server.remediation.models import ActionOutcome, PullAction, PullJob


def actions_from_plan(pull: PullJob, plan: Plan, batch_size: int) -> None:
    """One action per planned copy (batched by mailbox) and per external recipient."""
    order = {mailbox: index for index, mailbox in enumerate(plan.mailboxes)}
    rows = [
        PullAction(
            pull=pull, kind=e.kind.value, mailbox=e.mailbox, folder=e.folder,
            uidvalidity=e.uidvalidity, uid=e.uid, message_id=e.message_id, seen=e.seen,
            reason=e.reason, path=list(e.path), depth=e.depth, subject=e.subject[:998],
            batch=order[e.mailbox] // batch_size, outcome=ActionOutcome.FOUND,
        )
        for e in plan.entries
    ]  # fmt: skip
    rows += [
        PullAction(
            pull=pull,
            kind="external",
            mailbox=x.address,
            reason=x.reason,
            path=list(x.via),
            outcome=ActionOutcome.EXTERNAL,
        )
        for x in plan.external
    ]
    PullAction.objects.bulk_create(rows, batch_size=500)


def refresh_counts(pull: PullJob) -> dict[str, Any]:
    """Recount the pull's actions into `pull.counts` (saved)."""
    rows = list(pull.actions.values_list("outcome", "mailbox", "seen"))
    outcomes = Counter(outcome for outcome, _, _ in rows)
    copies = [(mailbox, seen) for outcome, mailbox, seen in rows if outcome != "external"]
    counts: dict[str, Any] = {
        "mailboxes": len({mailbox for mailbox, _ in copies}),
        "messages": len(copies),
        "seen": sum(1 for _, seen in copies if seen),
        **{outcome.value: outcomes.get(outcome.value, 0) for outcome in ActionOutcome},
    }
    pull.counts = counts
    PullJob.objects.filter(pk=pull.pk).update(counts=counts)
    return counts
