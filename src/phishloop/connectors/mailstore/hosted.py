"""What the hosted stores (Microsoft Graph, Gmail API) share: API failures turned into
mail-store errors and results, per-mailbox fan-out, and the candidate check."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from phishloop.connectors.cloud.api import ApiFailure
from phishloop.connectors.mailstore.base import (
    MailboxSearch,
    MailStoreError,
    MessageRef,
    MoveResult,
    Outcome,
    SearchQuery,
)
from phishloop.connectors.mailstore.matching import Summary, content_matches, headers_match

T = TypeVar("T")
U = TypeVar("U")


@contextmanager
def api_errors() -> Iterator[None]:
    """ApiFailure → MailStoreError (same message, same transient flag)."""
    try:
        yield
    except ApiFailure as exc:
        raise MailStoreError(str(exc), transient=exc.transient) from None


def failed(ref: MessageRef, exc: ApiFailure | MailStoreError) -> MoveResult:
    return MoveResult(ref, Outcome.FAILED, reason=str(exc), transient=exc.transient)


def search_error(mailbox: str, exc: ApiFailure | MailStoreError) -> MailboxSearch:
    return MailboxSearch(mailbox, error=str(exc), transient=exc.transient)


def fan_out(executor: ThreadPoolExecutor, func: Callable[[T], U], items: Sequence[T]) -> list[U]:
    """`func` over `items` on the store's workers, results in order."""
    if len(items) <= 1:
        return [func(item) for item in items]
    return list(executor.map(func, items))


def decide(query: SearchQuery, summary: Summary, raw: Callable[[], bytes]) -> bool:
    """Exact decision on one candidate; `raw` is fetched only for content criteria."""
    if not headers_match(query, summary):
        return False
    return not query.needs_content or content_matches(query, raw())


class CandidateBudget:
    """Counts candidates that need a per-message request; above `max_candidates` the
    mailbox reports an error (never a silently truncated answer)."""

    def __init__(self, mailbox: str, query: SearchQuery) -> None:
        self.mailbox = mailbox
        self.limit = query.max_candidates
        self.used = 0

    def spend(self) -> None:
        self.used += 1
        if self.used > self.limit:
            raise MailStoreError(
                f"{self.mailbox}: more than {self.limit} candidates; narrow the search "
                "(Message-ID, sender or date window)"
            )
