"""`MailStore` over IMAP (any server; Dovecot with a master user is the tested reference).

Searches run per mailbox in parallel on a bounded pool. Moves use MOVE where the server
advertises it, else COPY + STORE \\Deleted + UID EXPUNGE (only our UIDs, so a user's own
\\Deleted messages are never expunged; without UIDPLUS nothing is expunged at all).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from phishloop.connectors.mailstore import imap_ops as ops
from phishloop.connectors.mailstore import imap_scan as scan
from phishloop.connectors.mailstore import imap_wire as wire
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
)
from phishloop.connectors.mailstore.imap_pool import ImapPool
from phishloop.connectors.mailstore.maildir import SENT_NAMES
from phishloop.connectors.mailstore.matching import content_matches, headers_match, summarise

T = TypeVar("T")

# (source ref, destination folder) pairs handled on one connection
_Job = list[tuple[MessageRef, str]]


class ImapStore:
    """See the module docstring. `mailboxes` is what `list_mailboxes` returns: IMAP has no
    way to enumerate users, so they come from configuration or the directory."""

    def __init__(
        self,
        pool: ImapPool,
        *,
        quarantine_folder: str = "Quarantine",
        mailboxes: Sequence[str] = (),
        batch_size: int = 200,
        sent_folders: Sequence[str] = SENT_NAMES,
        use_move: bool | None = None,
    ) -> None:
        self.pool = pool
        self.quarantine_folder = quarantine_folder
        self.mailboxes = list(mailboxes)
        self.batch_size = batch_size
        self.sent_names = tuple(sent_folders)
        self.use_move = use_move  # None: MOVE when advertised
        self._executor = ThreadPoolExecutor(pool.max_connections, "phishloop-imap")

    # -- MailStore -------------------------------------------------------------------------
    def list_mailboxes(self) -> list[str]:
        return list(self.mailboxes)

    def list_folders(self, mailbox: str) -> list[Folder]:
        return self.pool.run(mailbox, lambda c: ops.folders(c, self.sent_names))

    def sent_folder(self, mailbox: str) -> str | None:
        return next((f.name for f in self.list_folders(mailbox) if SENT in f.special_use), None)

    def search(self, mailboxes: Sequence[str], query: SearchQuery) -> list[MailboxSearch]:
        return self.search_many(mailboxes, [query])[query]

    def search_many(
        self, mailboxes: Sequence[str], queries: Sequence[SearchQuery]
    ) -> dict[SearchQuery, list[MailboxSearch]]:
        """One login per mailbox; each folder selected once and searched once for all the
        queries that look there (their criteria ORed), the hits split exactly per query."""
        wanted = list(dict.fromkeys(queries))
        out: dict[SearchQuery, list[MailboxSearch]] = {query: [] for query in wanted}
        for found in self._executor.map(lambda m: self._search_one(m, wanted), mailboxes):
            for query, result in found.items():
                out[query].append(result)
        return out

    def fetch(self, ref: MessageRef) -> bytes:
        return self.pool.run(ref.mailbox, lambda c: self._fetch(c, ref), defer_login=True)

    def quarantine(self, refs: Sequence[MessageRef]) -> list[MoveResult]:
        return self._move_all([(ref, self.quarantine_folder) for ref in refs])

    def restore(self, moves: Sequence[Moved]) -> list[MoveResult]:
        return self._move_all([(m.current, m.original.folder) for m in moves])

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.pool.close()

    # -- search ----------------------------------------------------------------------------
    def _search_one(
        self, mailbox: str, queries: list[SearchQuery]
    ) -> dict[SearchQuery, MailboxSearch]:
        try:
            hits = _retry_transient(
                lambda: self.pool.run(
                    mailbox, lambda c: self._search_client(c, mailbox, queries), defer_login=True
                )
            )
        except MailStoreError as exc:
            error = MailboxSearch(mailbox, error=str(exc), transient=exc.transient)
            return dict.fromkeys(queries, error)
        return {query: MailboxSearch(mailbox, tuple(hits[query])) for query in queries}

    def _search_client(
        self, client: IMAPClient, mailbox: str, queries: list[SearchQuery]
    ) -> dict[SearchQuery, list[FoundMessage]]:
        hits: dict[SearchQuery, list[FoundMessage]] = {query: [] for query in queries}
        if scan.can_pipeline(client, queries) and self._scan(client, mailbox, queries, hits):
            return hits
        self.pool.ensure_login(client, mailbox)
        present = ops.folders(client, self.sent_names)
        for folder, looking in self._by_folder(present, queries).items():
            validity = ops.uidvalidity(client.select_folder(folder, readonly=True))
            uids = ops.search(client, ops.any_of(looking))
            fetched = ops.fetch(client, uids, scan.FETCH_ITEMS, self.batch_size)
            self._collect(client, (mailbox, folder, validity), fetched, looking, hits)
        return hits

    def _scan(
        self,
        client: IMAPClient,
        mailbox: str,
        queries: list[SearchQuery],
        hits: dict[SearchQuery, list[FoundMessage]],
    ) -> bool:
        """The pass in two round trips: LOGIN, LIST and INBOX's EXAMINE + SEARCH + FETCH
        together, then every other folder's. False (nothing collected, the client logged
        in) when the server cannot (no SEARCHRES)."""
        first = scan.Batch(client, self.pool.pending_login(client), listing=True)
        inbox = [q for q in queries if not q.folders or "INBOX" in q.folders]
        if inbox:
            first.folder("INBOX", inbox)
        listing = first.run()
        if first.logged_in:
            self.pool.logged_in(client)
        if not scan.supported(client):
            return False
        by_folder = self._by_folder(ops.listed(listing, self.sent_names), queries)
        done = {"INBOX": first.results.get("INBOX")} if by_folder.get("INBOX") == inbox else {}
        rest = scan.Batch(client)
        for folder, looking in by_folder.items():
            if folder not in done:
                rest.folder(folder, looking)
        rest.run()
        for folder, looking in by_folder.items():
            result = done.get(folder) or rest.results.get(folder)
            if result is not None:  # None: gone since the LIST
                validity, fetched = result
                self._collect(client, (mailbox, folder, validity), fetched, looking, hits)
        return True

    def _by_folder(
        self, present: list[Folder], queries: list[SearchQuery]
    ) -> dict[str, list[SearchQuery]]:
        by_folder: dict[str, list[SearchQuery]] = defaultdict(list)
        for query in queries:
            for folder in self._folders_for(present, query):
                by_folder[folder].append(query)
        return by_folder

    def _collect(
        self,
        client: IMAPClient,
        where: tuple[str, str, int],
        fetched: Iterable[tuple[int, dict[bytes, Any]]],
        looking: list[SearchQuery],
        hits: dict[SearchQuery, list[FoundMessage]],
    ) -> None:
        """Split one folder's fetched candidates exactly between the queries; `where` is
        (mailbox, folder, UIDVALIDITY)."""
        mailbox, folder, validity = where
        found: dict[SearchQuery, list[FoundMessage]] = defaultdict(list)
        for uid, data in fetched:
            summary = summarise(ops.item(data, b"BODY[HEADER"))
            ref = MessageRef(mailbox, folder, validity, str(uid), summary.message_id)
            hit = summary.found(ref, ops.flags(data), int(data.get(b"RFC822.SIZE", 0)))
            for query in looking:
                if headers_match(query, summary):
                    found[query].append(hit)
        for query, matched in found.items():
            hits[query] += self._check_content(client, mailbox, query, matched)

    def _folders_for(self, present: list[Folder], query: SearchQuery) -> list[str]:
        if not query.folders:
            return [f.name for f in present if f.name != self.quarantine_folder]
        sent = next((f.name for f in present if SENT in f.special_use), None)
        names = {f.name for f in present}
        wanted = [sent if name == SENT else name for name in query.folders]
        return [name for name in wanted if name is not None and name in names]

    def _check_content(
        self, client: IMAPClient, mailbox: str, query: SearchQuery, found: list[FoundMessage]
    ) -> list[FoundMessage]:
        if not query.needs_content or not found:
            return found
        if len(found) > query.max_candidates:
            raise MailStoreError(
                f"{mailbox}: {len(found)} candidates exceed max_candidates "
                f"{query.max_candidates}; narrow the search"
            )
        by_uid = {int(hit.ref.uid): hit for hit in found}
        keep = []
        for uid, data in ops.fetch(client, list(by_uid), ["BODY.PEEK[]"], 20):
            if content_matches(query, ops.item(data, b"BODY[]")):
                keep.append(by_uid[uid])
        return keep

    def _fetch(self, client: IMAPClient, ref: MessageRef) -> bytes:
        try:
            validity = wire.select(self.pool, client, ref.mailbox, ref.folder, True)
        except LoginError:
            raise
        except IMAPClientError:
            if client.folder_exists(ref.folder):
                raise
            raise MessageNotFound(f"{ref.mailbox}: no folder {ref.folder}") from None
        if validity == ref.uidvalidity:
            for _, data in ops.fetch(client, [int(ref.uid)], ["BODY.PEEK[]"], 1):
                raw = ops.item(data, b"BODY[]")
                if summarise(raw).message_id == ref.message_id:
                    return raw
        raise MessageNotFound(f"{ref.mailbox}: {ref.folder} UID {ref.uid} is gone")

    # -- moves -----------------------------------------------------------------------------
    def _move_all(self, jobs: _Job) -> list[MoveResult]:
        by_mailbox: dict[str, _Job] = defaultdict(list)
        for source, destination in jobs:
            by_mailbox[source.mailbox].append((source, destination))
        results: dict[tuple[MessageRef, str], MoveResult] = {}
        for done in self._executor.map(self._move_mailbox, by_mailbox.items()):
            results.update(done)
        return [results[job] for job in jobs]

    def _move_mailbox(self, item: tuple[str, _Job]) -> dict[tuple[MessageRef, str], MoveResult]:
        mailbox, jobs = item
        try:
            return _retry_transient(
                lambda: self.pool.run(
                    mailbox, lambda c: _Mover(self, c, mailbox).run(jobs), defer_login=True
                )
            )
        except MailStoreError as exc:
            reason, transient = str(exc), exc.transient
            return {
                job: MoveResult(job[0], Outcome.FAILED, reason=reason, transient=transient)
                for job in jobs
            }


def _retry_transient(action: Callable[[], T], pause: float = 0.5) -> T:
    """Run `action` again once after a transient failure (a busy server, a timed-out
    authentication); actions are idempotent, so repeating is safe."""
    try:
        return action()
    except MailStoreError as exc:
        if not exc.transient:
            raise
    time.sleep(pause)
    return action()


class _Mover:
    """Moves on one connection (one mailbox), grouped by (source folder, destination)."""

    def __init__(self, store: ImapStore, client: IMAPClient, mailbox: str) -> None:
        self.store = store
        self.mailbox = mailbox
        self.client = client
        self.results: dict[tuple[MessageRef, str], MoveResult] = {}

    def _trust_copyuid(self) -> bool:
        """MOVE's COPYUID (UIDPLUS) names exactly the UIDs it moved."""
        return self._use_move() and bool(self.client.has_capability("UIDPLUS"))

    def _use_move(self) -> bool:
        if self.store.use_move is None:
            return bool(self.client.has_capability("MOVE"))
        return self.store.use_move

    def _exists(self, folder: str) -> bool:
        """Asked only after a command on `folder` failed (a LIST per mailbox is as dear as
        the move itself): a missing folder, or some other error."""
        return folder in {str(name) for _, _, name in self.client.list_folders()}

    def _select(self, folder: str, *, readonly: bool = False) -> int | None:
        """Select `folder`; its UIDVALIDITY, or None when it does not exist. The first
        select of a new connection goes with its LOGIN, in one round trip."""
        try:
            return wire.select(self.store.pool, self.client, self.mailbox, folder, readonly)
        except LoginError:
            raise
        except IMAPClientError:
            if self._exists(folder):
                raise
            return None

    def run(self, jobs: _Job) -> dict[tuple[MessageRef, str], MoveResult]:
        groups: dict[tuple[str, str], list[MessageRef]] = defaultdict(list)
        for source, destination in jobs:
            groups[(source.folder, destination)].append(source)
        for (folder, destination), refs in groups.items():
            self._group(folder, destination, refs)
        return self.results

    def _group(self, folder: str, destination: str, refs: list[MessageRef]) -> None:
        present: dict[int, MessageRef] = {}
        validity = self._select(folder) if folder != destination else None
        if validity is not None:
            present = self._present(refs, validity)
            self._move(present, destination)
        for ref in refs:
            done = self.results.get((ref, destination))
            if done is None or done.target is None:
                self._settle_missing(ref, destination)

    def _present(self, refs: list[MessageRef], validity: int) -> dict[int, MessageRef]:
        """UID → ref for the refs still in the selected folder with their Message-ID (after
        a UIDVALIDITY change, found again by Message-ID)."""
        wanted: dict[int, MessageRef] = {}
        candidates = {int(r.uid): r for r in refs if validity and r.uidvalidity == validity}
        if candidates and self._trust_copyuid():
            # a UID is never reused within a UIDVALIDITY, and COPYUID will say which of
            # them moved (a UID that is gone moves nothing): no need to read them first
            wanted.update(candidates)
        elif candidates:
            for uid, data in ops.fetch(self.client, list(candidates), [ops.ID_ITEM], 500):
                found = summarise(ops.item(data, b"BODY[HEADER")).message_id
                if found == candidates[uid].message_id:
                    wanted[uid] = candidates[uid]
        for ref in refs:
            if ref.uidvalidity != validity:
                uids = ops.search(self.client, ["HEADER", "Message-ID", ref.message_id])
                wanted.update({uid: ref for uid in uids[:1] if uid not in wanted})
        return wanted

    def _move(self, present: dict[int, MessageRef], destination: str) -> None:
        uids = sorted(present)
        for start in range(0, len(uids), self.store.batch_size):
            batch = uids[start : start + self.store.batch_size]
            copied = self._transfer(batch, destination)
            for uid in batch:
                ref = present[uid]
                target = None
                if self._trust_copyuid() and (copied is None or uid not in copied[1]):
                    continue  # not moved now: gone, or moved by an earlier run
                if copied is not None and uid in copied[1]:
                    new_uid = str(copied[1][uid])
                    target = MessageRef(
                        ref.mailbox, destination, copied[0], new_uid, ref.message_id
                    )
                self.results[(ref, destination)] = MoveResult(ref, Outcome.MOVED, target)

    def _transfer(self, uids: list[int], destination: str) -> tuple[int, dict[int, int]] | None:
        client = self.client
        imap: Any = client._imap  # COPYUID of MOVE arrives untagged; imaplib keeps it there
        imap.untagged_responses.pop("COPYUID", None)
        if self._use_move():
            self._creating(destination, lambda: client.move(uids, destination))
            data = (imap.untagged_responses.pop("COPYUID", None) or [b""])[-1]
            return ops.parse_copyuid(b"COPYUID " + data if data else None)
        response = self._creating(destination, lambda: client.copy(uids, destination))
        client.add_flags(uids, [b"\\Deleted"], silent=True)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)
        return ops.parse_copyuid(response)

    def _creating(self, destination: str, transfer: Callable[[], T]) -> T:
        """Run a MOVE or COPY, creating the destination first if it turns out missing."""
        try:
            return transfer()
        except IMAPClientError:
            if self._exists(destination):
                raise
        ops.ensure_folder(self.client, destination)
        return transfer()

    def _settle_missing(self, ref: MessageRef, destination: str) -> None:
        """Not moved now: find where it sits in `destination` (an earlier run moved it),
        and fill in targets COPYUID did not give."""
        job = (ref, destination)
        earlier = self.results.get(job)
        found = self._locate(destination, ref.message_id, newest=earlier is not None)
        if earlier is not None:
            self.results[job] = MoveResult(ref, Outcome.MOVED, found)
        elif found is not None:
            self.results[job] = MoveResult(ref, Outcome.ALREADY, found)
        else:
            reason = f"not in {ref.folder} nor {destination}"
            self.results[job] = MoveResult(ref, Outcome.NOT_FOUND, reason=reason)

    def _locate(self, folder: str, message_id: str, *, newest: bool) -> MessageRef | None:
        """A copy of `message_id` in `folder` that no other result claims: the newest (just
        moved), or the oldest (moved by an earlier run, in the order of that run)."""
        validity = self._select(folder, readonly=True)
        if validity is None:
            return None
        claimed = {
            r.target.uid
            for r in self.results.values()
            if r.target is not None and r.target.folder == folder
        }
        uids = ops.search(self.client, ["HEADER", "Message-ID", message_id])
        fetched = list(ops.fetch(self.client, uids, [ops.ID_ITEM], 500))
        for uid, data in reversed(fetched) if newest else fetched:
            if str(uid) in claimed:
                continue
            if summarise(ops.item(data, b"BODY[HEADER")).message_id == message_id:
                return MessageRef(self.mailbox, folder, validity, str(uid), message_id)
        return None
