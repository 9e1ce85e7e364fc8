"""The SMTP notifier against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
from email.message import EmailMessage
from pathlib import Path

import pytest
from tests.support.slapd import free_port
from tests.support.smtp_server import PASSWORD, USER, running_smtp
from tests.support.tls_certs import ServerCertificate, make_server_certificate

from phishloop.connectors.notifier import (
    DeliveryResult,
    DeliveryStatus,
    InMemoryNotifier,
    Notifier,
    NotifierSettings,
    SmtpNotifier,
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> ServerCertificate:
    return make_server_certificate(tmp_path_factory.mktemp("smtp-tls"))


def _message(to: str = "reporter@corp.test") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "phishloop <abuse@corp.test>"
    message["To"] = to
    message["Subject"] = "Ihre Meldung: Rechnung März"
    message.set_content("Danke für Ihre Meldung.")
    return message


def _settings(port: int, **overrides: object) -> NotifierSettings:
    base = NotifierSettings(
        from_address="abuse@corp.test", host="127.0.0.1", port=port, security="none"
    )
    return dataclasses.replace(base, **overrides)


def test_plain_relay_delivers() -> None:
    with running_smtp("plain") as server:
        result = SmtpNotifier(_settings(server.port)).send(_message())
    assert result.delivered and not result.retryable
    [envelope] = server.recorder.messages
    assert envelope.rcpt_tos == ["reporter@corp.test"]
    assert b"Rechnung =?utf-8?q?M=C3=A4rz?=" in envelope.original_content  # RFC 2047


def test_starttls_with_auth(certificate: ServerCertificate) -> None:
    with running_smtp("starttls", certificate) as server:
        settings = _settings(
            server.port,
            security="starttls",
            ca_file=certificate.ca_file,
            username=USER,
            password=PASSWORD,
            envelope_from="bounces@corp.test",
        )
        result = SmtpNotifier(settings).send(_message())
    assert result.status is DeliveryStatus.DELIVERED, result.detail
    assert server.recorder.logins == [USER]
    assert server.recorder.messages[0].mail_from == "bounces@corp.test"


def test_implicit_tls_with_auth(certificate: ServerCertificate) -> None:
    with running_smtp("tls", certificate) as server:
        settings = _settings(
            server.port,
            security="tls",
            ca_file=certificate.ca_file,
            username=USER,
            password=PASSWORD,
        )
        result = SmtpNotifier(settings).send(_message())
    assert result.delivered, result.detail
    assert len(server.recorder.messages) == 1


def test_untrusted_certificate_is_permanent(certificate: ServerCertificate, tmp_path: Path) -> None:
    other = make_server_certificate(tmp_path / "other")
    with running_smtp("starttls", certificate) as server:
        settings = _settings(
            server.port,
            security="starttls",
            ca_file=other.ca_file,
            username=USER,
            password=PASSWORD,
        )
        result = SmtpNotifier(settings).send(_message())
    assert result.status is DeliveryStatus.PERMANENT
    assert "certificate not trusted" in result.detail
    assert server.recorder.messages == []


def test_wrong_password_is_permanent(certificate: ServerCertificate) -> None:
    with running_smtp("starttls", certificate) as server:
        settings = _settings(
            server.port,
            security="starttls",
            ca_file=certificate.ca_file,
            username=USER,
            password="x",
        )
        result = SmtpNotifier(settings).send(_message())
    assert (result.status, result.code) == (DeliveryStatus.PERMANENT, 535)


def test_relay_without_starttls_is_permanent() -> None:
    with running_smtp("plain") as server:
        result = SmtpNotifier(_settings(server.port, security="starttls")).send(_message())
    assert result.status is DeliveryStatus.PERMANENT
    assert "does not support" in result.detail


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("550 5.1.1 no such user", DeliveryStatus.PERMANENT),
        ("451 4.3.0 try later", DeliveryStatus.TRANSIENT),
    ],
)
def test_refused_recipient(reply: str, status: DeliveryStatus) -> None:
    with running_smtp("plain") as server:
        server.recorder.replies["gone@corp.test"] = reply
        result = SmtpNotifier(_settings(server.port)).send(_message("gone@corp.test"))
    assert result.status is status
    assert result.code == int(reply[:3])
    assert result.refused[0][0] == "gone@corp.test"


def test_partial_refusal_is_delivered_with_the_refusals_listed() -> None:
    with running_smtp("plain") as server:
        server.recorder.replies["gone@corp.test"] = "550 5.1.1 no such user"
        result = SmtpNotifier(_settings(server.port)).send(
            _message("reporter@corp.test, gone@corp.test")
        )
    assert result.delivered
    assert [(r[0], r[1]) for r in result.refused] == [("gone@corp.test", 550)]


def test_connection_refused_is_transient() -> None:
    result = SmtpNotifier(_settings(free_port(), timeout_seconds=2.0)).send(_message())
    assert result.status is DeliveryStatus.TRANSIENT and result.retryable


def test_in_memory_fake_scripts_failures() -> None:
    fake = InMemoryNotifier([DeliveryResult(DeliveryStatus.TRANSIENT, "451 later", 451)])
    notifier: Notifier = fake
    assert notifier.send(_message()).retryable
    assert notifier.send(_message()).delivered
    assert len(fake.attempts) == 2 and len(fake.sent) == 1
