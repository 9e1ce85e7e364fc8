"""SMTP notifier (smtplib): STARTTLS or implicit TLS, AUTH, timeouts.

Each `send` opens its own connection: feedback is a trickle, and a fresh connection
cannot inherit a broken state. Failures come back as results, split into transient
(4xx replies, connection trouble: retry) and permanent (5xx, an untrusted certificate,
a relay without STARTTLS or AUTH: retrying will not help).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from phishloop.connectors.notifier.base import DeliveryResult, DeliveryStatus
from phishloop.connectors.notifier.settings import NotifierSettings

_TRANSIENT = DeliveryStatus.TRANSIENT
_PERMANENT = DeliveryStatus.PERMANENT


class SmtpNotifier:
    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(
            cafile=str(self.settings.ca_file) if self.settings.ca_file else None
        )
        if not self.settings.verify_certificate:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def send(self, message: EmailMessage) -> DeliveryResult:
        try:
            with self._connect() as client:
                refused = client.send_message(
                    message, from_addr=self.settings.envelope_from or None
                )
        except smtplib.SMTPRecipientsRefused as exc:
            return _refused_all(exc.recipients)
        except smtplib.SMTPResponseException as exc:
            return _reply(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPNotSupportedError as exc:
            return DeliveryResult(_PERMANENT, f"the relay does not support it: {exc}")
        except ssl.SSLCertVerificationError as exc:
            return DeliveryResult(_PERMANENT, f"TLS certificate not trusted: {exc.verify_message}")
        except (smtplib.SMTPException, OSError) as exc:  # disconnects, timeouts, refused ports
            return DeliveryResult(_TRANSIENT, f"{type(exc).__name__}: {exc}"[:300])
        return DeliveryResult(
            DeliveryStatus.DELIVERED,
            f"accepted by {self.settings.host}:{self.settings.port}",
            refused=tuple(_refusals(refused)),
        )

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        local = s.local_hostname or None
        client: smtplib.SMTP
        if s.security == "tls":
            client = smtplib.SMTP_SSL(
                s.host, s.port, local, timeout=s.timeout_seconds, context=self.tls_context()
            )
        else:
            client = smtplib.SMTP(s.host, s.port, local, timeout=s.timeout_seconds)
        try:
            if s.security == "starttls":
                client.starttls(context=self.tls_context())
                client.ehlo()
            if s.username:
                client.login(s.username, s.password)
        except BaseException:
            client.close()
            raise
        return client


def _reply(code: int, reply: bytes | str) -> DeliveryResult:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    status = _PERMANENT if code >= 500 else _TRANSIENT
    return DeliveryResult(status, f"{code} {text}"[:300], code=code)


def _refusals(
    refused: dict[str, tuple[int, bytes]],
) -> list[tuple[str, int, str]]:
    return [
        (address, code, reply.decode("utf-8", "replace")[:200])
        for address, (code, reply) in sorted(refused.items())
    ]


def _refused_all(recipients: dict[str, tuple[int, bytes]]) -> DeliveryResult:
    refusals = _refusals(recipients)
    permanent = all(code >= 500 for _, code, _ in refusals)
    first = refusals[0] if refusals else ("", 0, "")
    return DeliveryResult(
        _PERMANENT if permanent else _TRANSIENT,
        f"recipient refused: {first[0]}: {first[1]} {first[2]}",
        code=first[1] or None,
        refused=tuple(refusals),
    )
