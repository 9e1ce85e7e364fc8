"""`MailStore` over Microsoft Graph (Microsoft 365), app-only.

Needs the application permission Mail.ReadWrite (and User.Read.All to list mailboxes).
Search lists `/users/{id}/messages` with a `$filter` on `internetMessageId`, the sender's
address and a `receivedDateTime` window; every candidate is then decided exactly like on
the other backends. The listing brings To/Cc/Bcc and References/In-Reply-To with each hit
(`SELECT`, `EXPAND`), so forwards are followed without a download. Folders are named by
path ("Inbox/Projects"); `uid` is the Graph message id, which changes when a message
moves, so every move returns the new one. Quarantine is a top-level folder under
msgfolderroot, created when missing. Moves, and `search_many`'s listings, go through JSON
batching (`graph_batch`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from phishloop.connectors.cloud.api import ApiClient, ApiFailure, TokenSource, json_object
from phishloop.connectors.cloud.batch import Answer, answer_json
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
    normalise_message_id,
)
from phishloop.connectors.mailstore.graph_batch import SubRequest, graph_batch
from phishloop.connectors.mailstore.graph_folders import GraphFolders, odata_next_link
from phishloop.connectors.mailstore.hosted import (
    CandidateBudget,
    api_errors,
    decide,
    failed,
    fan_out,
    search_error,
)
from phishloop.connectors.mailstore.matching import Summary

SELECT = (
    "id,internetMessageId,parentFolderId,isRead,from,subject,sentDateTime,receivedDateTime,"
    "toRecipients,ccRecipients,bccRecipients"
)
# References and In-Reply-To as MAPI properties (PidTagInternetReferences,
# PidTagInReplyToId): set on sent items too, where internetMessageHeaders (the transport
# headers of received mail) has nothing.
REFERENCES, IN_REPLY_TO = "String 0x1039", "String 0x1042"
EXPAND = f"singleValueExtendedProperties($filter=id eq '{REFERENCES}' or id eq '{IN_REPLY_TO}')"
# Mail can arrive long after its Date header; the server window is widened by this much
# and the exact check is made on the Date (sentDateTime).
_ARRIVAL_SLACK = timedelta(days=1)


class GraphMailStore:
    def __init__(
        self,
        api: ApiClient,
        tokens: TokenSource,
        *,
        quarantine_folder: str = "Quarantine",
        mailboxes: Sequence[str] = (),
        page_size: int = 100,
        workers: int = 4,
    ) -> None:
        self.api = api
        self.tokens = tokens
        self.quarantine_folder = quarantine_folder
        self.page_size = page_size
        self._configured = tuple(mailboxes)
        self._user_ids: dict[str, str] = {}
        self._folders: dict[str, GraphFolders] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max(1, workers), "phishloop-graph")

    # -- MailStore -------------------------------------------------------------------------
    def list_mailboxes(self) -> list[str]:
        """The configured `mailboxes`, else every user with a mail address."""
        if self._configured:
            return sorted(self._configured)
        params = {"$select": "id,mail,userPrincipalName", "$top": "999"}
        with api_errors():
            users = list(self.api.pages("/users", self.tokens, params, next_link=odata_next_link))
        for user in users:
            if user.get("mail"):
                self._user_ids[str(user["mail"]).lower()] = str(user["id"])
        return sorted(str(user["mail"]) for user in users if user.get("mail"))

    def list_folders(self, mailbox: str) -> list[Folder]:
        folders = self._folder_tree(mailbox)
        with api_errors():
            sent = folders.sent_path()
            return [Folder(p, frozenset({SENT}) if p == sent else frozenset())
                    for p in folders.paths()]  # fmt: skip

    def sent_folder(self, mailbox: str) -> str | None:
        with api_errors():
            return self._folder_tree(mailbox).sent_path()

    def search(self, mailboxes: Sequence[str], query: SearchQuery) -> list[MailboxSearch]:
        return self._search_each(mailboxes, query, {})

    def search_many(
        self, mailboxes: Sequence[str], queries: Sequence[SearchQuery]
    ) -> dict[SearchQuery, list[MailboxSearch]]:
        """Every query over every mailbox. The first pages of the listings that need no
        folder tree (the whole mailbox, the sent items) come in JSON batches, 20 listings
        a round trip; further pages and folder-scoped listings as in `search`."""
        unique = list(dict.fromkeys(queries))
        listings = [(box, query, scope) for query in unique for box in mailboxes
                    if (scope := self._plain_scope(box, query)) is not None]  # fmt: skip
        first: dict[tuple[str, SearchQuery, str], Answer] = {}
        if len(listings) > 1:
            requests = [
                SubRequest("GET", scope, self._params(query)) for _, query, scope in listings
            ]
            first = dict(zip(listings, self._batch(requests), strict=True))
        return {query: self._search_each(mailboxes, query, first) for query in unique}

    def fetch(self, ref: MessageRef) -> bytes:
        with api_errors():
            response = self.api.call("GET", f"{self._message(ref)}/$value", self.tokens)
        if response.status_code == 404:
            raise MessageNotFound(f"{ref.mailbox}: message {ref.uid[:24]}… is gone")
        if not response.is_success:
            exc = self.api.failure(response, "GET", f"{self._message(ref)}/$value")
            raise MailStoreError(str(exc), transient=exc.transient)
        return response.content

    def quarantine(self, refs: Sequence[MessageRef]) -> list[MoveResult]:
        return self._quarantine_all(refs)

    def restore(self, moves: Sequence[Moved]) -> list[MoveResult]:
        return self._restore_all(moves)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.api.close()

    # -- search ----------------------------------------------------------------------------
    def _search_each(
        self, mailboxes: Sequence[str], query: SearchQuery, first: _FirstPages
    ) -> list[MailboxSearch]:
        return fan_out(self._executor, lambda box: self._search_one(box, query, first), mailboxes)

    def _search_one(self, mailbox: str, query: SearchQuery, first: _FirstPages) -> MailboxSearch:
        try:
            hits: list[FoundMessage] = []
            for scope in self._scopes(mailbox, query):
                page = first.get((mailbox, query, scope))
                hits.extend(self._search_scope(mailbox, scope, query, page))
        except (ApiFailure, MailStoreError) as exc:
            return search_error(mailbox, exc)
        return MailboxSearch(mailbox, tuple(hits))

    def _plain_scope(self, mailbox: str, query: SearchQuery) -> str | None:
        """The listing of a search over the whole mailbox or the sent items (no folder tree
        needed to name it); None for other folders."""
        if not query.folders or query.folders == (SENT,):
            return self._scopes(mailbox, query)[0]
        return None

    def _scopes(self, mailbox: str, query: SearchQuery) -> list[str]:
        user = self._user_path(mailbox)
        if not query.folders:
            return [f"{user}/messages"]
        scopes = []
        for name in query.folders:
            folder_id = "sentitems" if name == SENT else self._folder_tree(mailbox).id_of(name)
            if folder_id is not None:
                scopes.append(f"{user}/mailFolders/{quote(folder_id, safe='')}/messages")
        return scopes

    def _params(self, query: SearchQuery) -> dict[str, str]:
        params = {"$select": SELECT, "$expand": EXPAND, "$top": str(self.page_size)}
        expression = graph_filter(query)
        if expression:
            params["$filter"] = expression
        return params

    def _search_scope(
        self, mailbox: str, scope: str, query: SearchQuery, page: Answer | None
    ) -> list[FoundMessage]:
        first = None if page is None else answer_json(self.api, page, "GET", scope)
        budget = CandidateBudget(mailbox, query)
        hits = []
        for item in self.api.pages(scope, self.tokens, self._params(query),
                                   next_link=odata_next_link, first=first):  # fmt: skip
            hit = self._candidate(mailbox, item, query, budget)
            if hit is not None:
                hits.append(hit)
        return hits

    def _batch(self, requests: Sequence[SubRequest]) -> list[Answer]:
        """JSON batches, side by side on the workers (never call this from a worker)."""
        return graph_batch(self.api, self.tokens, requests, self._executor)

    def _candidate(
        self, mailbox: str, item: dict[str, Any], query: SearchQuery, budget: CandidateBudget
    ) -> FoundMessage | None:
        folder = self._folder_tree(mailbox).path_of(str(item.get("parentFolderId", "")))
        if folder == self.quarantine_folder:
            return None
        ref = MessageRef(mailbox, folder, 0, str(item["id"]), "")
        summary = summary_of(item)

        def content() -> bytes:
            budget.spend()
            return self.fetch(ref)

        if not decide(query, summary, content):
            return None
        ref = MessageRef(mailbox, folder, 0, ref.uid, summary.message_id)
        flags = frozenset({SEEN}) if item.get("isRead") else frozenset()
        return summary.found(ref, flags)

    # -- moves -----------------------------------------------------------------------------
    # Moves go through JSON batches (20 per round trip); a 404 means an earlier run moved
    # the message (it sits in the destination under a new id) or it is gone, which one
    # batch of look-ups in the destination folders tells.
    def _quarantine_all(self, refs: Sequence[MessageRef]) -> list[MoveResult]:
        book = ResultBook(list(refs))
        unique = list(dict.fromkeys(refs))
        mailboxes = list(dict.fromkeys(ref.mailbox for ref in unique))
        destinations = dict(zip(mailboxes, fan_out(self._executor, self._quarantine_id,
                                                   mailboxes), strict=True))  # fmt: skip
        moves, present = [], []
        for ref in unique:
            destination = destinations[ref.mailbox]
            if not isinstance(destination, str):
                book.add(failed(ref, destination))
            elif ref.folder == self.quarantine_folder:
                present.append(ref)
            else:
                moves.append(_Move(ref, destination, self.quarantine_folder))
        self._check_present(present, book)
        self._move_all(moves, book)
        return book.ordered()

    def _restore_all(self, placements: Sequence[Moved]) -> list[MoveResult]:
        book = ResultBook([move.current for move in placements])
        unique = list(dict.fromkeys(placements))
        originals = list(dict.fromkeys((m.original.mailbox, m.original.folder) for m in unique))
        found = fan_out(self._executor, lambda key: self._folder_id(*key), originals)
        destinations = dict(zip(originals, found, strict=True))
        moves = []
        for move in unique:
            original, current = move.original, move.current
            destination = destinations[(original.mailbox, original.folder)]
            if destination is None:
                reason = f"the original folder {original.folder!r} no longer exists"
                book.add(MoveResult(current, Outcome.FAILED, reason=reason))
            elif not isinstance(destination, str):
                book.add(failed(current, destination))
            else:
                moves.append(_Move(current, destination, original.folder))
        self._move_all(moves, book)
        return book.ordered()

    def _quarantine_id(self, mailbox: str) -> str | ApiFailure | MailStoreError:
        try:
            return self._folder_tree(mailbox).ensure(self.quarantine_folder)
        except (ApiFailure, MailStoreError) as exc:
            return exc

    def _folder_id(self, mailbox: str, folder: str) -> str | ApiFailure | MailStoreError | None:
        try:
            return self._folder_tree(mailbox).id_of(folder)
        except (ApiFailure, MailStoreError) as exc:
            return exc

    def _move_all(self, moves: Sequence[_Move], book: ResultBook) -> None:
        requests = [SubRequest("POST", f"{self._message(m.ref)}/move",
                               body={"destinationId": m.destination}) for m in moves]  # fmt: skip
        gone = []
        for move, request, answer in zip(moves, requests, self._batch(requests), strict=True):
            if isinstance(answer, ApiFailure):
                book.add(failed(move.ref, answer))
            elif answer.status_code == 404:
                gone.append(move)
            elif not answer.is_success:
                book.add(failed(move.ref, self.api.failure(answer, "POST", request.path)))
            else:
                uid = str(json_object(answer).get("id", ""))
                target = MessageRef(move.ref.mailbox, move.folder, 0, uid, move.ref.message_id)
                book.add(MoveResult(move.ref, Outcome.MOVED, target))
        self._already_or_missing(gone, book)

    def _already_or_missing(self, gone: Sequence[_Move], book: ResultBook) -> None:
        """The ids are gone: an earlier run moved them (they sit in their destination under
        another id), or they are gone for good."""
        requests = []
        for move in gone:
            folder = quote(move.destination, safe="")
            scope = f"{self._user_path(move.ref.mailbox)}/mailFolders/{folder}"
            params = {"$filter": f"internetMessageId eq '{odata(move.ref.message_id)}'",
                      "$select": "id"}  # fmt: skip
            requests.append(SubRequest("GET", f"{scope}/messages", params))
        for move, request, answer in zip(gone, requests, self._batch(requests), strict=True):
            ref = move.ref
            if isinstance(answer, ApiFailure):
                book.add(failed(ref, answer))
            elif not answer.is_success:
                book.add(failed(ref, self.api.failure(answer, "GET", request.path)))
            elif items := json_object(answer).get("value") or []:
                target = MessageRef(ref.mailbox, move.folder, 0, str(items[0]["id"]),
                                    ref.message_id)  # fmt: skip
                book.add(MoveResult(ref, Outcome.ALREADY, target))
            else:
                reason = f"not in {ref.folder} nor {move.folder}"
                book.add(MoveResult(ref, Outcome.NOT_FOUND, reason=reason))

    def _check_present(self, refs: Sequence[MessageRef], book: ResultBook) -> None:
        """References already in quarantine: ALREADY while the message is there."""
        requests = [SubRequest("GET", self._message(ref), {"$select": "id"}) for ref in refs]
        for ref, request, answer in zip(refs, requests, self._batch(requests), strict=True):
            if isinstance(answer, ApiFailure):
                book.add(failed(ref, answer))
            elif answer.status_code == 404:
                book.add(MoveResult(ref, Outcome.NOT_FOUND, reason=f"not in {ref.folder}"))
            elif not answer.is_success:
                book.add(failed(ref, self.api.failure(answer, "GET", request.path)))
            else:
                book.add(MoveResult(ref, Outcome.ALREADY, ref))

    # -- paths -----------------------------------------------------------------------------
    def _user_path(self, mailbox: str) -> str:
        # Graph addresses users by id or userPrincipalName; the listing maps mail → id.
        user = self._user_ids.get(mailbox.lower(), mailbox)
        return f"/users/{quote(user, safe='@')}"

    def _message(self, ref: MessageRef) -> str:
        return f"{self._user_path(ref.mailbox)}/messages/{quote(ref.uid, safe='')}"

    def _folder_tree(self, mailbox: str) -> GraphFolders:
        with self._lock:
            if mailbox not in self._folders:
                self._folders[mailbox] = GraphFolders(
                    self.api, self.tokens, self._user_path(mailbox), self.page_size
                )
            return self._folders[mailbox]


_FirstPages = dict[tuple[str, SearchQuery, str], Answer]  # (mailbox, query, scope) → page


@dataclass(frozen=True, slots=True)
class _Move:
    ref: MessageRef
    destination: str  # folder id
    folder: str  # its path


def graph_filter(query: SearchQuery) -> str:
    """The `$filter` that narrows candidates on the server (exact checks follow)."""
    terms = []
    if query.message_id is not None:
        terms.append(f"internetMessageId eq '{odata(query.message_id)}'")
    if query.sender is not None and _is_address(query.sender):
        terms.append(f"from/emailAddress/address eq '{odata(query.sender)}'")
    if query.since is not None:
        terms.append(f"receivedDateTime ge {_instant(query.since)}")
    if query.until is not None:
        terms.append(f"receivedDateTime le {_instant(query.until + _ARRIVAL_SLACK)}")
    return " and ".join(terms)


def summary_of(item: dict[str, Any]) -> Summary:
    sender = (item.get("from") or {}).get("emailAddress") or {}
    name, address = str(sender.get("name") or ""), str(sender.get("address") or "")
    shown = f"{name} <{address}>" if name and name != address else address
    message_id = str(item.get("internetMessageId") or "").strip()
    properties = {_property_key(str(p.get("id", ""))): str(p.get("value") or "")
                  for p in item.get("singleValueExtendedProperties") or []
                  if isinstance(p, dict)}  # fmt: skip
    return Summary(
        normalise_message_id(message_id) if message_id else "",
        shown,
        str(item.get("subject") or ""),
        _parse(item.get("sentDateTime") or item.get("receivedDateTime")),
        " ".join(properties.get(_property_key(p), "") for p in (REFERENCES, IN_REPLY_TO)),
        addresses_of(item),
    )


def addresses_of(item: dict[str, Any]) -> tuple[str, ...]:
    """The To, Cc and Bcc addresses of a Graph message, in order."""
    found = []
    for kind in ("toRecipients", "ccRecipients", "bccRecipients"):
        for recipient in item.get(kind) or []:
            address = str(((recipient or {}).get("emailAddress") or {}).get("address") or "")
            if "@" in address:
                found.append(address)
    return tuple(found)


def _property_key(name: str) -> str:
    """A property id in one spelling: Graph may answer "String 0x1039" in other case or
    with leading zeros."""
    kind, _, tag = name.strip().partition(" ")
    try:
        return f"{kind.lower()} 0x{int(tag, 16):x}"
    except ValueError:
        return name.strip().lower()


def odata(value: str) -> str:
    """An OData string literal's content: single quotes doubled."""
    return value.replace("'", "''")


def _is_address(value: str) -> bool:
    """A whole address (a sender criterion like "@evil.test" is a substring: not one)."""
    local, at, domain = value.rpartition("@")
    return bool(at and local and domain) and not any(c in value for c in " <>\"'")


def _instant(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
