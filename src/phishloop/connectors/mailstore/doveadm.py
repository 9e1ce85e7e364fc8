"""`MailStore` over Dovecot's doveadm HTTP API: the fast path for Dovecot.

doveadm reads the mail storage directly for any user, so there is no login per mailbox;
one request carries the commands for a chunk of mailboxes and chunks run in parallel.
Read-only commands over many mailboxes (the sweep, the looks around moves) go through
user masks where most users under a prefix are wanted (`doveadm_users`), about half the
cost per mailbox of one command each; moves stay one command per mailbox and message.
References (folder, UIDVALIDITY, UID, Message-ID) are the same as over IMAP, so either
backend can restore what the other quarantined.

Limits: doveadm 2.3 reports no SPECIAL-USE attributes, so the sent folder is found by
name; `fetch` returns the text as JSON, so 8-bit bodies in other charsets are not byte-exact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

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
from phishloop.connectors.mailstore.doveadm_api import Command, CommandError, DoveadmApi
from phishloop.connectors.mailstore.doveadm_fastmoves import move_fast, split_fast
from phishloop.connectors.mailstore.doveadm_moves import MoveJob, plan_moves, settle_moves
from phishloop.connectors.mailstore.doveadm_users import MARKER, UserReads, failure, is_mask
from phishloop.connectors.mailstore.maildir import SENT_NAMES
from phishloop.connectors.mailstore.matching import (
    Summary,
    content_matches,
    dates_narrow,
    decode_header_text,
    headers_match,
    summary_from_fields,
)

FIELDS = [
    "mailbox",
    "uid",
    "flags",
    "size.physical",
    "hdr.message-id",
    "hdr.from",
    "hdr.subject",
    "hdr.date",
    "hdr.references",
    "hdr.in-reply-to",
    "hdr.to",
    "hdr.cc",
    "hdr.bcc",
]


class DoveadmStore:
    def __init__(
        self,
        api: DoveadmApi,
        *,
        quarantine_folder: str = "Quarantine",
        sent_folders: Sequence[str] = SENT_NAMES,
        workers: int = 4,
        chunk_size: int = 25,
        user_masks: bool = True,
    ) -> None:
        """`user_masks=False` sends one command per mailbox (as when the userdb cannot
        list its users, which is detected and needs no setting)."""
        self.api = api
        self.quarantine_folder = quarantine_folder
        self.sent_names = tuple(sent_folders)
        self.chunk_size = chunk_size
        self._executor = ThreadPoolExecutor(max(1, workers), "phishloop-doveadm")
        self.reads = UserReads(
            api, self._executor, workers=workers, chunk_size=chunk_size, masks=user_masks
        )

    # -- MailStore -------------------------------------------------------------------------
    def list_mailboxes(self) -> list[str]:
        answer = self._one(("user", {"userMask": ["*"]}))
        return sorted(answer.get("userList", [])) if isinstance(answer, dict) else []

    def list_folders(self, mailbox: str) -> list[Folder]:
        answer = self._one(("mailboxList", {"user": mailbox}))
        names = [str(row["mailbox"]) for row in answer]
        sent = self._sent_name(names)
        return [Folder(n, frozenset({SENT}) if n == sent else frozenset()) for n in names]

    def sent_folder(self, mailbox: str) -> str | None:
        return self._sent_name([f.name for f in self.list_folders(mailbox)])

    def search(self, mailboxes: Sequence[str], query: SearchQuery) -> list[MailboxSearch]:
        return self.search_many(mailboxes, [query])[query]

    def search_many(
        self, mailboxes: Sequence[str], queries: Sequence[SearchQuery]
    ) -> dict[SearchQuery, list[MailboxSearch]]:
        """One fetch per mailbox whose query ORs every query's terms, then the folders and
        UIDVALIDITYs of the mailboxes that had rows only (most have none), both through
        user masks where they pay; the rows are split exactly per query."""
        wanted = list(dict.fromkeys(queries))
        combined = any_terms(wanted)
        marked = ["(", "(", *combined, ")", "or", *MARKER, ")"]  # every user answers rows

        def fetch(user: str) -> Command:
            query = marked if is_mask(user) else combined
            return ("fetch", {"user": user, "field": FIELDS, "query": query})

        # MARKER rows are dropped by the header criteria; a query without one would take
        # them as candidates, so then every mailbox is asked on its own
        decided = all(_by_headers(query) for query in wanted)

        def sweep(group: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
            """A group's fetch, then its hits' statuses while other groups still fetch."""
            answers = self.reads.read(fetch, group, masks=decided)
            rows = {m: _matching(answer, wanted) for m, answer in answers.items()}
            hits = [m for m, found in rows.items() if found and not failure(found)]
            return rows, self.reads.read(lambda user: _status(user, ["*"]), hits)

        plan = self.reads.plan(mailboxes, masks=decided)
        groups = [users for _, users in plan.masks] + _chunks(plan.singles, self.chunk_size)
        rows: dict[str, Any] = {}
        statuses: dict[str, Any] = {}
        with ThreadPoolExecutor(self.reads.workers, "phishloop-doveadm-sweep") as pool:
            for found, status in pool.map(sweep, groups):
                rows.update(found)
                statuses.update(status)
        results = self._executor.map(
            lambda m: self._results(m, wanted, statuses.get(m, []), rows[m]), mailboxes
        )
        out: dict[SearchQuery, list[MailboxSearch]] = {query: [] for query in wanted}
        for done in results:
            for query, result in done.items():
                out[query].append(result)
        return out

    def fetch(self, ref: MessageRef) -> bytes:
        status, text = self.api.call(
            [
                _status(ref.mailbox, [ref.folder]),
                _fetch_text(ref.mailbox, ref.folder, ref.uid, ref.message_id),
            ]
        )
        if (
            isinstance(status, CommandError)
            or _validities(status).get(ref.folder) != ref.uidvalidity
        ):
            raise MessageNotFound(f"{ref.mailbox}: {ref.folder} UID {ref.uid} is gone")
        if isinstance(text, CommandError) or not text:
            raise MessageNotFound(f"{ref.mailbox}: {ref.folder} UID {ref.uid} is gone")
        return str(text[0]["text"]).encode("utf-8", "surrogateescape")

    def quarantine(self, refs: Sequence[MessageRef]) -> list[MoveResult]:
        return self._move_all([MoveJob(ref, self.quarantine_folder) for ref in refs])

    def restore(self, moves: Sequence[Moved]) -> list[MoveResult]:
        return self._move_all([MoveJob(m.current, m.original.folder) for m in moves])

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.api.close()

    # -- search ----------------------------------------------------------------------------
    def _results(
        self, mailbox: str, queries: list[SearchQuery], status: Any, rows: Any
    ) -> dict[SearchQuery, MailboxSearch]:
        if not rows:
            return {query: MailboxSearch(mailbox) for query in queries}
        return {query: self._search_result(mailbox, query, status, rows) for query in queries}

    def _search_result(
        self, mailbox: str, query: SearchQuery, status: Any, rows: Any
    ) -> MailboxSearch:
        """`rows` are (row, summary) pairs, or the error of the mailbox's fetch."""
        for answer in (rows, status):
            error = failure(answer)
            if error is not None:
                return MailboxSearch(mailbox, error=f"{mailbox}: {error[0]}", transient=error[1])
        validities = _validities(status)
        folders = self._folders_for(list(validities), query)
        hits = []
        for row, summary in rows:
            folder = str(row["mailbox"])
            if folder not in folders:
                continue
            if headers_match(query, summary):
                hits.append(_found(mailbox, validities.get(folder, 0), row, summary))
        try:
            hits = self._check_content(mailbox, query, hits)
        except MailStoreError as exc:
            return MailboxSearch(mailbox, error=str(exc), transient=exc.transient)
        return MailboxSearch(mailbox, tuple(hits))

    def _folders_for(self, present: list[str], query: SearchQuery) -> set[str]:
        if not query.folders:
            return {name for name in present if name != self.quarantine_folder}
        sent = self._sent_name(present)
        wanted = {sent if name == SENT else name for name in query.folders}
        return {name for name in wanted if name is not None and name in present}

    def _check_content(
        self, mailbox: str, query: SearchQuery, hits: list[FoundMessage]
    ) -> list[FoundMessage]:
        if not query.needs_content or not hits:
            return hits
        if len(hits) > query.max_candidates:
            raise MailStoreError(
                f"{mailbox}: {len(hits)} candidates exceed max_candidates "
                f"{query.max_candidates}; narrow the search"
            )
        commands = [_fetch_text(mailbox, h.ref.folder, h.ref.uid, h.ref.message_id) for h in hits]
        answers = self.api.call(commands)
        keep = []
        for hit, answer in zip(hits, answers, strict=True):
            if isinstance(answer, CommandError) or not answer:
                continue
            raw = str(answer[0]["text"]).encode("utf-8", "surrogateescape")
            if content_matches(query, raw):
                keep.append(hit)
        return keep

    # -- moves -----------------------------------------------------------------------------
    def _move_all(self, jobs: list[MoveJob]) -> list[MoveResult]:
        """The fast way (`doveadm_fastmoves`) for what it settles exactly, the careful
        way (a look before each mailbox's moves) for the rest."""
        boxes, careful, results = split_fast(self.reads, jobs)
        results.update(move_fast(self.api, self.reads, boxes, self.chunk_size))
        by_mailbox: dict[str, list[MoveJob]] = defaultdict(list)
        for job in careful:
            by_mailbox[job.source.mailbox].append(job)
        chunks = _chunks(list(by_mailbox.items()), self.chunk_size)
        for done in self._executor.map(self._move_chunk, chunks):
            results.update(done)
        return [results[job] for job in jobs]

    def _move_chunk(self, groups: list[tuple[str, list[MoveJob]]]) -> dict[MoveJob, MoveResult]:
        """Two round trips: look (UIDVALIDITY, where each Message-ID sits), then move and
        look again; the difference says what moved where."""
        try:
            plans = [plan_moves(mailbox, jobs) for mailbox, jobs in groups]
            before = self.api.call([c for p in plans for c in p.look_commands()])
            moves: list[Command] = []
            for plan, answers in zip(
                plans, _split(before, [p.look_size for p in plans]), strict=True
            ):
                plan.read_before(answers)
                moves += plan.move_commands()
            after = self.api.call(moves)
        except MailStoreError as exc:
            reason, transient = str(exc), exc.transient
            return {
                job: MoveResult(job.source, Outcome.FAILED, reason=reason, transient=transient)
                for _, jobs in groups
                for job in jobs
            }
        results: dict[MoveJob, MoveResult] = {}
        for plan, answers in zip(plans, _split(after, [p.move_size for p in plans]), strict=True):
            results.update(settle_moves(plan, answers))
        return results

    # -- helpers ---------------------------------------------------------------------------
    def _one(self, command: Command) -> Any:
        answer = self.api.call([command])[0]
        if isinstance(answer, CommandError):
            raise MailStoreError(answer.reason, transient=answer.transient)
        return answer

    def _sent_name(self, names: Sequence[str]) -> str | None:
        lowered = {n.casefold(): n for n in names}
        matches = (lowered[s.casefold()] for s in self.sent_names if s.casefold() in lowered)
        return next(matches, None)


