"""A scripted HTTP server on 127.0.0.1 (random port) standing in for online providers.

Tests register answers per (method, path); every request is recorded with its headers
and body so tests can check what the real provider code sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from phishloop.connectors.net import GuardedHttpClient, OutboundPolicy


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunked_without_length: bool = False


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


Responder = Callable[[Seen], Answer]


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Answer] | Responder] = {}
        self.requests: list[Seen] = []
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True  # keep-alive connections must not block close()
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @staticmethod
    def reply(
        status: int = 200,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        chunked_without_length: bool = False,
    ) -> Answer:
        """An answer for `answer()` (test modules cannot import this conftest)."""
        return Answer(status, body, headers or {}, delay, chunked_without_length)

    def answer(self, method: str, path: str, *answers: Answer) -> None:
        """Answers are given in turn; the last one repeats."""
        self.routes[(method, path)] = list(answers)

    def respond(self, method: str, path: str, responder: Responder) -> None:
        self.routes[(method, path)] = responder

    def json(self, method: str, path: str, body: object, status: int = 200) -> None:
        self.answer(
            method,
            path,
            Answer(status, json.dumps(body).encode(), {"Content-Type": "application/json"}),
        )

    def pick(self, seen: Seen) -> Answer:
        route = self.routes.get((seen.method, seen.path))
        if route is None:
            return Answer(404, b'{"error": {"code": "NotFoundError"}}')
        if callable(route):
            return route(seen)
        return route.pop(0) if len(route) > 1 else route[0]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            try:
                self._answer()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client hung up (size cap, timeout)

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                self.command,
                parts.path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            server.requests.append(seen)
            answer = server.pick(seen)
            if answer.delay:
                time.sleep(answer.delay)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.chunked_without_length:
                self.send_header("Connection", "close")
                self.end_headers()
                for start in range(0, len(answer.body), 65536):
                    self.wfile.write(answer.body[start : start + 65536])
                self.close_connection = True
                return
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_POST = _serve  # noqa: N815

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[LocalServer]:
    running = LocalServer()
    yield running
    running.close()


@pytest.fixture
def http() -> Iterator[GuardedHttpClient]:
    """A client whose policy lets exactly the loopback test server through."""
    client = GuardedHttpClient(OutboundPolicy.allowing("127.0.0.1/32", read_timeout=2.0))
    yield client
    client.close()
