"""A real aiosmtpd SMTP server on 127.0.0.1 for notifier tests: plain, STARTTLS (required
before AUTH) or implicit TLS, with scripted refusals per recipient."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from tests.support.slapd import free_port
from tests.support.tls_certs import ServerCertificate

USER, PASSWORD = "relay-user", "relay-pass"  # a throw-away test server on loopback


@dataclass
class Recorder:
    """Keeps what arrived; `replies` maps a recipient to the RCPT reply to give."""

    messages: list[Envelope] = field(default_factory=list)
    replies: dict[str, str] = field(default_factory=dict)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        reply = self.replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope)
        return "250 2.0.0 queued"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        if ok:
            self.logins.append(USER)
        return AuthResult(success=ok, handled=False)


@dataclass(frozen=True)
class RunningSmtp:
    port: int
    recorder: Recorder


def server_context(certificate: ServerCertificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.cert_file, certificate.key_file)
    return context


@contextmanager
def running_smtp(
    mode: str = "plain", certificate: ServerCertificate | None = None
) -> Iterator[RunningSmtp]:
    """mode: "plain" (no TLS, no AUTH), "starttls" (STARTTLS then AUTH required) or
    "tls" (implicit TLS, AUTH required)."""
    recorder = Recorder()
    port = free_port()
    options: dict[str, Any] = {"hostname": "127.0.0.1", "port": port}
    if mode != "plain":
        assert certificate is not None
        options |= {"authenticator": recorder.authenticate, "auth_required": True}
    if mode == "starttls":
        options |= {"tls_context": server_context(certificate), "require_starttls": True}
    elif mode == "tls":
        # aiosmtpd does not count implicit TLS as TLS for auth_require_tls; it is TLS.
        options |= {
            "ssl_context": server_context(certificate),
            "server_hostname": "localhost",
            "auth_require_tls": False,
        }
    controller = Controller(recorder, **options)
    controller.start()
    try:
        yield RunningSmtp(port, recorder)
    finally:
        controller.stop()
