"""A local stand-in for the Microsoft identity platform and Microsoft Graph (v1.0),
implementing only the documented request/response shapes the connectors use:

- POST /{tenant}/oauth2/v2.0/token (client credentials) -> {token_type, expires_in, access_token}
- GET /v1.0/users and /v1.0/groups with `$filter` on mail, userPrincipalName and
  proxyAddresses/any(p:p eq 'smtp:…'), `$select`, `$top`
- GET /v1.0/groups/{id}/members and /transitiveMembers, paged with `@odata.nextLink`
  (`$skiptoken`), each item carrying `@odata.type`
- errors as {"error": {"code", "message"}}; 401 without a valid bearer token; 429 with
  Retry-After when a test asks for throttling.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.support.http_fake import client_credentials_answer

TENANT, CLIENT_ID, CLIENT_SECRET = "tenant-1", "app-1", "s3cret"  # throw-away test values
_EQ = re.compile(r"(mail|userPrincipalName) eq '((?:[^']|'')*)'")
_PROXY = re.compile(r"proxyAddresses/any\(p:p eq '((?:[^']|'')*)'\)")


@dataclass
class GraphData:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # with "members": [ids]
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_user(self, uid: str, mail: str | None, name: str = "", *aliases: str) -> None:
        upn = f"{uid}@tenant.onmicrosoft.test"
        proxies = [f"SMTP:{mail}"] if mail else []
        proxies += [f"smtp:{alias}" for alias in aliases]
        self.users[uid] = {"id": uid, "displayName": name or uid, "mail": mail,
                           "userPrincipalName": upn, "proxyAddresses": proxies}  # fmt: skip

    def add_group(self, gid: str, mail: str | None, name: str, members: list[str]) -> None:
        proxies = [f"SMTP:{mail}"] if mail else []
        self.groups[gid] = {"id": gid, "displayName": name, "mail": mail,
                            "proxyAddresses": proxies, "members": members}  # fmt: skip


@dataclass
class GraphFake:
    data: GraphData
    base: str = ""
    token: str = "token-0"
    tokens_issued: int = 0
    throttle_next: int = 0  # answer this many coming Graph requests with 429
    retry_after: str = "3"
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def graph_url(self) -> str:
        return f"{self.base}/v1.0"

    def revoke(self) -> None:
        """Invalidate the current token (as an expiry or revocation would)."""
        self.token = f"token-revoked-{self.tokens_issued}"


class _Handler(BaseHTTPRequestHandler):
    fake: GraphFake

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.fake.requests.append(("POST", self.path, dict(form)))
        if self.path != f"/{TENANT}/oauth2/v2.0/token":
            return self._send(400, {"error": "invalid_request", "error_description": "bad path"})

        def issue() -> tuple[str, int]:
            with self.fake.lock:
                self.fake.tokens_issued += 1
                self.fake.token = f"token-{self.fake.tokens_issued}"
                return self.fake.token, 3599

        return self._send(*client_credentials_answer(form, (CLIENT_ID, CLIENT_SECRET), issue))

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.fake.requests.append(("GET", parts.path, query))
        if self.headers.get("Authorization") != f"Bearer {self.fake.token}":
            return self._error(
                401, "InvalidAuthenticationToken", "Access token is empty or invalid."
            )
        with self.fake.lock:
            throttled = self.fake.throttle_next > 0
            self.fake.throttle_next -= 1 if throttled else 0
        if throttled:
            return self._error(
                429, "TooManyRequests", "Too many requests.", {"Retry-After": self.fake.retry_after}
            )
        route = parts.path.removeprefix("/v1.0").split("/")[1:]
        if route == ["users"]:
            return self._collection(parts.path, query, self._filtered(self.fake.data.users, query))
        if route == ["groups"]:
            return self._collection(parts.path, query, self._filtered(self.fake.data.groups, query))
        if (
            len(route) == 3
            and route[0] == "groups"
            and route[2] in {"members", "transitiveMembers"}
        ):
            group = self.fake.data.groups.get(route[1])
            if group is None:
                return self._error(
                    404, "Request_ResourceNotFound", f"Resource '{route[1]}' does not exist."
                )
            ids = group["members"] if route[2] == "members" else self._transitive(route[1])
            return self._collection(
                parts.path, query, [self._typed(i) for i in ids if self._typed(i)]
            )
        return self._error(400, "BadRequest", f"Unsupported path {parts.path}")

    def _filtered(
        self, table: dict[str, dict[str, Any]], query: dict[str, str]
    ) -> list[dict[str, Any]]:
        expression = query.get("$filter")
        items = list(table.values())
        if not expression:
            return items
        wanted = {(f, v.replace("''", "'").lower()) for f, v in _EQ.findall(expression)}
        proxies = {v.replace("''", "'").lower() for v in _PROXY.findall(expression)}
        return [
            item for item in items
            if any(str(item.get(f) or "").lower() == v for f, v in wanted)
            or proxies & {p.lower() for p in item.get("proxyAddresses", [])}
        ]  # fmt: skip

    def _typed(self, oid: str) -> dict[str, Any] | None:
        data = self.fake.data
        for kind, table in (
            ("user", data.users),
            ("group", data.groups),
            ("orgContact", data.contacts),
        ):
            if oid in table:
                item = {k: v for k, v in table[oid].items() if k != "members"}
                return {"@odata.type": f"#microsoft.graph.{kind}", **item}
        return None

    def _transitive(self, gid: str) -> list[str]:
        seen: list[str] = []
        stack = list(self.fake.data.groups[gid]["members"])
        while stack:
            oid = stack.pop(0)
            if oid in seen:
                continue
            seen.append(oid)
            if oid in self.fake.data.groups:
                stack.extend(self.fake.data.groups[oid]["members"])
        return seen

    def _collection(self, path: str, query: dict[str, str], items: list[dict[str, Any]]) -> None:
        top = int(query.get("$top", "100"))
        start = int(query.get("$skiptoken", "0"))
        select = set(query["$select"].split(",")) if "$select" in query else None
        page = [
            {
                k: v
                for k, v in item.items()
                if k != "members" and (select is None or k in select or k in {"id", "@odata.type"})
            }
            for item in items[start : start + top]
        ]
        body: dict[str, Any] = {
            "@odata.context": f"{self.fake.graph_url}/$metadata#{path}",
            "value": page,
        }
        if start + top < len(items):
            follow = {k: v for k, v in query.items() if k != "$skiptoken"} | {
                "$skiptoken": str(start + top)
            }
            body["@odata.nextLink"] = f"{self.fake.base}{path}?{urlencode(follow)}"
        self._send(200, body)

    def _error(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        self._send(status, {"error": {"code": code, "message": message}}, headers)

    def _send(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def running_graph(data: GraphData) -> Iterator[GraphFake]:
    fake = GraphFake(data)
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
