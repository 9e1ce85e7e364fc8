"""A local stand-in for Google's OAuth token endpoint and the Gmail API (v1), implementing
the documented request/response shapes the Gmail store uses:

- POST /token, grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer: the RS256 assertion
  is verified against the service account's public key (iss, aud, scope, exp, sub) and a
  token for `sub` issued; an unknown user gets 400 invalid_grant as from Google
- GET /gmail/v1/users/{user}/messages (q with rfc822msgid:, from:"…", subject:"…",
  after:/before: epoch seconds; labelIds; maxResults; pageToken/nextPageToken)
- GET …/messages/{id}?format=minimal|metadata|raw (metadataHeaders), POST …/modify
- GET/POST …/labels (409 ALREADY_EXISTS for a taken name)
- errors {"error": {"code", "message", "errors": [{"reason"}], "status"}}; 429 with
  Retry-After and 403 userRateLimitExceeded when a test asks for throttling.
"""

from __future__ import annotations

import base64
import email.policy
import itertools
import json
import re
import shlex
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from tests.support.http_fake import ApiHandler, serve

SYSTEM = ("INBOX", "SENT", "UNREAD", "STARRED", "IMPORTANT", "DRAFT", "SPAM", "TRASH")
_ids = itertools.count(0x18C0000000000000)
BATCH_LIMIT = 100
_TERM = re.compile(r"^(rfc822msgid|from|subject|after|before):(.+)$")


