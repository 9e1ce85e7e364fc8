"""Bad input on every channel, at the real default limits: garbage bytes become a stored
report whose errors the API shows; a 50 MB report goes through; one over the 50 MiB limit
is refused with the reason (HTTP 413, SMTP 552, `phishloop report` exit status 1).

Already covered elsewhere and not repeated here: empty bodies, wrong or revoked tokens,
lowered limits (tests/server/api), outsiders, empty mail and rates on SMTP and IMAP, empty
and missing files on the command line (tests/server/intake)."""

from __future__ import annotations

import os
import random
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.conf import settings
from rest_framework.test import APIClient
from tests.server.pipeline_helpers import campaign_copy

from phishloop.cli.main import cli
from phishloop.connectors.intake.policy import ReporterPolicy
from phishloop.connectors.intake.settings import IntakeSettings
from phishloop.server.accounts.tokens import create_token
from phishloop.server.intake.smtp import SmtpIntake
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.reports.models import Report
from phishloop.server.reports.storage import load_raw

pytestmark = pytest.mark.django_db(transaction=True)
ORG = IntakeSettings(reporters=ReporterPolicy(("corp.example",)))
LIMIT = 50 * 1024 * 1024  # PHISHLOOP_MAX_REPORT_BYTES' default


def garbage(size: int = 4096) -> bytes:
    """Random bytes (NULs, bare CRs, invalid UTF-8): no headers, no structure."""
    return random.Random(size).randbytes(size)


def big_mail(size: int) -> bytes:
    """A real email of about `size` bytes: an invoice with a large zip attachment."""
    message = EmailMessage()
    message["From"] = "Billing <billing@invoices-due.example>"
    message["To"] = "alice@corp.example"
    message["Subject"] = "Invoice archive"
    message["Message-ID"] = f"<archive-{size}@invoices-due.example>"
    message.set_content("The overdue invoices are attached: https://invoices-due.example/pay")
    payload = size * 3 // 4  # base64 grows it by a third
    message.add_attachment(os.urandom(payload), maintype="application", subtype="zip",
                           filename="invoices.zip")  # fmt: skip
    raw = message.as_bytes(policy=SMTP)  # CRLF, as on the wire
    assert abs(len(raw) - size) < size // 20
    return raw


@pytest.fixture
def viewer() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token('soc', 'viewer').secret}")
    return client


@pytest.fixture
def reporter() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token('button', 'reporter').secret}")
    return client


@pytest.fixture
def intake() -> Iterator[SmtpIntake]:
    assert settings.PHISHLOOP_MAX_REPORT_BYTES == LIMIT  # the real default, not a test value
    server = SmtpIntake("127.0.0.1", 0, intake=ORG)
    server.start()
    yield server
    server.stop()


def shown(viewer: APIClient, report_id: int) -> dict[str, Any]:
    """The report as the API shows it, after the pipeline ran."""
    queue.drain()
    assert not Job.objects.exclude(state=JobState.DONE).exists()
    response = viewer.get(f"/api/v1/reports/{report_id}")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def assert_not_an_email(report: dict[str, Any]) -> None:
    assert report["state"] == "analysed"
    codes = {error["code"] for error in report["errors"]}
    assert "input.not-email" in codes, report["errors"]
    assert all(error["message"] for error in report["errors"])


def post(client: APIClient, raw: bytes, **extra: Any) -> Any:
    return client.generic("POST", "/api/v1/reports", raw, content_type="message/rfc822", **extra)


def send(intake: SmtpIntake, raw: bytes, sender: str = "alice@corp.example") -> Any:
    with smtplib.SMTP("127.0.0.1", intake.port, timeout=120) as client:
        return client.sendmail(sender, ["phishing@corp.example"], raw)


def test_rest_garbage_is_stored_and_its_errors_are_shown(
    reporter: APIClient, viewer: APIClient
) -> None:
    accepted = post(reporter, garbage(), HTTP_X_PHISHLOOP_REPORTER="alice@corp.example")
    assert accepted.status_code == 202, accepted.content
    assert_not_an_email(shown(viewer, accepted.json()["id"]))


def test_rest_takes_a_50_mb_report_and_refuses_one_over_the_limit(
    reporter: APIClient, viewer: APIClient
) -> None:
    accepted = post(reporter, big_mail(50_000_000))
    assert accepted.status_code == 202, accepted.content
    report = shown(viewer, accepted.json()["id"])
    assert report["state"] == "analysed" and report["messages"]

    refused = post(reporter, big_mail(LIMIT + 500_000))
    assert refused.status_code == 413
    assert f"{LIMIT:,}" in refused.json()["error"]["message"]
    assert Report.objects.count() == 1


def test_rest_an_outside_reporter_is_kept_as_named(reporter: APIClient, viewer: APIClient) -> None:
    """An API token vouches for its caller (a report button, a SOAR): the address it names
    is recorded as given, outside the organisation or not, and shown."""
    raw = campaign_copy("partner@supplier.example")
    accepted = post(reporter, raw, HTTP_X_PHISHLOOP_REPORTER="partner@supplier.example")
    assert accepted.status_code == 202
    assert shown(viewer, accepted.json()["id"])["reporter"] == "partner@supplier.example"


def test_smtp_garbage_is_stored_and_its_errors_are_shown(
    intake: SmtpIntake, viewer: APIClient
) -> None:
    assert send(intake, garbage()) == {}  # 250 for the only recipient
    [report] = Report.objects.all()
    assert_not_an_email(shown(viewer, report.pk))


def test_smtp_takes_a_50_mb_report_and_refuses_one_over_the_limit(
    intake: SmtpIntake, viewer: APIClient
) -> None:
    assert send(intake, big_mail(50_000_000)) == {}
    [report] = Report.objects.all()
    assert shown(viewer, report.pk)["state"] == "analysed"
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:  # declared with SIZE=
        send(intake, big_mail(LIMIT + 500_000))
    assert refused.value.smtp_code == 552
    assert Report.objects.count() == 1


def test_cli_garbage_is_reported_and_an_oversized_file_refused(
    tmp_path: Path, viewer: APIClient
) -> None:
    junk, huge = tmp_path / "junk.bin", tmp_path / "huge.eml"
    junk.write_bytes(garbage())
    huge.write_bytes(big_mail(LIMIT + 500_000))
    result = CliRunner().invoke(cli, ["report", str(junk), str(huge), "--reporter",
                                      "alice@corp.example"])  # fmt: skip
    assert result.exit_code == 1
    assert f"{huge}: not reported: larger than 50 MiB" in result.stderr
    [report] = Report.objects.all()
    assert report.filename == "junk.bin"
    assert_not_an_email(shown(viewer, report.pk))


def test_smtp_takes_a_report_with_a_line_over_64_kb(intake: SmtpIntake) -> None:
    """phishing_pot holds samples with 78 KB and 97 KB lines (HTML on one line): refusing
    such a line would bounce the report back to the employee."""
    message = EmailMessage()
    message["From"] = "Billing <billing@invoices-due.example>"
    message["Subject"] = "Your invoice"
    message.set_content("<p>" + "pay now " * 20_000 + "</p>", subtype="html", cte="8bit")
    raw = message.as_bytes(policy=SMTP.clone(max_line_length=None))
    assert max(len(line) for line in raw.split(b"\r\n")) > 150_000
    assert send(intake, raw) == {}
    assert load_raw(Report.objects.get().raw_sha256) == raw