def terms(query: SearchQuery) -> list[str]:
    """doveadm search query (IMAP SEARCH keys); `matching` decides exactly afterwards."""
    out: list[str] = []
    if query.message_id is not None:
        out += ["header", "Message-ID", query.message_id]
    if query.sender is not None:
        out += ["from", query.sender]
    if query.subject is not None:
        out += ["subject", query.subject]
    if query.since is not None and dates_narrow(query):
        out += ["sentsince", (query.since.date() - timedelta(days=1)).isoformat()]
    if query.until is not None and dates_narrow(query):
        out += ["sentbefore", (query.until.date() + timedelta(days=2)).isoformat()]
    if query.references is not None:
        # infix OR in parentheses: doveadm refuses a bare OR mixed with other terms
        out += ["(", "header", "References", query.references, "or"]
        out += ["header", "In-Reply-To", query.references, ")"]
    if query.url is not None and "&" not in query.url:
        out += ["body", query.url]
    return out or ["all"]


def any_terms(queries: Sequence[SearchQuery]) -> list[str]:
    """One doveadm query matching whatever any of `queries` matches (split exactly later)."""
    groups = list(dict.fromkeys(tuple(terms(q)) for q in queries))
    if len(groups) == 1 or ("all",) in groups:
        return list(groups[0]) if len(groups) == 1 else ["all"]
    out = ["("]
    for index, group in enumerate(groups):
        out += (["or"] if index else []) + ["(", *group, ")"]
    return [*out, ")"]


