"""`MailStore` over the Gmail API (Google Workspace), with domain-wide delegation.

A service account acts for each user (`sub` in its signed JWT) with the scope
gmail.modify. Search sends `q` (`rfc822msgid:`, `from:`, `subject:`, `after:`/`before:` as
epoch seconds) and reads each candidate's headers (format=metadata: the summary, References,
In-Reply-To, To, Cc, Bcc) for the exact check and the forward walk. Several calls for one
user go through Gmail's batch endpoint (`gmail_batch`).
`uid` is the Gmail message id, which never changes. "Quarantine" is a label (created when
missing) that replaces the labels showing the message anywhere — see `gmail_labels`.
Read status is the absence of UNREAD. Sent messages keep the SENT label (Gmail lets no one
remove it), so in quarantine they are labelled but still listed in Sent.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from phishloop.connectors.cloud.api import ApiClient, ApiFailure, error_of, json_object
from phishloop.connectors.cloud.batch import Answer, answer_json
from phishloop.connectors.cloud.google import DelegatedTokens, UserTokens
from phishloop.connectors.mailstore.base import (
    SEEN,
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
    ResultBook,
    SearchQuery,
)
from phishloop.connectors.mailstore.gmail_batch import Call, gmail_batch
from phishloop.connectors.mailstore.gmail_labels import (
    ARCHIVE,
    GmailLabels,
    quarantined_uid,
    split_uid,
    user_path,
)
from phishloop.connectors.mailstore.hosted import (
    CandidateBudget,
    api_errors,
    decide,
    failed,
    fan_out,
    search_error,
)
from phishloop.connectors.mailstore.matching import summary_from_fields

GMAIL_SCOPE = "https://www.googleapis.com/auth/gmail.modify"
HEADERS = ["Message-ID", "From", "Subject", "Date", "References", "In-Reply-To", "To", "Cc", "Bcc"]
_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
_ARRIVAL_SLACK = timedelta(days=1)


def gmail_throttled(response: httpx.Response) -> bool:
    """Gmail signals quota exhaustion as 403 with a rate-limit reason (and as 429)."""
    return response.status_code == 403 and error_of(response)[0] in _RATE_REASONS


class GmailStore:
    def __init__(
        self,
        api: ApiClient,
        tokens: DelegatedTokens,
        *,
        mailboxes: Sequence[str],
        quarantine_folder: str = "Phishloop Quarantine",
        page_size: int = 100,
        workers: int = 4,
    ) -> None:
        self.api = api
        self.tokens = tokens
        self.quarantine_folder = quarantine_folder
        self.page_size = page_size
        self._mailboxes = tuple(mailboxes)
        self._labels: dict[str, GmailLabels] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max(1, workers), "phishloop-gmail")

    # -- MailStore -------------------------------------------------------------------------
    def list_mailboxes(self) -> list[str]:
        return sorted(self._mailboxes)

    def list_folders(self, mailbox: str) -> list[Folder]:
        with api_errors():
            names = self._label_set(mailbox).names()
        return [Folder(n, frozenset({SENT}) if n == "SENT" else frozenset()) for n in names]

    def sent_folder(self, mailbox: str) -> str | None:
        return "SENT"

    def search(self, mailboxes: Sequence[str], query: SearchQuery) -> list[MailboxSearch]:
        return self.search_many(mailboxes, [query])[query]

    def search_many(
        self, mailboxes: Sequence[str], queries: Sequence[SearchQuery]
    ) -> dict[SearchQuery, list[MailboxSearch]]:
        """Every query over every mailbox, a mailbox per worker: the first page of each
        query's listing in one batch, then every candidate's headers once for all the
        queries, in batches."""
        unique = list(dict.fromkeys(queries))
        found = fan_out(self._executor, lambda box: self._search_box(box, unique), mailboxes)
        return {query: [answers[query] for answers in found] for query in unique}

    def fetch(self, ref: MessageRef) -> bytes:
        with api_errors():
            body = self._message(ref.mailbox, split_uid(ref.uid)[0], "raw")
        if body is None:
            raise MessageNotFound(f"{ref.mailbox}: message {ref.uid} is gone")
        try:
            raw = str(body.get("raw", ""))
            return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        except (binascii.Error, ValueError):
            raise MailStoreError(f"{ref.mailbox}: Gmail returned a malformed raw message") from None

    def quarantine(self, refs: Sequence[MessageRef]) -> list[MoveResult]:
        book = ResultBook(list(refs))
        by_mailbox: dict[str, list[MessageRef]] = defaultdict(list)
        for ref in dict.fromkeys(refs):
            by_mailbox[ref.mailbox].append(ref)
        work = list(by_mailbox.items())
        for results in fan_out(self._executor, lambda item: self._quarantine_box(*item), work):
            for result in results:
                book.add(result)
        return book.ordered()

    def restore(self, moves: Sequence[Moved]) -> list[MoveResult]:
        book = ResultBook([move.current for move in moves])
        by_mailbox: dict[str, list[Moved]] = defaultdict(list)
        for move in dict.fromkeys(moves):
            by_mailbox[move.current.mailbox].append(move)
        work = list(by_mailbox.items())
        for results in fan_out(self._executor, lambda item: self._restore_box(*item), work):
            for result in results:
                book.add(result)
        return book.ordered()

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.api.close()

    # -- search ----------------------------------------------------------------------------
    def _search_box(
        self, mailbox: str, queries: Sequence[SearchQuery]
    ) -> dict[SearchQuery, MailboxSearch]:
        """List each query's candidates, read their headers (format=metadata) once, and
        decide each exactly per query. Errors stay with their query."""
        errors: dict[SearchQuery, MailboxSearch] = {}
        listings: list[tuple[SearchQuery, Call]] = []
        for query in queries:
            try:
                listings += [(query, self._listing(mailbox, query, label))
                             for label in self._scopes(mailbox, query)]  # fmt: skip
            except (ApiFailure, MailStoreError) as exc:
                errors[query] = search_error(mailbox, exc)
        candidates: dict[SearchQuery, dict[str, None]] = {query: {} for query in queries}
        budgets = {query: CandidateBudget(mailbox, query) for query in queries}
        calls = [call for _, call in listings]
        for (query, call), first in zip(listings, self._send(mailbox, calls), strict=True):
            try:
                for gmail_id in self._candidates(mailbox, call, first):
                    if query not in errors and gmail_id not in candidates[query]:
                        budgets[query].spend()
                        candidates[query][gmail_id] = None
            except (ApiFailure, MailStoreError) as exc:
                errors.setdefault(query, search_error(mailbox, exc))
        wanted = list(dict.fromkeys(i for q in queries if q not in errors for i in candidates[q]))
        bodies = dict(zip(wanted, self._get_many(mailbox, wanted, "metadata"), strict=True))
        return {query: errors.get(query) or self._decide(mailbox, query, candidates[query], bodies)
                for query in queries}  # fmt: skip

    def _scopes(self, mailbox: str, query: SearchQuery) -> list[str | None]:
        if not query.folders:
            return [None]
        labels = self._label_set(mailbox)
        wanted = ["SENT" if name == SENT else labels.id_of(name) for name in query.folders]
        return [label for label in wanted if label is not None]

    def _listing(self, mailbox: str, query: SearchQuery, label: str | None) -> Call:
        params = [("maxResults", str(self.page_size))]
        if text := gmail_query(query):
            params.append(("q", text))
        if label is not None:
            params.append(("labelIds", label))
        return Call("GET", f"{user_path(mailbox)}/messages", params)

    def _candidates(self, mailbox: str, listing: Call, first: Answer) -> list[str]:
        """The ids of a listing, its first page read already; further pages one by one."""
        pages = self.api.pages(
            listing.path,
            self._tokens(mailbox),
            dict(listing.params),
            next_link=lambda body: None,
            next_params=_next_page,
            items="messages",
            first=answer_json(self.api, first, "GET", listing.path),
        )
        return [str(item["id"]) for item in pages]

    def _decide(
        self,
        mailbox: str,
        query: SearchQuery,
        ids: Iterable[str],
        bodies: dict[str, dict[str, Any] | ApiFailure | None],
    ) -> MailboxSearch:
        hits = []
        try:
            for gmail_id in ids:
                body = bodies[gmail_id]
                if isinstance(body, ApiFailure):
                    raise body
                hit = None if body is None else self._candidate(mailbox, gmail_id, body, query)
                if hit is not None:
                    hits.append(hit)
        except (ApiFailure, MailStoreError) as exc:
            return search_error(mailbox, exc)
        return MailboxSearch(mailbox, tuple(hits))

    def _candidate(
        self, mailbox: str, gmail_id: str, body: dict[str, Any], query: SearchQuery
    ) -> FoundMessage | None:
        labels = self._label_set(mailbox)
        label_ids = [str(label) for label in body.get("labelIds", [])]
        quarantine = labels.id_of(self.quarantine_folder)
        if quarantine in label_ids:
            return None
        headers = _headers(body)
        summary = summary_from_fields(
            message_id=_first(headers, "message-id"),
            sender=_first(headers, "from"),
            subject=_first(headers, "subject"),
            date=_first(headers, "date"),
            references=f"{_first(headers, 'references')} {_first(headers, 'in-reply-to')}",
            recipients=[v for name in ("to", "cc", "bcc") for v in headers.get(name, [])],
        )
        ref = MessageRef(mailbox, labels.place(label_ids, quarantine), 0, gmail_id,
                         summary.message_id)  # fmt: skip
        if not decide(query, summary, lambda: self.fetch(ref)):
            return None
        flags = frozenset() if "UNREAD" in label_ids else frozenset({SEEN})
        return summary.found(ref, flags, int(body.get("sizeEstimate") or 0))

    # -- moves -----------------------------------------------------------------------------
    # Per mailbox (one user's token): the messages' labels read, then changed, each step in
    # batches.
    def _quarantine_box(self, mailbox: str, refs: Sequence[MessageRef]) -> list[MoveResult]:
        try:
            labels = self._label_set(mailbox)
            quarantine = labels.id_of(self.quarantine_folder)
            present = self._label_ids(mailbox, [split_uid(ref.uid)[0] for ref in refs])
        except (ApiFailure, MailStoreError) as exc:
            return [failed(ref, exc) for ref in refs]
        results, todo = [], []
        for ref, current in zip(refs, present, strict=True):
            if isinstance(current, ApiFailure):
                results.append(failed(ref, current))
            elif current is None:
                results.append(MoveResult(ref, Outcome.NOT_FOUND, reason="no such message"))
            elif quarantine is not None and quarantine in current:
                # An earlier run did it; what it removed is best guessed from the ref's place.
                earlier = [i for i in [labels.id_of(ref.folder)] if i and i not in current]
                results.append(MoveResult(ref, Outcome.ALREADY, self._in_quarantine(ref, earlier)))
            else:
                todo.append((ref, current))
        if not todo:
            return results
        try:
            quarantine = labels.ensure(self.quarantine_folder)
            changes = [(ref, labels.removable(current, quarantine)) for ref, current in todo]
        except (ApiFailure, MailStoreError) as exc:
            return results + [failed(ref, exc) for ref, _ in todo]
        answers = self._modify(mailbox, [(split_uid(ref.uid)[0], [quarantine], removed)
                                         for ref, removed in changes])  # fmt: skip
        for (ref, removed), error in zip(changes, answers, strict=True):
            moved = MoveResult(ref, Outcome.MOVED, self._in_quarantine(ref, removed))
            results.append(moved if error is None else failed(ref, error))
        return results

    def _restore_box(self, mailbox: str, moves: Sequence[Moved]) -> list[MoveResult]:
        currents = [move.current for move in moves]
        try:
            labels = self._label_set(mailbox)
            quarantine = labels.id_of(self.quarantine_folder)
            present = self._label_ids(mailbox, [split_uid(ref.uid)[0] for ref in currents])
            wanted = [self._put_back(labels, move) for move in moves]
        except (ApiFailure, MailStoreError) as exc:
            return [failed(ref, exc) for ref in currents]
        results, changes = [], []
        for move, labels_now, removed in zip(moves, present, wanted, strict=True):
            original, current = move.original, move.current
            gmail_id = split_uid(current.uid)[0]
            target = MessageRef(original.mailbox, original.folder, 0, gmail_id,
                                original.message_id)  # fmt: skip
            if isinstance(labels_now, ApiFailure):
                results.append(failed(current, labels_now))
            elif labels_now is None:
                results.append(MoveResult(current, Outcome.NOT_FOUND, reason="no such message"))
            elif quarantine not in labels_now and set(removed) <= set(labels_now):
                results.append(MoveResult(current, Outcome.ALREADY, target))
            else:
                changes.append((current, target, gmail_id, removed))
        drop = [quarantine] if quarantine else []
        answers = self._modify(mailbox, [(gid, removed, drop) for _, _, gid, removed in changes])
        for (current, target, _, _), error in zip(changes, answers, strict=True):
            moved = MoveResult(current, Outcome.MOVED, target)
            results.append(moved if error is None else failed(current, error))
        return results

    def _put_back(self, labels: GmailLabels, move: Moved) -> list[str]:
        """The labels a restore adds: those quarantine removed (kept in the uid), else the
        original folder's label."""
        removed = split_uid(move.current.uid)[1]
        if not removed and move.original.folder not in (ARCHIVE, "SENT", "DRAFT"):
            removed = [i for i in [labels.id_of(move.original.folder)] if i]
        return removed

    def _in_quarantine(self, ref: MessageRef, removed: list[str]) -> MessageRef:
        uid = quarantined_uid(split_uid(ref.uid)[0], removed)
        return MessageRef(ref.mailbox, self.quarantine_folder, 0, uid, ref.message_id)

    # -- API -------------------------------------------------------------------------------
    def _message(self, mailbox: str, gmail_id: str, form: str) -> dict[str, Any] | None:
        """One message in `form` (minimal, metadata, raw); None when it does not exist."""
        [answer] = self._get_many(mailbox, [gmail_id], form)
        if isinstance(answer, ApiFailure):
            raise answer
        return answer

    def _get_many(
        self, mailbox: str, ids: Sequence[str], form: str
    ) -> list[dict[str, Any] | ApiFailure | None]:
        """Each message in `form`: its body, None when it does not exist, or the failure."""
        params = [("format", form)]
        if form == "metadata":
            params += [("metadataHeaders", name) for name in HEADERS]
        calls = [Call("GET", self._path(mailbox, gmail_id), params) for gmail_id in ids]
        out: list[dict[str, Any] | ApiFailure | None] = []
        for call, answer in zip(calls, self._send(mailbox, calls), strict=True):
            if isinstance(answer, ApiFailure):
                out.append(answer)
            elif answer.status_code == 404:
                out.append(None)
            elif not answer.is_success:
                out.append(self.api.failure(answer, "GET", call.path))
            else:
                out.append(json_object(answer))
        return out

    def _label_ids(self, mailbox: str, ids: Sequence[str]) -> list[list[str] | ApiFailure | None]:
        return [body if body is None or isinstance(body, ApiFailure)
                else [str(label) for label in body.get("labelIds", [])]
                for body in self._get_many(mailbox, ids, "minimal")]  # fmt: skip

    def _modify(
        self, mailbox: str, changes: Sequence[tuple[str, list[str], list[str]]]
    ) -> list[ApiFailure | None]:
        """Add and remove labels: (id, add, remove) each; None where it worked."""
        calls = [Call("POST", f"{self._path(mailbox, gmail_id)}/modify",
                      body={"addLabelIds": add, "removeLabelIds": remove})
                 for gmail_id, add, remove in changes]  # fmt: skip
        out: list[ApiFailure | None] = []
        for call, answer in zip(calls, self._send(mailbox, calls), strict=True):
            if isinstance(answer, ApiFailure):
                out.append(answer)
            elif answer.is_success:
                out.append(None)
            else:
                out.append(self.api.failure(answer, "POST", call.path))
        return out

    def _send(self, mailbox: str, calls: Sequence[Call]) -> list[Answer]:
        """One call directly; more in batches of the user's calls."""
        if len(calls) != 1:
            return gmail_batch(self.api, self._tokens(mailbox), calls) if calls else []
        [call] = calls
        try:
            return [self.api.call(call.method, call.path, self._tokens(mailbox),
                                  params=list(call.params), json=call.body)]  # fmt: skip
        except ApiFailure as exc:
            return [exc]

    def _path(self, mailbox: str, gmail_id: str) -> str:
        return f"{user_path(mailbox)}/messages/{quote(gmail_id, safe='')}"

    def _tokens(self, mailbox: str) -> UserTokens:
        return self.tokens.for_user(mailbox)

    def _label_set(self, mailbox: str) -> GmailLabels:
        with self._lock:
            if mailbox not in self._labels:
                self._labels[mailbox] = GmailLabels(
                    self.api, self._tokens(mailbox), user_path(mailbox)
                )
            return self._labels[mailbox]


