"""Accepting reports: stored bytes, one row per delivery, analysis queued and run."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from phishloop.server.audit.models import AppendOnlyError, AuditEvent
from phishloop.server.intake.service import RejectedReport, accept_report
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job, JobState
from phishloop.server.reports.models import Fidelity, Message, Report, ReportState
from phishloop.server.reports.storage import blob_name, load_raw

pytestmark = pytest.mark.django_db(transaction=True)


def suspicious_mail(subject: str = "Your mailbox is full") -> bytes:
    message = EmailMessage()
    message["From"] = "IT Helpdesk <helpdesk@mailbox-verify.example>"
    message["To"] = "alice@example.org"
    message["Subject"] = subject
    message["Message-ID"] = "<abc123@mailbox-verify.example>"
    message.set_content("Verify your password now: https://mailbox-verify.example/login")
    return message.as_bytes()


def test_a_report_is_stored_before_it_is_acknowledged(raw_storage: Path) -> None:
    raw = suspicious_mail()
    accepted = accept_report(raw, channel="api", reporter="Alice@Example.org")
    report = Report.objects.get(pk=accepted.report.pk)
    assert accepted.created
    assert report.reporter == "alice@example.org"
    assert report.state == ReportState.RECEIVED
    assert load_raw(report.raw_sha256) == raw
    assert (raw_storage / blob_name(report.raw_sha256)).read_bytes() == raw
    assert Job.objects.get(key=f"analyse:report:{report.pk}").state == JobState.QUEUED
    assert AuditEvent.objects.filter(action="report.received", object_id=str(report.pk)).exists()


def test_the_same_delivery_twice_is_one_report() -> None:
    raw = suspicious_mail()
    first = accept_report(raw, channel="imap", delivery_id="INBOX:7:42")
    again = accept_report(raw, channel="imap", delivery_id="INBOX:7:42")
    assert not again.created and again.report.pk == first.report.pk
    assert Report.objects.count() == 1 and Job.objects.count() == 1


def test_empty_and_oversized_reports_are_rejected_with_a_reason(settings: object) -> None:
    with pytest.raises(RejectedReport, match="empty"):
        accept_report(b"  \r\n", channel="api")
    settings.PHISHLOOP_MAX_REPORT_BYTES = 2048  # type: ignore[attr-defined]
    with pytest.raises(RejectedReport, match="limit is 2,048"):
        accept_report(b"x" * 4096, channel="api")
    assert Report.objects.count() == 0


def test_analysis_turns_a_report_into_a_message_with_a_verdict() -> None:
    accepted = accept_report(suspicious_mail(), channel="cli", reporter="alice@example.org")
    assert queue.drain() >= 1
    report = Report.objects.get(pk=accepted.report.pk)
    assert report.state == ReportState.ANALYSED
    assert report.fidelity == Fidelity.DIRECT
    [message] = report.messages.all()
    assert message.subject == "Your mailbox is full"
    assert message.analysis["schema"] == "phishloop.analysis/1"
    assert message.category in {"malicious", "suspicious", "spam"}


def test_two_reports_of_one_email_share_one_message() -> None:
    raw = suspicious_mail()
    accept_report(raw, channel="api", reporter="alice@example.org")
    accept_report(raw, channel="api", reporter="bob@example.org")
    queue.drain()
    assert Message.objects.count() == 1
    assert Message.objects.get().report_count == 2


def test_a_job_run_twice_changes_nothing_the_second_time() -> None:
    accepted = accept_report(suspicious_mail(), channel="api", reporter="alice@example.org")
    queue.drain()
    job = Job.objects.get(key=f"analyse:report:{accepted.report.pk}")
    assert job.state == JobState.DONE
    assert queue.run_one(job.pk) is None  # done jobs are not claimed again
    assert Message.objects.get().report_count == 1


def test_audit_events_cannot_be_rewritten() -> None:
    accept_report(suspicious_mail(), channel="api")
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "something else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