def _status(mailbox: str, folders: list[str]) -> Command:
    return ("mailboxStatus", {"user": mailbox, "field": ["uidvalidity"], "mailboxMask": folders})


def _fetch_text(mailbox: str, folder: str, uid: str, message_id: str) -> Command:
    query = ["mailbox", folder, "uid", uid, "header", "Message-ID", message_id]
    return ("fetch", {"user": mailbox, "field": ["text"], "query": query})


def _validities(status: Any) -> dict[str, int]:
    return {str(row["mailbox"]): int(row["uidvalidity"]) for row in status or ()}


def _summary(row: dict[str, Any]) -> Summary:
    return summary_from_fields(
        message_id=str(row.get("hdr.message-id", "")),
        sender=str(row.get("hdr.from", "")),
        subject=decode_header_text(str(row.get("hdr.subject", ""))),
        date=str(row.get("hdr.date", "")),
        references=f"{row.get('hdr.references', '')} {row.get('hdr.in-reply-to', '')}",
        recipients=[str(row.get(f"hdr.{name}") or "") for name in ("to", "cc", "bcc")],
    )


def _by_headers(query: SearchQuery) -> bool:
    """Whether `headers_match` alone can turn a row away for `query`."""
    criteria = (query.message_id, query.sender, query.subject, query.references, query.since)
    return any(value is not None for value in (*criteria, query.until))


