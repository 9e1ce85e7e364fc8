"""SMTP intake against a real aiosmtpd listener, with smtplib as the sending MTA."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

import pytest
from django.db import connection

from phishloop.connectors.intake.policy import ReporterPolicy
from phishloop.connectors.intake.settings import IntakeSettings
from phishloop.server.intake.smtp import SmtpIntake
from phishloop.server.reports.models import Channel, Report
from phishloop.server.reports.storage import load_raw

pytestmark = pytest.mark.django_db(transaction=True)
ORG = IntakeSettings(reporters=ReporterPolicy(("corp.example",)), sender_rate_limit=3)


def forwarded_report(subject: str = "Fwd: Your mailbox is full") -> bytes:
    message = EmailMessage()
    message["From"] = "Alice <alice@corp.example>"
    message["To"] = "phishing@corp.example"
    message["Subject"] = subject
    message.set_content("Please look at this: https://mailbox-verify.example/login")
    return message.as_bytes(policy=SMTP)  # CRLF, as on the wire


@pytest.fixture
def intake() -> Iterator[SmtpIntake]:
    server = SmtpIntake("127.0.0.1", 0, intake=ORG)
    server.start()
    yield server
    server.stop()


def send(intake: SmtpIntake, sender: str, raw: bytes, **options: Any) -> Any:
    with smtplib.SMTP("127.0.0.1", intake.port, timeout=30) as client:
        return client.sendmail(sender, ["phishing@corp.example"], raw, **options)


def test_a_report_from_an_employee_is_stored_with_its_exact_bytes(intake: SmtpIntake) -> None:
    assert intake.port != 0
    raw = forwarded_report()
    with smtplib.SMTP("127.0.0.1", intake.port, timeout=30) as client:
        client.ehlo()
        assert client.has_extn("size")
        client.sendmail("Alice@Corp.Example", ["phishing@corp.example"], raw)
    [report] = Report.objects.all()
    assert report.channel == Channel.SMTP
    assert report.reporter == "alice@corp.example"
    assert load_raw(report.raw_sha256) == raw


def test_the_acknowledgement_names_the_report(intake: SmtpIntake) -> None:
    with smtplib.SMTP("127.0.0.1", intake.port, timeout=30) as client:
        client.ehlo()
        client.mail("bob@sales.corp.example")
        client.rcpt("phishing@corp.example")
        code, reply = client.data(forwarded_report())
    report = Report.objects.get()
    assert code == 250
    assert f"report #{report.pk}".encode() in reply
    assert report.reporter == "bob@sales.corp.example"  # subdomains count as the organisation


def test_a_sender_outside_the_organisation_is_refused(intake: SmtpIntake) -> None:
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        send(intake, "mallory@evil.example", forwarded_report())
    assert refused.value.smtp_code == 550
    assert b"evil.example is not one of the organisation's domains" in refused.value.smtp_error
    with pytest.raises(smtplib.SMTPSenderRefused) as bounce:
        send(intake, "", forwarded_report())
    assert bounce.value.smtp_code == 550
    assert Report.objects.count() == 0


def test_a_report_over_the_size_limit_is_refused(intake: SmtpIntake, settings: Any) -> None:
    settings.PHISHLOOP_MAX_REPORT_BYTES = 4096
    big = forwarded_report() + b"x" * 5000 + b"\r\n" + b"y" * 3000 + b"\r\n"
    big_intake = SmtpIntake("127.0.0.1", 0, intake=ORG)  # reads the limit when it starts
    big_intake.start()
    try:
        with pytest.raises(smtplib.SMTPSenderRefused) as declared:  # SIZE= in MAIL FROM
            send(big_intake, "alice@corp.example", big)
        assert declared.value.smtp_code == 552
        with smtplib.SMTP("127.0.0.1", big_intake.port, timeout=30) as client:  # no SIZE=
            client.ehlo()
            client.mail("alice@corp.example")
            client.rcpt("phishing@corp.example")
            code, _ = client.data(big)
        assert code == 552
    finally:
        big_intake.stop()
    assert Report.objects.count() == 0


def test_long_lines_are_kept(intake: SmtpIntake) -> None:
    raw = forwarded_report() + b"<p>" + b"x" * 20_000 + b"</p>\r\n"
    send(intake, "alice@corp.example", raw)
    assert load_raw(Report.objects.get().raw_sha256) == raw


def test_an_empty_report_is_refused_with_the_reason(intake: SmtpIntake) -> None:
    with smtplib.SMTP("127.0.0.1", intake.port, timeout=30) as client:
        client.ehlo()
        client.mail("alice@corp.example")
        client.rcpt("phishing@corp.example")
        code, reply = client.data(b"\r\n")
    assert code == 554
    assert b"empty" in reply
    assert Report.objects.count() == 0


def test_too_many_reports_from_one_sender_are_deferred(intake: SmtpIntake) -> None:
    for number in range(3):
        send(intake, "alice@corp.example", forwarded_report(f"report {number}"))
    with pytest.raises(smtplib.SMTPSenderRefused) as deferred:
        send(intake, "alice@corp.example", forwarded_report("report 4"))
    assert deferred.value.smtp_code == 451
    send(intake, "bob@corp.example", forwarded_report("another reporter"))
    assert Report.objects.count() == 4


def test_storage_failure_defers_the_report_and_the_retry_stores_it(
    intake: SmtpIntake, settings: Any, tmp_path: Any
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the blob directory should be")
    working = settings.STORAGES
    broken = {**working["raw"], "OPTIONS": {"location": str(blocker)}}
    settings.STORAGES = {**working, "raw": broken}
    raw = forwarded_report()
    with pytest.raises(smtplib.SMTPDataError) as deferred:
        send(intake, "alice@corp.example", raw)
    assert deferred.value.smtp_code == 451
    assert Report.objects.count() == 0
    settings.STORAGES = working  # storage is back: the MTA's retry succeeds
    send(intake, "alice@corp.example", raw)
    assert load_raw(Report.objects.get().raw_sha256) == raw


def test_database_failure_defers_the_report_and_the_retry_stores_it(intake: SmtpIntake) -> None:
    raw = forwarded_report()
    table = Report._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            send(intake, "alice@corp.example", raw)
        assert deferred.value.smtp_code == 451
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")
    send(intake, "alice@corp.example", raw)
    assert Report.objects.get().reporter == "alice@corp.example"


def test_the_same_delivery_retried_by_the_mta_is_one_report(intake: SmtpIntake) -> None:
    raw = forwarded_report()
    send(intake, "alice@corp.example", raw)
    send(intake, "alice@corp.example", raw)
    assert Report.objects.count() == 1
