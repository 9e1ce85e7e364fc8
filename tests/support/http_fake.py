"""A tiny threaded HTTP server for API fakes: a handler base that reads the request and
writes JSON or bytes, and `serve(handler)` giving the base URL."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real APIs

    def log_message(self, format: str, *args: Any) -> None:
        return

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body().decode()).items()}

    def json_body(self) -> Any:
        data = self.body()
        return json.loads(data) if data else {}

    def split(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}

    def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.send_bytes(status, json.dumps(body).encode(), "application/json", headers)

    def send_bytes(
        self, status: int, data: bytes, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def client_credentials_answer(
    form: dict[str, str], client: tuple[str, str], issue: Callable[[], tuple[str, int]]
) -> tuple[int, dict[str, Any]]:
    """The Microsoft identity platform's answer to a client-credentials token request:
    400 for a malformed one, 401 (AADSTS7000215) for a wrong `client` (id, secret), else
    the token and lifetime `issue()` gives."""
    if form.get("grant_type") != "client_credentials" or not form.get("scope", "").endswith(
        "/.default"
    ):
        return 400, {"error": "invalid_request", "error_description": "bad request"}
    if (form.get("client_id"), form.get("client_secret")) != client:
        description = "AADSTS7000215: Invalid client secret provided."
        return 401, {"error": "invalid_client", "error_description": description}
    token, lifetime = issue()
    return 200, {"token_type": "Bearer", "expires_in": lifetime, "access_token": token}


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
