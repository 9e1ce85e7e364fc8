"""A scripted HTTP server on 127.0.0.1 (random port) standing in for online providers.

Tests register answers per (method, path); every request is recorded with its headers
and body so tests can check what the real provider code sent.
"""

from __future__ import annotations

import datetime
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import x509  # installed with oletools (msoffcrypto-tool)
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[tuple[str, str], list[Answer] | Responder] = {}
        self.requests: list[Seen] = []
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True  # keep-alive connections must not block close()
        self._server.block_on_close = False
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.sni: list[str | None] = []
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _ctx: self.sni.append(name)  # type: ignore[assignment,misc]
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


def self_signed(host: str, directory: Path) -> tuple[Path, Path]:
    """A certificate for `host` (and its key), signed by itself; it is its own CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / f"{host}.pem", directory / f"{host}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[LocalServer, ssl.SSLContext]]:
    """An HTTPS server whose certificate names intel.test, and a client context trusting it."""
    cert, key = self_signed("intel.test", tmp_path)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    client_context = ssl.create_default_context(cafile=str(cert))
    running = LocalServer(tls=server_context)
    yield running, client_context
    running.close()
