"""`MailStore` over Microsoft Graph (Microsoft 365), app-only.

Needs the application permission Mail.ReadWrite (and User.Read.All to list mailboxes).
Search lists `/users/{id}/messages` with a `$filter` on `internetMessageId`, the sender's
address and a `receivedDateTime` window; every candidate is then decided exactly like on
the other backends. Folders are named by path ("Inbox/Projects"); `uid` is the Graph
message id, which changes when a message moves, so every move returns the new one.
Quarantine is a top-level folder under msgfolderroot, created when missing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from phishloop.connectors.cloud.api import ApiClient, ApiFailure, TokenSource
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
    SearchQuery,
    normalise_message_id,
    search_each,
)
from phishloop.connectors.mailstore.graph_folders import GraphFolders, odata_next_link
from phishloop.connectors.mailstore.hosted import (
    CandidateBudget,
    api_errors,
    decide,
    failed,
    fan_out,
    search_error,
)
from phishloop.connectors.mailstore.matching import Summary, summarise

SELECT = "id,internetMessageId,parentFolderId,isRead,from,subject,sentDateTime,receivedDateTime"
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
        return fan_out(self._executor, lambda box: self._search_one(box, query), mailboxes)

    def search_many(
        self, mailboxes: Sequence[str], queries: Sequence[SearchQuery]
    ) -> dict[SearchQuery, list[MailboxSearch]]:
        return search_each(self, mailboxes, queries)

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
        return fan_out(self._executor, self._quarantine_one, refs)

    def restore(self, moves: Sequence[Moved]) -> list[MoveResult]:
        return fan_out(self._executor, self._restore_one, moves)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.api.close()

    # -- search ----------------------------------------------------------------------------
    def _search_one(self, mailbox: str, query: SearchQuery) -> MailboxSearch:
        try:
            hits: list[FoundMessage] = []
            for scope in self._scopes(mailbox, query):
                hits.extend(self._search_scope(mailbox, scope, query))
        except (ApiFailure, MailStoreError) as exc:
            return search_error(mailbox, exc)
        return MailboxSearch(mailbox, tuple(hits))

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

    def _search_scope(self, mailbox: str, scope: str, query: SearchQuery) -> list[FoundMessage]:
        params = {"$select": SELECT, "$top": str(self.page_size)}
        expression = graph_filter(query)
        if expression:
            params["$filter"] = expression
        budget = CandidateBudget(mailbox, query)
        hits = []
        for item in self.api.pages(scope, self.tokens, params, next_link=odata_next_link):
            hit = self._candidate(mailbox, item, query, budget)
            if hit is not None:
                hits.append(hit)
        return hits

    def _candidate(
        self, mailbox: str, item: dict[str, Any], query: SearchQuery, budget: CandidateBudget
    ) -> FoundMessage | None:
        folder = self._folder_tree(mailbox).path_of(str(item.get("parentFolderId", "")))
        if folder == self.quarantine_folder:
            return None
        ref = MessageRef(mailbox, folder, 0, str(item["id"]), "")
        summary = summary_of(item)
        raw: bytes | None = None
        if query.references is not None:  # Graph lists no References: read the headers
            budget.spend()
            raw = self.fetch(ref)
            summary = summarise(raw)

        def content() -> bytes:
            if raw is not None:
                return raw
            budget.spend()
            return self.fetch(ref)

        if not decide(query, summary, content):
            return None
        ref = MessageRef(mailbox, folder, 0, ref.uid, summary.message_id)
        flags = frozenset({SEEN}) if item.get("isRead") else frozenset()
        return FoundMessage(ref, flags, summary.sender, summary.subject, summary.date)

    # -- moves -----------------------------------------------------------------------------
    def _quarantine_one(self, ref: MessageRef) -> MoveResult:
        try:
            if ref.folder == self.quarantine_folder:
                return self._already_there(ref, ref)
            destination = self._folder_tree(ref.mailbox).ensure(self.quarantine_folder)
            return self._move(ref, destination, self.quarantine_folder)
        except (ApiFailure, MailStoreError) as exc:
            return failed(ref, exc)

    def _restore_one(self, move: Moved) -> MoveResult:
        original, current = move.original, move.current
        try:
            destination = self._folder_tree(original.mailbox).id_of(original.folder)
            if destination is None:
                reason = f"the original folder {original.folder!r} no longer exists"
                return MoveResult(current, Outcome.FAILED, reason=reason)
            return self._move(current, destination, original.folder)
        except (ApiFailure, MailStoreError) as exc:
            return failed(current, exc)

    def _move(self, ref: MessageRef, destination: str, folder: str) -> MoveResult:
        path = f"{self._message(ref)}/move"
        response = self.api.call("POST", path, self.tokens, json={"destinationId": destination})
        if response.status_code == 404:
            return self._already_or_missing(ref, destination, folder)
        if not response.is_success:
            return failed(ref, self.api.failure(response, "POST", path))
        moved = response.json()
        target = MessageRef(ref.mailbox, folder, 0, str(moved["id"]), ref.message_id)
        return MoveResult(ref, Outcome.MOVED, target)

    def _already_or_missing(self, ref: MessageRef, destination: str, folder: str) -> MoveResult:
        """The id is gone: an earlier run moved it (it sits in `destination`), or it is gone."""
        scope = f"{self._user_path(ref.mailbox)}/mailFolders/{quote(destination, safe='')}"
        params = {
            "$filter": f"internetMessageId eq '{odata(ref.message_id)}'",
            "$select": "id",
        }
        found = self.api.json("GET", f"{scope}/messages", self.tokens, params=params)
        for item in found.get("value", []):
            target = MessageRef(ref.mailbox, folder, 0, str(item["id"]), ref.message_id)
            return MoveResult(ref, Outcome.ALREADY, target)
        reason = f"not in {ref.folder} nor {folder}"
        return MoveResult(ref, Outcome.NOT_FOUND, reason=reason)

    def _already_there(self, ref: MessageRef, target: MessageRef) -> MoveResult:
        response = self.api.call("GET", self._message(ref), self.tokens, params={"$select": "id"})
        if response.status_code == 404:
            return MoveResult(ref, Outcome.NOT_FOUND, reason=f"not in {ref.folder}")
        if not response.is_success:
            return failed(ref, self.api.failure(response, "GET", self._message(ref)))
        return MoveResult(ref, Outcome.ALREADY, target)

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
    return Summary(
        normalise_message_id(message_id) if message_id else "",
        shown,
        str(item.get("subject") or ""),
        _parse(item.get("sentDateTime") or item.get("receivedDateTime")),
        "",
    )


def odata(value: str) -> str:
    """An OData string literal's content: single quotes doubled."""
    return value.replace("'", "''")


def _is_address(value: str) -> bool:
    return "@" in value and not any(c in value for c in " <>\"'")


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
