"""An in-memory `MailStore` for tests of the planner and the service: same semantics as the
real backends (idempotent moves, quarantine created on demand, per-mailbox errors)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from phishloop.connectors.mailstore.base import (
    SENT,
    Folder,
    FoundMessage,
    MailboxSearch,
    MailStoreError,
    MessageNotFound,
    MessageRef,
    Moved,
    MoveResult,
    Outcome,
    SearchQuery,
    search_each,
)
from phishloop.connectors.mailstore.matching import content_matches, headers_match, summarise


@dataclass
class _Stored:
    raw: bytes
    flags: set[str]


@dataclass
class _Folder:
    uidvalidity: int
    special_use: frozenset[str] = frozenset()
    next_uid: int = 1
    messages: dict[int, _Stored] = field(default_factory=dict)


class MemoryMailStore:
    """Mailboxes → folders → UID → message. `failures` maps a mailbox to an error message
    that every operation on it reports (`transient_failures` for retryable ones)."""

    def __init__(self, quarantine_folder: str = "Quarantine") -> None:
        self.quarantine_folder = quarantine_folder
        self.failures: dict[str, str] = {}
        self.transient_failures: dict[str, str] = {}
        self._boxes: dict[str, dict[str, _Folder]] = {}
        self._validity = itertools.count(1000)
        self._lock = threading.RLock()

    # -- set-up helpers (not part of the Protocol) ---------------------------------------
    def add_mailbox(self, mailbox: str, folders: Iterable[str] = ()) -> None:
        with self._lock:
            box = self._boxes.setdefault(mailbox, {})
            for name in ("INBOX", *folders):
                self._folder(box, name, create=True)
            if "Sent" in box:
                box["Sent"].special_use = frozenset({SENT})

    def deliver(
        self, mailbox: str, raw: bytes, folder: str = "INBOX", flags: Iterable[str] = ()
    ) -> MessageRef:
        """Store a message (creating mailbox and folder as needed) and return its ref."""
        with self._lock:
            self.add_mailbox(mailbox)
            box_folder = self._folder(self._boxes[mailbox], folder, create=True)
            return self._put(mailbox, folder, box_folder, _Stored(raw, set(flags)))

    def messages(self, mailbox: str, folder: str) -> dict[str, set[str]]:
        """Message-ID → flags of everything in one folder (for assertions)."""
        with self._lock:
            stored = self._boxes[mailbox][folder].messages.values()
            return {summarise(s.raw).message_id: set(s.flags) for s in stored}

    # -- MailStore -------------------------------------------------------------------------
    def list_mailboxes(self) -> list[str]:
        return sorted(self._boxes)

    def list_folders(self, mailbox: str) -> list[Folder]:
        self._check(mailbox)
        box = self._boxes[mailbox]
        return [Folder(name, f.special_use) for name, f in sorted(box.items())]

    def sent_folder(self, mailbox: str) -> str | None:
        return next((f.name for f in self.list_folders(mailbox) if SENT in f.special_use), None)

    def search(self, mailboxes: Sequence[str], query: SearchQuery) -> list[MailboxSearch]:
        return [self._search_one(mailbox, query) for mailbox in mailboxes]

    def search_many(
        self, mailboxes: Sequence[str], queries: Sequence[SearchQuery]
    ) -> dict[SearchQuery, list[MailboxSearch]]:
        return search_each(self, mailboxes, queries)

    def fetch(self, ref: MessageRef) -> bytes:
        with self._lock:
            self._check(ref.mailbox)
            stored = self._lookup(ref)
            if stored is None:
                raise MessageNotFound(f"{ref.mailbox}: {ref.folder} UID {ref.uid} is gone")
            return stored.raw

    def quarantine(self, refs: Sequence[MessageRef]) -> list[MoveResult]:
        return [self._move(ref, self.quarantine_folder) for ref in refs]

    def restore(self, moves: Sequence[Moved]) -> list[MoveResult]:
        return [self._move(m.current, m.original.folder) for m in moves]

    def close(self) -> None:
        return None

    # -- internals -------------------------------------------------------------------------
    def _search_one(self, mailbox: str, query: SearchQuery) -> MailboxSearch:
        try:
            self._check(mailbox)
        except MailStoreError as exc:
            return MailboxSearch(mailbox, error=str(exc), transient=exc.transient)
        hits: list[FoundMessage] = []
        with self._lock:
            for name in self._folders_for(mailbox, query):
                hits.extend(self._search_folder(mailbox, name, query))
        return MailboxSearch(mailbox, tuple(hits))

    def _folders_for(self, mailbox: str, query: SearchQuery) -> list[str]:
        box = self._boxes[mailbox]
        if not query.folders:
            return [name for name in box if name != self.quarantine_folder]
        sent = self.sent_folder(mailbox)
        wanted = [sent if name == SENT else name for name in query.folders]
        return [name for name in wanted if name is not None and name in box]

    def _search_folder(self, mailbox: str, name: str, query: SearchQuery) -> list[FoundMessage]:
        folder = self._boxes[mailbox][name]
        hits = []
        for uid, stored in sorted(folder.messages.items()):
            summary = summarise(stored.raw)
            if not headers_match(query, summary):
                continue
            if query.needs_content and not content_matches(query, stored.raw):
                continue
            ref = MessageRef(mailbox, name, folder.uidvalidity, str(uid), summary.message_id)
            hits.append(summary.found(ref, frozenset(stored.flags), len(stored.raw)))
        return hits

    def _move(self, ref: MessageRef, destination: str) -> MoveResult:
        with self._lock:
            try:
                self._check(ref.mailbox)
            except MailStoreError as exc:
                return MoveResult(ref, Outcome.FAILED, reason=str(exc), transient=exc.transient)
            stored = self._lookup(ref)
            box = self._boxes[ref.mailbox]
            if stored is None:
                return self._already_or_missing(ref, destination)
            del box[ref.folder].messages[int(ref.uid)]
            target_folder = self._folder(box, destination, create=True)
            target = self._put(ref.mailbox, destination, target_folder, stored)
            return MoveResult(ref, Outcome.MOVED, target)

    def _already_or_missing(self, ref: MessageRef, destination: str) -> MoveResult:
        folder = self._boxes[ref.mailbox].get(destination)
        for uid, stored in sorted(folder.messages.items()) if folder else ():
            if summarise(stored.raw).message_id == ref.message_id:
                assert folder is not None
                target = MessageRef(
                    ref.mailbox, destination, folder.uidvalidity, str(uid), ref.message_id
                )
                return MoveResult(ref, Outcome.ALREADY, target)
        return MoveResult(ref, Outcome.NOT_FOUND, reason=f"not in {ref.folder} nor {destination}")

    def _lookup(self, ref: MessageRef) -> _Stored | None:
        folder = self._boxes.get(ref.mailbox, {}).get(ref.folder)
        if folder is None or folder.uidvalidity != ref.uidvalidity or not ref.uid.isdigit():
            return None
        stored = folder.messages.get(int(ref.uid))
        if stored is None or summarise(stored.raw).message_id != ref.message_id:
            return None
        return stored

    def _put(self, mailbox: str, name: str, folder: _Folder, stored: _Stored) -> MessageRef:
        uid = folder.next_uid
        folder.next_uid += 1
        folder.messages[uid] = stored
        message_id = summarise(stored.raw).message_id
        return MessageRef(mailbox, name, folder.uidvalidity, str(uid), message_id)

    def _folder(self, box: dict[str, _Folder], name: str, *, create: bool) -> _Folder:
        if name not in box and create:
            box[name] = _Folder(next(self._validity))
        return box[name]

    def _check(self, mailbox: str) -> None:
        if mailbox in self.transient_failures:
            raise MailStoreError(self.transient_failures[mailbox], transient=True)
        if mailbox in self.failures:
            raise MailStoreError(self.failures[mailbox])
        if mailbox not in self._boxes:
            raise MailStoreError(f"unknown mailbox {mailbox}")