def _matching(answer: Any, queries: Sequence[SearchQuery]) -> Any:
    """(row, summary) for the rows some query's headers match (the others came for
    `MARKER`), or the answer itself when it is an error."""
    if failure(answer) is not None:
        return answer
    rows = [row for row in answer if any(_may_match(query, row) for query in queries)]
    pairs = [(row, _summary(row)) for row in rows]
    return [(r, s) for r, s in pairs if any(headers_match(q, s) for q in queries)]


def _may_match(query: SearchQuery, row: dict[str, Any]) -> bool:
    """Cheap necessary conditions of `headers_match` on the raw row, so that most rows
    (the MARKER's) are turned away before their addresses and date are parsed."""
    if query.message_id is not None and query.message_id[1:-1] not in str(
        row.get("hdr.message-id", "")
    ):
        return False
    references = f"{row.get('hdr.references', '')} {row.get('hdr.in-reply-to', '')}"
    if query.references is not None and query.references not in references:
        return False
    if query.subject is None:
        return True
    subject = decode_header_text(str(row.get("hdr.subject", ""))).strip()
    return query.subject.casefold() in subject.casefold()


def _found(mailbox: str, validity: int, row: dict[str, Any], summary: Summary) -> FoundMessage:
    ref = MessageRef(mailbox, str(row["mailbox"]), validity, str(row["uid"]), summary.message_id)
    flags = frozenset(str(row.get("flags", "")).split()) - {"\\Recent"}
    return summary.found(ref, flags, int(row.get("size.physical") or 0))


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), max(1, size))]


def _split(answers: list[Any], sizes: list[int]) -> Iterator[list[Any]]:
    start = 0
    for size in sizes:
        yield answers[start : start + size]
        start += size
