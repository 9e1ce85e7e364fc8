"""A local stand-in for Microsoft Graph mail (v1.0) and the identity platform's token
endpoint, implementing the documented request/response shapes the Graph mail store uses:

- POST /{tenant}/oauth2/v2.0/token (client credentials) -> {token_type, expires_in, access_token}
- GET /v1.0/users ($select, $top, paged through @odata.nextLink / $skiptoken)
- GET /v1.0/users/{id|upn}/messages and /mailFolders/{id|well-known}/messages with $filter
  (internetMessageId eq, from/emailAddress/address eq, receivedDateTime ge/le joined by
  `and`; anything else is a 400 as on Graph), $select, $top, paging
- GET /mailFolders, /mailFolders/{id}, /mailFolders/{id}/childFolders; POST /mailFolders
  (201, or 409 ErrorFolderExists)
- GET /messages/{id}, /messages/{id}/$value (MIME); POST /messages/{id}/move {destinationId}
  -> 201 with the moved message under a new id
- errors {"error": {"code", "message"}}: 401 without a valid token, 404 ErrorItemNotFound
  and ErrorInvalidUser, 429 with Retry-After and 503 without when a test asks for them.
"""

from __future__ import annotations

import base64
import email.policy
import itertools
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from tests.support.http_fake import ApiHandler, client_credentials_answer, serve

TENANT, CLIENT_ID, CLIENT_SECRET = "tenant-m", "mail-app", "mail-s3cret"  # throw-away values
BATCH_LIMIT = 20
_EXPAND = re.compile(r"^singleValueExtendedProperties\(\$filter=(.+)\)$")
_PROPERTY_ID = re.compile(r"^id eq '([^']*)'$")
_TERM = re.compile(
    r"^(internetMessageId|from/emailAddress/address) eq '((?:[^']|'')*)'$"
    r"|^receivedDateTime (ge|le) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$"
)
_ids = itertools.count(1)


def new_id(kind: str = "AAMkAGI2") -> str:
    # Shaped like Graph ids: long, base64-ish, with characters that need quoting in paths.
    return f"{kind}{next(_ids):08d}-_AAA="


# MAPI properties the fake knows, as Graph names them in singleValueExtendedProperties.
PROPERTIES = {"String 0x1039": "References", "String 0x1042": "In-Reply-To"}


@dataclass
class Message:
    raw: bytes
    folder: str
    is_read: bool

    def json(self, mid: str) -> dict[str, Any]:
        """The default properties (internetMessageHeaders and extended properties only
        come when asked for: see `_select` and `_expand`)."""
        headers = BytesHeaderParser(policy=email.policy.default).parsebytes(self.raw)
        [(name, address)] = getaddresses([str(headers.get("From", ""))]) or [("", "")]
        date = parsedate_to_datetime(str(headers["Date"])).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "id": mid,
            "internetMessageId": str(headers.get("Message-ID", "")),
            "parentFolderId": self.folder,
            "isRead": self.is_read,
            "subject": str(headers.get("Subject", "")),
            "from": {"emailAddress": {"name": name, "address": address}},
            "toRecipients": _recipients(headers.get_all("To", [])),
            "ccRecipients": _recipients(headers.get_all("Cc", [])),
            "bccRecipients": _recipients(headers.get_all("Bcc", [])),
            "sentDateTime": date,
            "receivedDateTime": date,
        }

    def headers(self) -> list[dict[str, str]]:
        """internetMessageHeaders: the message's header fields, in order."""
        parsed = BytesHeaderParser(policy=email.policy.compat32).parsebytes(self.raw)
        return [{"name": k, "value": " ".join(str(v).split())} for k, v in parsed.items()]

    def property(self, property_id: str) -> str | None:
        header = PROPERTIES.get(property_id)
        if header is None:
            return None
        parsed = BytesHeaderParser(policy=email.policy.compat32).parsebytes(self.raw)
        value = parsed.get(header)
        return None if value is None else " ".join(str(value).split())


def _recipients(values: list[Any]) -> list[dict[str, Any]]:
    return [{"emailAddress": {"name": name, "address": address}}
            for name, address in getaddresses([str(v) for v in values]) if address]  # fmt: skip


