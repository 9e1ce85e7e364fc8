"""POST /api/v1/reports: raw bodies, uploads, reporters, idempotency, size limits, errors."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from phishloop.server.api.errors import PayloadTooLarge
from phishloop.server.api.parsers import read_bounded
from phishloop.server.audit.models import AuditEvent
from phishloop.server.intake import service
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job
from phishloop.server.reports.models import Report, ReportState
from phishloop.server.reports.storage import load_raw

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports"
Mail = Callable[..., bytes]


@pytest.fixture
def reporter(as_role: Callable[[str], APIClient]) -> APIClient:
    return as_role("reporter")


def post_raw(client: APIClient, raw: bytes, content_type: str = "message/rfc822",
             **extra: Any) -> Any:  # fmt: skip
    return client.generic("POST", URL, raw, content_type=content_type, **extra)


def test_a_raw_report_is_stored_and_queued(reporter: APIClient, mail: Mail) -> None:
    raw = mail()
    response = post_raw(reporter, raw, HTTP_X_PHISHLOOP_REPORTER="Alice@Example.org")
    assert response.status_code == 202, response.content
    body = response.json()
    report = Report.objects.get(pk=body["id"])
    assert body == {"id": report.pk, "state": "received",
                    "url": f"http://testserver/api/v1/reports/{report.pk}"}  # fmt: skip
    assert response["Location"] == body["url"]
    assert load_raw(report.raw_sha256) == raw
    assert (report.channel, report.reporter) == ("api", "alice@example.org")
    assert Job.objects.filter(key=f"analyse:report:{report.pk}").exists()
    received = AuditEvent.objects.get(action="report.received", object_id=str(report.pk))
    assert received.actor.startswith("token:reporter-")


def test_a_multipart_upload_keeps_its_file_name_and_reporter(
    reporter: APIClient, mail: Mail
) -> None:
    upload = SimpleUploadedFile("phish.eml", mail(), content_type="message/rfc822")
    response = reporter.post(URL, {"file": upload, "reporter": "bob@example.org"},
                             format="multipart")  # fmt: skip
    assert response.status_code == 202, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert (report.filename, report.reporter) == ("phish.eml", "bob@example.org")


def test_an_outlook_msg_body_is_accepted_and_analysed(reporter: APIClient, corpora: Path) -> None:
    raw = (corpora / "msg_files" / "eml_analyzer" / "other.msg").read_bytes()
    response = post_raw(
        reporter, raw, "application/vnd.ms-outlook", QUERY_STRING="reporter=c@example.org"
    )
    assert response.status_code == 202, response.content
    report = Report.objects.get(pk=response.json()["id"])
    assert (report.filename, report.reporter) == ("report.msg", "c@example.org")
    assert load_raw(report.raw_sha256) == raw
    queue.drain()
    report.refresh_from_db()
    assert report.state == ReportState.ANALYSED
    assert report.messages.count() >= 1


def test_a_repeated_idempotency_key_gives_the_same_report(
    reporter: APIClient, as_role: Callable[[str], APIClient], mail: Mail
) -> None:
    first = post_raw(reporter, mail(), HTTP_IDEMPOTENCY_KEY="button-42")
    again = post_raw(reporter, mail(), HTTP_IDEMPOTENCY_KEY="button-42")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Report.objects.count() == 1
    assert AuditEvent.objects.filter(action="report.resubmitted").count() == 1
    # Keys are per token: another client's "button-42" is another report.
    other = post_raw(as_role("reporter"), mail(), HTTP_IDEMPOTENCY_KEY="button-42")
    assert other.status_code == 202 and other.json()["id"] != first.json()["id"]


def test_an_idempotency_key_reused_for_other_bytes_is_a_conflict(
    reporter: APIClient, mail: Mail
) -> None:
    post_raw(reporter, mail(), HTTP_IDEMPOTENCY_KEY="k1")
    response = post_raw(reporter, mail(subject="another"), HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_the_same_bytes_from_the_same_reporter_are_one_report(
    reporter: APIClient, mail: Mail
) -> None:
    first = post_raw(reporter, mail(), HTTP_X_PHISHLOOP_REPORTER="a@example.org")
    again = post_raw(reporter, mail(), HTTP_X_PHISHLOOP_REPORTER="a@example.org")
    other = post_raw(reporter, mail(), HTTP_X_PHISHLOOP_REPORTER="b@example.org")
    assert (first.status_code, again.status_code, other.status_code) == (202, 200, 202)
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "field"),
    [
        (b"  \r\n", "message/rfc822", 400, "file"),
        (b"", "message/rfc822", 400, "file"),
        (b"Subject: x\r\n\r\nhi", "", 415, None),
        (b"Subject: x\r\n\r\nhi", "text/plain", 415, None),
        (b"a=b", "application/x-www-form-urlencoded", 415, None),
    ],
)
def test_bad_submissions_get_a_clear_error(
    reporter: APIClient, raw: bytes, content_type: str, status: int, field: str | None
) -> None:
    response = post_raw(reporter, raw, content_type)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["message"]
    if field:
        assert field in error["detail"]
    else:
        assert "multipart/form-data" in error["message"]
    assert Report.objects.count() == 0


def test_a_multipart_upload_without_the_file_field_is_explained(reporter: APIClient) -> None:
    response = reporter.post(URL, {"reporter": "a@example.org"}, format="multipart")
    assert response.status_code == 400
    assert "`file` field" in response.json()["error"]["detail"]["file"][0]


def test_a_reporter_that_is_not_an_address_is_refused(reporter: APIClient, mail: Mail) -> None:
    response = post_raw(reporter, mail(), HTTP_X_PHISHLOOP_REPORTER="not an address")
    assert response.status_code == 400
    assert "reporter" in response.json()["error"]["detail"]
    assert Report.objects.count() == 0


def test_an_oversized_body_is_refused_with_413(
    reporter: APIClient, settings: Any, mail: Mail
) -> None:
    settings.PHISHLOOP_MAX_REPORT_BYTES = 2048
    raw = mail(body="x" * 4096)
    response = post_raw(reporter, raw)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert "2,048" in response.json()["error"]["message"]
    upload = SimpleUploadedFile("big.eml", raw)
    assert reporter.post(URL, {"file": upload}, format="multipart").status_code == 413
    assert Report.objects.count() == 0


def test_an_oversized_content_length_is_refused_before_reading(
    reporter: APIClient, settings: Any, mail: Mail
) -> None:
    settings.PHISHLOOP_MAX_REPORT_BYTES = 2048
    response = post_raw(reporter, mail(), CONTENT_LENGTH=str(10**9))
    assert response.status_code == 413
    assert Report.objects.count() == 0


def test_reading_a_body_stops_at_the_limit() -> None:
    """A body without a trustworthy Content-Length is still read only up to the limit."""
    with pytest.raises(PayloadTooLarge):
        read_bounded(io.BytesIO(b"x" * 5000), 4096)
    assert read_bounded(io.BytesIO(b"x" * 4096), 4096) == b"x" * 4096


def test_storage_trouble_refuses_clearly_with_503(
    reporter: APIClient, mail: Mail, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(raw: bytes) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(service, "store_raw", broken)
    response = post_raw(reporter, mail())
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "unavailable"
    assert Report.objects.count() == 0


def test_intake_is_rate_limited_per_token(
    as_role: Callable[[str], APIClient], settings: Any, mail: Mail
) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"intake": "2/minute", "anonymous": "60/minute"},
    }
    button = as_role("reporter")
    assert post_raw(button, mail(subject="1")).status_code == 202
    assert post_raw(button, mail(subject="2")).status_code == 202
    refused = post_raw(button, mail(subject="3"))
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert post_raw(as_role("reporter"), mail(subject="3")).status_code == 202
    assert Report.objects.count() == 3