def service_account_key() -> tuple[rsa.RSAPrivateKey, str]:
    """A throw-away RSA key and its PEM (PKCS#8, as in Google's key files)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key, pem


@dataclass
class Mailbox:
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    messages: dict[str, tuple[bytes, set[str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in SYSTEM:
            self.labels[name] = {"id": name, "name": name, "type": "system"}

    def label(self, name: str) -> str:
        found = [i for i, label in self.labels.items() if label["name"] == name]
        if found:
            return found[0]
        lid = f"Label_{len(self.labels)}"
        self.labels[lid] = {"id": lid, "name": name, "type": "user"}
        return lid


@dataclass
class Gmail:
    public_key: rsa.RSAPublicKey
    client_email: str
    base: str = ""
    boxes: dict[str, Mailbox] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # token → user
    tokens_issued: int = 0
    expires_in: int = 3599
    throttle_next: int = 0  # 429 with Retry-After
    rate_limited_next: int = 0  # 403 userRateLimitExceeded, no Retry-After
    retry_after: str = "5"
    throttled: int = 0
    broken: dict[str, int] = field(default_factory=dict)  # user → HTTP status
    requests: list[tuple[str, str]] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)  # format= of every message GET
    batches: list[int] = field(default_factory=list)  # calls per batch request, in order
    throttle_batched: int = 0  # answer this many coming calls inside a batch with 429
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def token_url(self) -> str:
        return f"{self.base}/token"

    @property
    def api_url(self) -> str:
        return f"{self.base}/gmail/v1"

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX", seen: bool = False) -> str:
        box = self.boxes.setdefault(user, Mailbox())
        labels = {"SENT" if folder == "Sent" else box.label(folder)} | (
            set() if seen else {"UNREAD"}
        )
        gid = f"{next(_ids):x}"
        box.messages[gid] = (raw, labels)
        return gid

    def where(self, user: str) -> dict[str, tuple[str, ...]]:
        """Message-ID → sorted label names, for assertions."""
        box = self.boxes[user]
        return {
            _headers(raw)["Message-ID"]: tuple(sorted(box.labels[i]["name"] for i in labels))
            for raw, labels in box.messages.values()
        }

    def revoke(self) -> None:
        self.tokens.clear()


class _Handler(ApiHandler):
    fake: Gmail
    captured: list[tuple[int, dict[str, str], bytes, str]] | None = None

    def do_POST(self) -> None:
        path, query = self.split()
        if path == "/token":
            return self._token(self.form())
        if path == "/batch/gmail/v1":
            return self._batch()
        with self.fake.lock:
            self._api("POST", path, query, self.json_body())

    def send_bytes(
        self, status: int, data: bytes, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        if self.captured is None:
            return super().send_bytes(status, data, kind, headers)
        self.captured.append((status, headers or {}, data, kind))
        return None

    def _batch(self) -> None:
        """multipart/mixed of application/http parts, each run as if sent alone with the
        outer request's Authorization; the answers in another order, by Content-ID."""
        match = re.search(r'boundary="?([^";]+)"?', self.headers.get("Content-Type", ""))
        data = self.body()
        if match is None:
            return self._error(400, "badRequest", "Not a multipart batch", "INVALID_ARGUMENT")
        boundary = match.group(1).encode()
        parts = [p for p in data.split(b"--" + boundary) if p.strip() not in (b"", b"--")]
        if len(parts) > BATCH_LIMIT:
            return self._error(400, "badRequest", "Too many requests in batch.", "INVALID_ARGUMENT")
        answers = []
        for part in parts:
            part_head, _, http = part.lstrip(b"\r\n").partition(b"\r\n\r\n")
            content_id = _part_headers(part_head).get("content-id", "").strip("<>")
            head, _, body = http.partition(b"\r\n\r\n")
            method, target, _ = head.split(b"\r\n")[0].decode().split(" ")
            parts_url = urlsplit(target)
            query = parse_qs(parts_url.query)
            with self.fake.lock:
                self.captured = []
                if self.fake.throttle_batched > 0:
                    self.fake.throttle_batched -= 1
                    self.fake.throttled += 1
                    self._error(
                        429,
                        "rateLimitExceeded",
                        "Too many concurrent requests for user.",
                        "RESOURCE_EXHAUSTED",
                        {"Retry-After": self.fake.retry_after},
                    )
                else:
                    self._api(method, parts_url.path,
                              {k: v if k == "metadataHeaders" else v[0] for k, v in query.items()},
                              json.loads(body) if body.strip() else None)  # fmt: skip
                [(status, headers, payload, kind)] = self.captured
                self.captured = None
            extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            answers.append(
                f"--{boundary.decode()}\r\nContent-Type: application/http\r\n"
                f"Content-ID: <response-{content_id}>\r\n\r\n"
                f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
                f"Content-Type: {kind}; charset=UTF-8\r\n{extra}"
                f"Content-Length: {len(payload)}\r\n\r\n".encode()
                + payload
                + b"\r\n"
            )
        with self.fake.lock:
            self.fake.batches.append(len(parts))
        reply = b"".join(answers[::-1]) + b"--" + boundary + b"--\r\n"
        self.send_bytes(200, reply, f"multipart/mixed; boundary={boundary.decode()}")

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        query = parse_qs(urlsplit(self.path).query)  # lists: metadataHeaders repeats
        with self.fake.lock:
            self._api(
                "GET",
                path,
                {k: v if k == "metadataHeaders" else v[0] for k, v in query.items()},
                None,
            )

    def _token(self, form: dict[str, str]) -> None:
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self.send_json(400, {"error": "unsupported_grant_type"})
        claims = self._verified(form.get("assertion", ""))
        if claims is None:
            return self.send_json(
                400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
            )
        if claims.get("sub") not in self.fake.boxes:
            return self.send_json(
                400, {"error": "invalid_grant", "error_description": "Invalid email or User ID"}
            )
        with self.fake.lock:
            self.fake.tokens_issued += 1
            token = f"ya29.{self.fake.tokens_issued}"
            self.fake.tokens[token] = claims["sub"]
            body = {
                "access_token": token,
                "expires_in": self.fake.expires_in,
                "token_type": "Bearer",
            }
        self.send_json(200, body)

    def _verified(self, assertion: str) -> dict[str, Any] | None:
        try:
            header, claims, signature = assertion.split(".")
            self.fake.public_key.verify(
                _unb64(signature),
                f"{header}.{claims}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            decoded: dict[str, Any] = json.loads(_unb64(claims))
        except (ValueError, InvalidSignature):
            return None
        good = (
            json.loads(_unb64(header)).get("alg") == "RS256"
            and decoded.get("iss") == self.fake.client_email
            and decoded.get("aud") == self.fake.token_url
            and "https://www.googleapis.com/auth/gmail.modify" in decoded.get("scope", "").split()
            and decoded.get("iat", 0) <= time.time() < decoded.get("exp", 0)
        )
        return decoded if good else None

    def _api(self, method: str, path: str, query: dict[str, Any], body: Any) -> None:
        fake = self.fake
        fake.requests.append((method, path))
        route = [unquote(p) for p in path.removeprefix("/gmail/v1/").split("/")]
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        if route[0] != "users" or len(route) < 3 or fake.tokens.get(token) != route[1]:
            return self._error(401, "authError", "Invalid Credentials", "UNAUTHENTICATED")
        if fake.throttle_next > 0:
            fake.throttle_next -= 1
            fake.throttled += 1
            return self._error(
                429,
                "rateLimitExceeded",
                "Too many concurrent requests for user.",
                "RESOURCE_EXHAUSTED",
                {"Retry-After": fake.retry_after},
            )
        if fake.rate_limited_next > 0:
            fake.rate_limited_next -= 1
            fake.throttled += 1
            return self._error(
                403, "userRateLimitExceeded", "User-rate limit exceeded.", "PERMISSION_DENIED"
            )
        if route[1] in fake.broken:
            return self._error(fake.broken[route[1]], "backendError", "Backend Error", "INTERNAL")
        box = fake.boxes[route[1]]
        if route[2:] == ["labels"]:
            return self._labels(method, box, body)
        if route[2:] == ["messages"] and method == "GET":
            return self._list(box, query)
        if route[2] == "messages" and len(route) >= 4:
            if route[3] not in box.messages:
                return self._error(404, "notFound", "Requested entity was not found.", "NOT_FOUND")
            if len(route) == 4 and method == "GET":
                fake.formats.append(str(query.get("format", "full")))
                return self.send_json(200, _message(box, route[3], query))
            if route[4:] == ["modify"] and method == "POST":
                return self._modify(box, route[3], body)
        return self._error(
            400, "invalidArgument", f"Unsupported {method} {path}", "INVALID_ARGUMENT"
        )

    def _labels(self, method: str, box: Mailbox, body: Any) -> None:
        if method == "GET":
            return self.send_json(200, {"labels": list(box.labels.values())})
        name = str(body.get("name", ""))
        if any(label["name"].lower() == name.lower() for label in box.labels.values()):
            return self._error(409, "duplicate", "Label name exists or conflicts", "ALREADY_EXISTS")
        return self.send_json(200, box.labels[box.label(name)])

    def _list(self, box: Mailbox, query: dict[str, Any]) -> None:
        try:
            terms = [_TERM.match(t) for t in shlex.split(query.get("q", ""))]
        except ValueError:
            terms = [None]
        if not all(terms):
            return self._error(400, "invalidArgument", "Invalid query", "INVALID_ARGUMENT")
        ids = [
            gid
            for gid, (raw, labels) in box.messages.items()
            if not labels & {"SPAM", "TRASH"}
            and query.get("labelIds", "SPAM") in labels | {"SPAM"}
            and all(_matches(t, raw) for t in terms if t)
        ]
        start, size = int(query.get("pageToken", "0")), int(query.get("maxResults", "100"))
        body: dict[str, Any] = {"resultSizeEstimate": len(ids)}
        if ids[start : start + size]:
            body["messages"] = [{"id": gid, "threadId": gid} for gid in ids[start : start + size]]
        if start + size < len(ids):
            body["nextPageToken"] = str(start + size)
        self.send_json(200, body)

    def _modify(self, box: Mailbox, gid: str, body: Any) -> None:
        add, remove = set(body.get("addLabelIds", [])), set(body.get("removeLabelIds", []))
        if (add | remove) & {"SENT", "DRAFT"} or not (add | remove) <= set(box.labels):
            return self._error(400, "invalidArgument", "Invalid label", "INVALID_ARGUMENT")
        raw, labels = box.messages[gid]
        box.messages[gid] = (raw, (labels | add) - remove)
        self.send_json(200, _message(box, gid, {"format": "minimal"}))

    def _error(
        self,
        status: int,
        reason: str,
        message: str,
        state: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        error = {
            "code": status,
            "message": message,
            "status": state,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
        }
        self.send_json(status, {"error": error}, headers)


def _message(box: Mailbox, gid: str, query: dict[str, Any]) -> dict[str, Any]:
    raw, labels = box.messages[gid]
    body: dict[str, Any] = {
        "id": gid,
        "threadId": gid,
        "labelIds": sorted(labels),
        "sizeEstimate": len(raw),
        "internalDate": str(_date(raw) * 1000),
    }
    form = query.get("format", "full")
    if form == "raw":
        body["raw"] = base64.urlsafe_b64encode(raw).decode()
    elif form == "metadata":
        headers = _headers(raw)
        wanted = {h.lower() for h in query.get("metadataHeaders", [])}
        body["payload"] = {
            "headers": [{"name": k, "value": v} for k, v in headers.items() if k.lower() in wanted]
        }
    return body


def _part_headers(block: bytes) -> dict[str, str]:
    lines = block.decode("latin-1").split("\r\n")
    return {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines) if v}


def _matches(term: re.Match[str], raw: bytes) -> bool:
    key, value = term.groups()
    headers = _headers(raw)
    if key == "rfc822msgid":
        return headers.get("Message-ID", "").strip("<>") == value.strip("<>")
    if key in ("from", "subject"):
        return value.lower() in headers.get(key.capitalize(), "").lower()
    return _date(raw) > int(value) if key == "after" else _date(raw) < int(value)


def _headers(raw: bytes) -> dict[str, str]:
    parsed = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    return {k: " ".join(str(v).split()) for k, v in parsed.items()}


def _date(raw: bytes) -> int:
    return int(parsedate_to_datetime(_headers(raw)["Date"]).timestamp())


def _unb64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@contextmanager
def running_gmail(public_key: rsa.RSAPublicKey, client_email: str) -> Iterator[Gmail]:
    fake = Gmail(public_key, client_email)
    handler = type("Handler", (_Handler,), {"fake": fake})
    with serve(handler) as base:
        fake.base = base
        yield fake
