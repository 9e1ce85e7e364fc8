"""`MailStore` over the Gmail API (Google Workspace), with domain-wide delegation.

A service account acts for each user (`sub` in its signed JWT) with the scope
gmail.modify. Search sends `q` (`rfc822msgid:`, `from:`, `subject:`, `after:`/`before:` as
epoch seconds) and reads each candidate's headers (format=metadata) for the exact check.
`uid` is the Gmail message id, which never changes. "Quarantine" is a label (created when
missing) that replaces the labels showing the message anywhere — see `gmail_labels`.
Read status is the absence of UNREAD. Sent messages keep the SENT label (Gmail lets no one
remove it), so in quarantine they are labelled but still listed in Sent.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from phishloop.connectors.cloud.api import ApiClient, ApiFailure, error_of
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
    SearchQuery,
    search_each,
)
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
HEADERS = ["Message-ID", "From", "Subject", "Date", "References", "In-Reply-To"]
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
        return fan_out(self._executor, lambda box: self._search_one(box, query), mailboxes)

    def search_many(
        self, mailboxes: Sequence[str], queries: Sequence[SearchQuery]
    ) -> dict[SearchQuery, list[MailboxSearch]]:
        return search_each(self, mailboxes, queries)

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
            budget = CandidateBudget(mailbox, query)
            for label in self._scopes(mailbox, query):
                for gmail_id in self._candidates(mailbox, query, label):
                    budget.spend()
                    hit = self._candidate(mailbox, gmail_id, query)
                    if hit is not None:
                        hits.append(hit)
        except (ApiFailure, MailStoreError) as exc:
            return search_error(mailbox, exc)
        return MailboxSearch(mailbox, tuple(hits))

    def _scopes(self, mailbox: str, query: SearchQuery) -> list[str | None]:
        if not query.folders:
            return [None]
        labels = self._label_set(mailbox)
        wanted = ["SENT" if name == SENT else labels.id_of(name) for name in query.folders]
        return [label for label in wanted if label is not None]

    def _candidates(self, mailbox: str, query: SearchQuery, label: str | None) -> list[str]:
        params = {"maxResults": str(self.page_size)}
        if text := gmail_query(query):
            params["q"] = text
        if label is not None:
            params["labelIds"] = label
        pages = self.api.pages(
            f"{user_path(mailbox)}/messages",
            self._tokens(mailbox),
            params,
            next_link=lambda body: None,
            next_params=_next_page,
            items="messages",
        )
        return [str(item["id"]) for item in pages]

    def _candidate(self, mailbox: str, gmail_id: str, query: SearchQuery) -> FoundMessage | None:
        body = self._message(mailbox, gmail_id, "metadata")
        if body is None:  # deleted between the listing and now
            return None
        labels = self._label_set(mailbox)
        label_ids = [str(label) for label in body.get("labelIds", [])]
        quarantine = labels.id_of(self.quarantine_folder)
        if quarantine in label_ids:
            return None
        headers = _headers(body)
        summary = summary_from_fields(
            message_id=headers.get("message-id", ""),
            sender=headers.get("from", ""),
            subject=headers.get("subject", ""),
            date=headers.get("date", ""),
            references=f"{headers.get('references', '')} {headers.get('in-reply-to', '')}",
        )
        ref = MessageRef(mailbox, labels.place(label_ids, quarantine), 0, gmail_id,
                         summary.message_id)  # fmt: skip
        if not decide(query, summary, lambda: self.fetch(ref)):
            return None
        flags = frozenset() if "UNREAD" in label_ids else frozenset({SEEN})
        size = int(body.get("sizeEstimate") or 0)
        return FoundMessage(ref, flags, summary.sender, summary.subject, summary.date, size)

    # -- moves -----------------------------------------------------------------------------
    def _quarantine_one(self, ref: MessageRef) -> MoveResult:
        gmail_id, _ = split_uid(ref.uid)
        try:
            current = self._label_ids(ref.mailbox, gmail_id)
            if current is None:
                return MoveResult(ref, Outcome.NOT_FOUND, reason="no such message")
            labels = self._label_set(ref.mailbox)
            quarantine = labels.ensure(self.quarantine_folder)
            if quarantine in current:
                # An earlier run did it; what it removed is best guessed from the ref's place.
                earlier = [i for i in [labels.id_of(ref.folder)] if i and i not in current]
                return MoveResult(ref, Outcome.ALREADY, self._in_quarantine(ref, earlier))
            removed = labels.removable(current, quarantine)
            self._modify(ref.mailbox, gmail_id, add=[quarantine], remove=removed)
            return MoveResult(ref, Outcome.MOVED, self._in_quarantine(ref, removed))
        except (ApiFailure, MailStoreError) as exc:
            return failed(ref, exc)

    def _restore_one(self, move: Moved) -> MoveResult:
        original, current = move.original, move.current
        gmail_id, removed = split_uid(current.uid)
        try:
            labels = self._label_set(current.mailbox)
            if not removed and original.folder not in (ARCHIVE, "SENT", "DRAFT"):
                removed = [i for i in [labels.id_of(original.folder)] if i]
            present = self._label_ids(current.mailbox, gmail_id)
            if present is None:
                return MoveResult(current, Outcome.NOT_FOUND, reason="no such message")
            target = MessageRef(original.mailbox, original.folder, 0, gmail_id,
                                original.message_id)  # fmt: skip
            quarantine = labels.id_of(self.quarantine_folder)
            if quarantine not in present and set(removed) <= set(present):
                return MoveResult(current, Outcome.ALREADY, target)
            drop = [quarantine] if quarantine else []
            self._modify(current.mailbox, gmail_id, add=removed, remove=drop)
            return MoveResult(current, Outcome.MOVED, target)
        except (ApiFailure, MailStoreError) as exc:
            return failed(current, exc)

    def _in_quarantine(self, ref: MessageRef, removed: list[str]) -> MessageRef:
        uid = quarantined_uid(split_uid(ref.uid)[0], removed)
        return MessageRef(ref.mailbox, self.quarantine_folder, 0, uid, ref.message_id)

    # -- API -------------------------------------------------------------------------------
    def _message(self, mailbox: str, gmail_id: str, form: str) -> dict[str, Any] | None:
        """One message in `form` (minimal, metadata, raw); None when it does not exist."""
        path = f"{user_path(mailbox)}/messages/{quote(gmail_id, safe='')}"
        params: dict[str, Any] = {"format": form}
        if form == "metadata":
            params["metadataHeaders"] = HEADERS
        response = self.api.call("GET", path, self._tokens(mailbox), params=params)
        if response.status_code == 404:
            return None
        if not response.is_success:
            raise self.api.failure(response, "GET", path)
        body = response.json()
        return body if isinstance(body, dict) else {}

    def _label_ids(self, mailbox: str, gmail_id: str) -> list[str] | None:
        body = self._message(mailbox, gmail_id, "minimal")
        return None if body is None else [str(label) for label in body.get("labelIds", [])]

    def _modify(self, mailbox: str, gmail_id: str, *, add: list[str], remove: list[str]) -> None:
        path = f"{user_path(mailbox)}/messages/{quote(gmail_id, safe='')}/modify"
        body = {"addLabelIds": add, "removeLabelIds": remove}
        self.api.json("POST", path, self._tokens(mailbox), json=body)

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


def _headers(body: dict[str, Any]) -> dict[str, str]:
    payload = body.get("payload") or {}
    return {str(h.get("name", "")).lower(): str(h.get("value", ""))
            for h in payload.get("headers", [])}  # fmt: skip
