"""Step 1: analyse a report's raw bytes with the core (facts and verdict) and record each
reported original as a Message, deduplicated by content hash or Message-ID."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from phishloop.core.model import Analysis
from phishloop.core.serialize import analysis_to_dict
from phishloop.server.audit.service import record
from phishloop.server.jobs.queue import enqueue
from phishloop.server.pipeline.cluster import CLUSTER
from phishloop.server.pipeline.recovery import mark_pending
from phishloop.server.pipeline.runtime import runtime
from phishloop.server.reports.models import Fidelity, Message, Report, ReportState
from phishloop.server.reports.storage import load_raw


def analyse_report(report_id: int) -> list[int]:
    """Analyse report `report_id` (again, if asked twice: the result is the same rows) and
    queue the clustering of its messages; the ids of those messages. A report whose true
    original was recovered (`pipeline.recovery`) is analysed from that original."""
    report = Report.objects.get(pk=report_id)
    raw = load_raw(report.recovered_sha256 or report.raw_sha256)
    analyses = runtime().analyze(raw, report.filename or None)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        messages = [_message_for(analysis, report) for analysis in analyses]
        first = analyses[0] if analyses else None
        if first is not None and first.report is not None:
            report.fidelity = first.report.fidelity
            report.report_format = first.report.format
            if not report.reporter and first.report.reporter:
                report.reporter = first.report.reporter.lower()
        elif first is not None:
            report.fidelity = Fidelity.DIRECT
        if report.recovered_sha256:
            report.fidelity = Fidelity.RECOVERED
        mark_pending(report)
        report.errors = _storable(
            [{"code": e.code, "message": e.message} for a in analyses for e in a.errors]
        )
        report.state = ReportState.ANALYSED
        report.save()
        report.messages.add(*messages)
        record("report.analysed", report, messages=[m.pk for m in messages],
               fidelity=report.fidelity, errors=len(report.errors))  # fmt: skip
        for message in messages:  # one clustering per (message, report): counts stay true
            enqueue(CLUSTER, f"cluster:message:{message.pk}:report:{report.pk}",
                    {"message_id": message.pk, "report_id": report.pk})  # fmt: skip
    return [m.pk for m in messages]


def _message_for(analysis: Analysis, report: Report) -> Message:
    """The Message this original is (existing, by content hash or Message-ID) or a new one;
    its report count and last-reported time are updated."""
    content = _content_key(analysis)
    message_id = (analysis.message.message_id or "")[:998]
    now = timezone.now()
    existing = _existing(content, message_id)
    if existing is None:
        created = _create(analysis, content, now)
        if created is not None:
            return created
        # Another worker committed this content after our look-up: it is ours to join.
        existing = _existing(content, message_id)
        if existing is None:  # the conflicting row is gone again (rolled back): retry the job
            raise RuntimeError(f"message {content} conflicted but cannot be found")
    if not existing.reports.filter(pk=report.pk).exists():
        existing.report_count += 1
    existing.last_reported_at = now
    if _fidelity_rank(analysis) > _fidelity_rank_of(existing):
        _fill(existing, analysis)  # a full copy beats a reconstructed one
    existing.save()
    return existing


def _existing(content: str, message_id: str) -> Message | None:
    """The Message already recorded for this content hash or Message-ID, locked."""
    existing = Message.objects.select_for_update().filter(content_sha256=content).first()
    if existing is None and message_id:
        existing = Message.objects.select_for_update().filter(message_id=message_id).first()
    return existing


def _create(analysis: Analysis, content: str, now: datetime) -> Message | None:
    """A new Message, or None when a concurrent analysis of the same content inserted it
    first (two reporters' identical copies analysed at the same moment)."""
    message = Message(content_sha256=content, first_reported_at=now, last_reported_at=now,
                      report_count=1)  # fmt: skip
    _fill(message, analysis)
    try:  # in a savepoint, so a conflict leaves the report's transaction usable
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return None
    return message


def _fill(message: Message, analysis: Analysis) -> None:
    info = analysis.message
    message.message_id = _storable(info.message_id or "")[:998]
    message.subject = _storable(info.subject or "")[:998]
    message.sender = _storable(info.from_.address if info.from_ else "")[:320]
    message.sent_at = _parse_date(info.date)
    message.analysis = _storable(analysis_to_dict(analysis))
    verdict = analysis.verdict
    message.category = verdict.category if verdict else ""
    message.confidence = verdict.confidence if verdict else None


def _storable(value: Any) -> Any:
    """`value` with NUL characters replaced (U+FFFD): garbage and hostile mail carry them
    into subjects and extracted text, and PostgreSQL stores no NUL in text or JSON."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def _content_key(analysis: Analysis) -> str:
    """The original's raw SHA-256; a reconstructed original (no raw bytes) is keyed by its
    sender, subject and normalised body instead."""
    if analysis.fingerprint.raw_sha256:
        return analysis.fingerprint.raw_sha256
    info = analysis.message
    parts = ["reconstructed", info.message_id or "", info.from_.address if info.from_ else "",
             info.subject or "", analysis.fingerprint.body_sha256 or ""]  # fmt: skip
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _fidelity_rank(analysis: Analysis) -> int:
    return 0 if analysis.report is not None and analysis.report.fidelity != "full" else 1


def _fidelity_rank_of(message: Message) -> int:
    report = message.analysis.get("report") if isinstance(message.analysis, dict) else None
    return 0 if isinstance(report, dict) and report.get("fidelity") != "full" else 1


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)