@dataclass
class User:
    uid: str
    mail: str
    folders: dict[str, dict[str, str]] = field(default_factory=dict)  # id → name, parent
    well_known: dict[str, str] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)

    def folder_id(self, path: str) -> str:
        """Find (or create) a folder by path below msgfolderroot."""
        parent = self.well_known["msgfolderroot"]
        for name in path.split("/"):
            match = [
                i for i, f in self.folders.items() if f["parent"] == parent and f["name"] == name
            ]
            parent = match[0] if match else self.add_folder(name, parent)
        return parent

    def add_folder(self, name: str, parent: str, well_known: str = "") -> str:
        fid = new_id("AQMkAD")
        self.folders[fid] = {"name": name, "parent": parent}
        if well_known:
            self.well_known[well_known] = fid
        return fid

    def folder_json(self, fid: str) -> dict[str, Any]:
        folder = self.folders[fid]
        children = sum(1 for f in self.folders.values() if f["parent"] == fid)
        count = sum(1 for m in self.messages.values() if m.folder == fid)
        return {
            "id": fid,
            "displayName": folder["name"],
            "parentFolderId": folder["parent"],
            "childFolderCount": children,
            "totalItemCount": count,
        }


@dataclass
class GraphMail:
    base: str = ""
    users: dict[str, User] = field(default_factory=dict)
    token: str = "none"
    tokens_issued: int = 0
    expires_in: int = 3599
    throttle_next: int = 0  # answer this many coming Graph requests with 429 + Retry-After
    unavailable_next: int = 0  # ... then this many with 503 and no Retry-After
    retry_after: str = "7"
    throttled: int = 0
    broken: dict[str, tuple[int, str]] = field(default_factory=dict)  # mail → (status, code)
    requests: list[tuple[str, str]] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)  # requests per $batch, in order
    throttle_batched: int = 0  # answer this many coming requests inside a $batch with 429
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def graph_url(self) -> str:
        return f"{self.base}/v1.0"

    def add_user(self, mail: str, inbox: str = "Inbox", sent: str = "Sent Items") -> User:
        user = User(f"uid-{len(self.users)}", mail)
        root = user.add_folder("Top of Information Store", "", "msgfolderroot")
        for name, well_known in (
            (inbox, "inbox"),
            (sent, "sentitems"),
            ("Drafts", "drafts"),
            ("Deleted Items", "deleteditems"),
        ):
            user.add_folder(name, root, well_known)
        self.users[user.uid] = user
        return user

    def deliver(self, mail: str, raw: bytes, path: str, read: bool = False) -> str:
        user = self.user(mail) or self.add_user(mail)
        mid = new_id()
        user.messages[mid] = Message(raw, user.folder_id(path), read)
        return mid

    def user(self, key: str) -> User | None:
        key = unquote(key).lower()
        return next((u for u in self.users.values() if key in (u.uid, u.mail.lower())), None)

    def where(self, mail: str) -> dict[str, tuple[str, bool]]:
        """Message-ID → (folder path, read) of one mailbox, for assertions."""
        user = self.user(mail)
        assert user is not None
        out = {}
        for mid, message in user.messages.items():
            path: list[str] = []
            fid = message.folder
            while fid != user.well_known["msgfolderroot"]:
                path.insert(0, user.folders[fid]["name"])
                fid = user.folders[fid]["parent"]
            out[message.json(mid)["internetMessageId"]] = ("/".join(path), message.is_read)
        return out

    def revoke(self) -> None:
        self.token = f"revoked-{self.tokens_issued}"


