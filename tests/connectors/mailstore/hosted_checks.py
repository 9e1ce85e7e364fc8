"""Checks shared by the hosted stores' move tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from phishloop.connectors.mailstore.base import MailStore, MoveResult, Outcome


def rerun_and_restore(
    store: MailStore, moved: Sequence[MoveResult], before: object, where: Callable[[], object]
) -> None:
    """After a quarantine (`moved`): running it again changes nothing and says ALREADY with
    the same targets; a restore puts everything back as `where()` was `before`; a second
    restore says ALREADY."""
    count = len(moved)
    rerun = store.quarantine([r.source for r in moved])
    assert [r.outcome for r in rerun] == [Outcome.ALREADY] * count
    assert [r.target for r in rerun] == [r.target for r in moved]
    placements = [p for r in moved if (p := r.placement())]
    restored = store.restore(placements)
    assert [r.outcome for r in restored] == [Outcome.MOVED] * count
    assert where() == before
    again = store.restore(placements)
    assert [r.outcome for r in again] == [Outcome.ALREADY] * count
