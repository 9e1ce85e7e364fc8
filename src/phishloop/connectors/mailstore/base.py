"""The mail-store seam: find copies of a message in users' mailboxes, quarantine and restore them.

Every backend (IMAP, doveadm HTTP API, Maildir on disk, the in-memory fake) implements
`MailStore`. Messages are addressed by a `MessageRef` — mailbox, folder, UIDVALIDITY, UID (or
the backend's equivalent) plus the Message-ID — so a re-run can tell "already moved" from
"gone", and restore puts a message back exactly where it was. Nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from phishloop.core.errors import PhishloopError

SENT = "\\Sent"
"""Special folder name in `SearchQuery.folders`: the mailbox's sent-items folder."""
SEEN = "\\Seen"


class MailStoreError(PhishloopError):
    """A mail-store operation failed; `transient` says whether retrying later may help."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class MessageNotFound(MailStoreError):
    """The referenced message is not (or no longer) where its reference says."""


class Outcome(StrEnum):
    MOVED = "moved"
    ALREADY = "already"  # an earlier run did it; nothing was moved this time
    NOT_FOUND = "not-found"
    FAILED = "failed"


@dataclass(frozen=True, slots=True, order=True)
class MessageRef:
    """Where one copy lives. `uidvalidity` is 0 where the backend has none (Maildir)."""

    mailbox: str
    folder: str
    uidvalidity: int
    uid: str
    message_id: str


@dataclass(frozen=True, slots=True)
class Folder:
    name: str
    special_use: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class FoundMessage:
    """A search hit with what the planner shows: flags (read status), sender, subject, date.

    `references` (the References and In-Reply-To headers) and `recipients` (the To, Cc and
    Bcc addresses) are read in the same round trip as the hit where the backend can; None
    means the backend did not read them (fetch the message to know).
    """

    ref: MessageRef
    flags: frozenset[str] = frozenset()
    sender: str = ""
    subject: str = ""
    date: datetime | None = None
    size: int = 0
    references: str | None = None
    recipients: tuple[str, ...] | None = None

    @property
    def seen(self) -> bool:
        return SEEN in self.flags


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """All given criteria must match. Substring matches are case-insensitive.

    `message_id` matches exactly; `references` finds replies and forwards (In-Reply-To or
    References naming that Message-ID); `since`/`until` bound the Date header (inclusive);
    `url` is a substring of the decoded text; `attachment_sha256` the SHA-256 of an
    attachment's decoded bytes. `folders` limits the folders searched (empty: every folder
    but quarantine; `SENT` stands for the sent-items folder). Criteria the server cannot
    evaluate are checked on fetched candidates, at most `max_candidates` per mailbox.
    """

    message_id: str | None = None
    sender: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    references: str | None = None
    url: str | None = None
    attachment_sha256: str | None = None
    folders: tuple[str, ...] = ()
    max_candidates: int = 500

    def __post_init__(self) -> None:
        criteria = (self.message_id, self.sender, self.subject, self.since, self.until)
        more = (self.references, self.url, self.attachment_sha256)
        if all(value is None for value in (*criteria, *more)):
            raise ValueError("a mail-store search needs at least one criterion")
        if self.message_id is not None:
            object.__setattr__(self, "message_id", normalise_message_id(self.message_id))
        if self.references is not None:
            object.__setattr__(self, "references", normalise_message_id(self.references))
        if self.attachment_sha256 is not None:
            object.__setattr__(self, "attachment_sha256", self.attachment_sha256.lower())

    @property
    def needs_content(self) -> bool:
        return self.url is not None or self.attachment_sha256 is not None


@dataclass(frozen=True, slots=True)
class MailboxSearch:
    """One mailbox's search result: its hits, or why it could not be searched."""

    mailbox: str
    messages: tuple[FoundMessage, ...] = ()
    error: str = ""
    transient: bool = False

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True, slots=True)
class Moved:
    """A message's original place and where it sits now (the input of `restore`)."""

    original: MessageRef
    current: MessageRef


@dataclass(frozen=True, slots=True)
class MoveResult:
    """Per-message result of quarantine or restore. `target` is where the message is now
    (after MOVED or ALREADY); `reason` explains FAILED and NOT_FOUND."""

    source: MessageRef
    outcome: Outcome
    target: MessageRef | None = None
    reason: str = ""
    transient: bool = False

    def placement(self, original: MessageRef | None = None) -> Moved | None:
        """The `Moved` to hand to `restore` later (None when nothing is in quarantine)."""
        if self.target is None or self.outcome not in (Outcome.MOVED, Outcome.ALREADY):
            return None
        return Moved(original or self.source, self.target)


@runtime_checkable
class MailStore(Protocol):
    """Search, fetch, quarantine and restore across many mailboxes (users)."""

    quarantine_folder: str

    def list_mailboxes(self) -> list[str]:
        """Every mailbox this store can reach (user names, usually addresses)."""
        ...

    def list_folders(self, mailbox: str) -> list[Folder]: ...

    def sent_folder(self, mailbox: str) -> str | None:
        """The sent-items folder (SPECIAL-USE \\Sent, else a configured or well-known name)."""
        ...

    def search(self, mailboxes: Sequence[str], query: SearchQuery) -> list[MailboxSearch]:
        """One result per mailbox, in the given order; errors are per mailbox, never raised."""
        ...

    def search_many(
        self, mailboxes: Sequence[str], queries: Sequence[SearchQuery]
    ) -> dict[SearchQuery, list[MailboxSearch]]:
        """Every query over every mailbox, each answered as `search` would; backends share
        one login and one folder selection per mailbox among the queries."""
        ...

    def fetch(self, ref: MessageRef) -> bytes:
        """The raw message; MessageNotFound when it is gone."""
        ...

    def quarantine(self, refs: Sequence[MessageRef]) -> list[MoveResult]:
        """Move each message to the quarantine folder (created if missing). Idempotent."""
        ...

    def restore(self, moves: Sequence[Moved]) -> list[MoveResult]:
        """Move each message back to its original folder. Idempotent."""
        ...

    def close(self) -> None: ...


class _Searches(Protocol):
    def search(self, mailboxes: Sequence[str], query: SearchQuery) -> list[MailboxSearch]: ...


def search_each(
    store: _Searches, mailboxes: Sequence[str], queries: Sequence[SearchQuery]
) -> dict[SearchQuery, list[MailboxSearch]]:
    """`search_many` as one `search` per query (for backends with nothing to share)."""
    return {query: store.search(mailboxes, query) for query in dict.fromkeys(queries)}


def normalise_message_id(value: str) -> str:
    """`<id@host>` with surrounding whitespace removed and angle brackets ensured."""
    value = value.strip()
    if not value.startswith("<"):
        value = "<" + value
    if not value.endswith(">"):
        value += ">"
    return value


@dataclass(slots=True)
class ResultBook:
    """Collects per-message results and returns them in the order of the request."""

    order: list[MessageRef]
    results: dict[MessageRef, MoveResult] = field(default_factory=dict)

    def add(self, result: MoveResult) -> None:
        self.results[result.source] = result

    def fail_rest(self, reason: str, *, transient: bool) -> None:
        for ref in self.order:
            if ref not in self.results:
                self.add(MoveResult(ref, Outcome.FAILED, reason=reason, transient=transient))

    def ordered(self) -> list[MoveResult]:
        return [self.results[ref] for ref in self.order]