class _Handler(ApiHandler):
    fake: GraphMail
    captured: list[tuple[int, dict[str, str], bytes, str]] | None = None

    def do_POST(self) -> None:
        path, _ = self.split()
        if path == f"/{TENANT}/oauth2/v2.0/token":
            return self._token(self.form())
        body = self.json_body()
        with self.fake.lock:
            if path == "/v1.0/$batch":
                return self._batch(body)
            self._graph("POST", path, {}, body)

    def send_bytes(
        self, status: int, data: bytes, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        if self.captured is None:
            return super().send_bytes(status, data, kind, headers)
        self.captured.append((status, {"Content-Type": kind, **(headers or {})}, data, kind))
        return None

    def _batch(self, body: Any) -> None:
        """JSON batching: each request run as if sent alone (throttling included), the
        responses listed in another order than the requests (clients go by id)."""
        if self.headers.get("Authorization") != f"Bearer {self.fake.token}":
            return self._error(401, "InvalidAuthenticationToken", "Access token has expired.")
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not 0 < len(requests) <= BATCH_LIMIT:
            return self._error(400, "BadRequest", "Number of requests must be 1 to 20.")
        ids = [str(r.get("id", "")) for r in requests]
        if "" in ids or len(set(ids)) != len(ids):
            return self._error(400, "BadRequest", "Request ids must be unique and given.")
        self.fake.batches.append(len(requests))
        responses = [self._batched(request) for request in requests]
        self.send_json(200, {"responses": responses[::-1]})

    def _batched(self, request: dict[str, Any]) -> dict[str, Any]:
        parts = urlsplit(str(request.get("url", "")))
        path = "/v1.0/" + parts.path.lstrip("/")
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        body = request.get("body")
        self.captured = []
        if self.fake.throttle_batched > 0:
            self.fake.throttle_batched -= 1
            self.fake.throttled += 1
            self._error(429, "ApplicationThrottled", "Too many requests.",
                        {"Retry-After": self.fake.retry_after})  # fmt: skip
        elif body is not None and "Content-Type" not in (request.get("headers") or {}):
            self._error(400, "BadRequest", "Content-Type header required with a body.")
        else:
            self._graph(str(request.get("method", "GET")).upper(), path, query, body)
        [(status, headers, data, kind)] = self.captured
        self.captured = None
        answer = json.loads(data) if kind == "application/json" else base64.b64encode(data).decode()
        return {"id": request["id"], "status": status, "headers": headers, "body": answer}

    def do_GET(self) -> None:
        path, query = self.split()
        with self.fake.lock:
            self._graph("GET", path, query, None)

    def _token(self, form: dict[str, str]) -> None:
        def issue() -> tuple[str, int]:
            with self.fake.lock:
                self.fake.tokens_issued += 1
                self.fake.token = f"token-{self.fake.tokens_issued}"
                return self.fake.token, self.fake.expires_in

        self.send_json(*client_credentials_answer(form, (CLIENT_ID, CLIENT_SECRET), issue))

    def _graph(self, method: str, path: str, query: dict[str, str], body: Any) -> None:
        fake = self.fake
        fake.requests.append((method, path))
        if self.headers.get("Authorization") != f"Bearer {fake.token}":
            return self._error(401, "InvalidAuthenticationToken", "Access token has expired.")
        if fake.throttle_next > 0:
            fake.throttle_next -= 1
            fake.throttled += 1
            return self._error(
                429, "ApplicationThrottled", "Too many requests.", {"Retry-After": fake.retry_after}
            )
        if fake.unavailable_next > 0:
            fake.unavailable_next -= 1
            fake.throttled += 1
            return self._error(503, "ServiceUnavailable", "Service unavailable.")
        route = [unquote(p) for p in path.removeprefix("/v1.0/").split("/")]
        if route == ["users"] and method == "GET":
            users = [
                {"id": u.uid, "mail": u.mail, "userPrincipalName": u.mail}
                for u in fake.users.values()
            ]
            return self._page(path, query, users)
        user = fake.user(route[1]) if len(route) > 2 and route[0] == "users" else None
        if user is None:
            return self._error(
                404, "ErrorInvalidUser", f"The requested user '{route[1:2]}' is invalid."
            )
        if user.mail in fake.broken:
            status, code = fake.broken[user.mail]
            return self._error(status, code, "Mailbox is not available.")
        return self._mailbox(method, user, route[2:], path, query, body)

    def _mailbox(
        self, method: str, user: User, route: list[str], path: str, query: dict[str, str], body: Any
    ) -> None:
        if route[0] == "mailFolders":
            return self._folders(method, user, route[1:], path, query, body)
        if route == ["messages"] and method == "GET":
            return self._messages(user, None, path, query)
        if route[0] == "messages" and len(route) >= 2:
            message = user.messages.get(route[1])
            if message is None:
                return self._error(
                    404, "ErrorItemNotFound", "The specified object was not found in the store."
                )
            if len(route) == 2 and method == "GET":
                view = _view(message, route[1], query)
                if view is None:
                    return self._error(400, "BadRequest", f"Invalid $expand: {query['$expand']}")
                return self.send_json(200, view)
            if route[2:] == ["$value"] and method == "GET":
                return self.send_bytes(200, message.raw, "text/plain")
            if route[2:] == ["move"] and method == "POST":
                return self._move(user, route[1], body)
        return self._error(400, "BadRequest", f"Unsupported {method} {path}")

    def _folders(
        self, method: str, user: User, route: list[str], path: str, query: dict[str, str], body: Any
    ) -> None:
        root = user.well_known["msgfolderroot"]
        if not route and method == "POST":
            name = str(body.get("displayName", ""))
            if any(f["parent"] == root and f["name"] == name for f in user.folders.values()):
                return self._error(
                    409, "ErrorFolderExists", "A folder with the specified name already exists."
                )
            return self.send_json(201, user.folder_json(user.add_folder(name, root)))
        fid = user.well_known.get(route[0].lower(), route[0]) if route else root
        if fid not in user.folders:
            return self._error(404, "ErrorItemNotFound", "The specified folder was not found.")
        if method != "GET":
            return self._error(400, "BadRequest", f"Unsupported {method} {path}")
        if not route or route[1:] == ["childFolders"]:
            children = [user.folder_json(i) for i, f in user.folders.items() if f["parent"] == fid]
            return self._page(path, query, children)
        if len(route) == 1:
            return self.send_json(200, _select(user.folder_json(fid), query))
        if route[1:] == ["messages"]:
            return self._messages(user, fid, path, query)
        return self._error(400, "BadRequest", f"Unsupported {method} {path}")

    def _messages(self, user: User, fid: str | None, path: str, query: dict[str, str]) -> None:
        found = [(i, m) for i, m in user.messages.items() if fid in (None, m.folder)]
        for term in filter(None, query.get("$filter", "").split(" and ")):
            match = _TERM.match(term)
            if match is None:
                return self._error(400, "BadRequest", f"Invalid filter clause: {term}")
            found = [(i, m) for i, m in found if _keeps(match, m.json(i))]
        views = [_view(m, i, query) for i, m in found]
        if None in views:
            return self._error(400, "BadRequest", f"Invalid $expand: {query.get('$expand')}")
        self._page(path, {**query, "$select": "*"}, [v for v in views if v is not None])

    def _move(self, user: User, mid: str, body: Any) -> None:
        destination = str(body.get("destinationId", ""))
        destination = user.well_known.get(destination.lower(), destination)
        if destination not in user.folders:
            return self._error(400, "ErrorInvalidIdMalformed", "Id is malformed.")
        message = user.messages.pop(mid)
        message.folder = destination
        new = new_id()  # Graph gives the moved item a new id
        user.messages[new] = message
        self.send_json(201, message.json(new))

    def _page(self, path: str, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        top, start = int(query.get("$top", "10")), int(query.get("$skiptoken", "0"))
        body: dict[str, Any] = {
            "@odata.context": f"{self.fake.graph_url}/$metadata",
            "value": [_select(i, query) for i in items[start : start + top]],
        }
        if start + top < len(items):
            follow = {k: v for k, v in query.items() if k != "$skiptoken"}
            body["@odata.nextLink"] = (
                f"{self.fake.base}{path}?{urlencode({**follow, '$skiptoken': start + top})}"
            )
        self.send_json(200, body)

    def _error(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_json(status, {"error": {"code": code, "message": message}}, headers)


def _keeps(match: re.Match[str], item: dict[str, Any]) -> bool:
    field_name, literal, op, instant = match.groups()
    if field_name == "internetMessageId":
        return bool(item["internetMessageId"] == literal.replace("''", "'"))
    if field_name:
        return bool(
            item["from"]["emailAddress"]["address"].lower() == literal.replace("''", "'").lower()
        )
    received = item["receivedDateTime"]
    return bool(received >= instant if op == "ge" else received <= instant)


def _select(item: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
    if query.get("$select", "*") == "*":
        return item
    wanted = set(query["$select"].split(",")) | {"id"}
    return {k: v for k, v in item.items() if k in wanted}


def _view(message: Message, mid: str, query: dict[str, str]) -> dict[str, Any] | None:
    """A message as Graph shows it: the default properties or those in $select (only
    there is internetMessageHeaders returned), plus the extended properties $expand asks
    for that the message has (none: no singleValueExtendedProperties at all). None: an
    $expand the fake does not know (a 400)."""
    item = _select(message.json(mid), query)
    if "internetMessageHeaders" in query.get("$select", "").split(","):
        item["internetMessageHeaders"] = message.headers()
    if "$expand" not in query:
        return item
    match = _EXPAND.match(query["$expand"])
    terms = [_PROPERTY_ID.match(t) for t in match.group(1).split(" or ")] if match else [None]
    if not all(terms):
        return None
    found = [{"id": t.group(1), "value": v}
             for t in terms if t and (v := message.property(t.group(1))) is not None]  # fmt: skip
    if found:
        item["singleValueExtendedProperties"] = found
    return item


@contextmanager
def running_graph_mail() -> Iterator[GraphMail]:
    fake = GraphMail()
    handler = type("Handler", (_Handler,), {"fake": fake})
    with serve(handler) as base:
        fake.base = base
        yield fake