def gmail_query(query: SearchQuery) -> str:
    """The `q` that narrows candidates on the server (exact checks follow)."""
    terms = []
    if query.message_id is not None:
        terms.append(f"rfc822msgid:{query.message_id.strip('<>')}")
    if query.sender is not None:
        terms.append(f'from:"{_quoted(query.sender)}"')
    if query.subject is not None:
        terms.append(f'subject:"{_quoted(query.subject)}"')
    if query.since is not None:
        terms.append(f"after:{_epoch(query.since) - 1}")
    if query.until is not None:
        terms.append(f"before:{_epoch(query.until + _ARRIVAL_SLACK)}")
    return " ".join(terms)


def _quoted(value: str) -> str:
    return value.replace('"', " ").replace("\\", " ")


def _epoch(value: datetime) -> int:
    return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp())


def _next_page(body: dict[str, Any]) -> dict[str, str] | None:
    token = body.get("nextPageToken")
    return {"pageToken": str(token)} if token else None


def _headers(body: dict[str, Any]) -> dict[str, list[str]]:
    """Header values by lower-cased name (To, Cc and Bcc may each come more than once)."""
    payload = body.get("payload") or {}
    headers: dict[str, list[str]] = defaultdict(list)
    for header in payload.get("headers", []):
        headers[str(header.get("name", "")).lower()].append(str(header.get("value", "")))
    return headers


def _first(headers: dict[str, list[str]], name: str) -> str:
    return next(iter(headers.get(name, [])), "")
