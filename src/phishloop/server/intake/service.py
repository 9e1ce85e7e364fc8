"""Accepting a report: bytes stored, row committed, analysis queued — then acknowledged."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from phishloop.server.audit.service import record
from phishloop.server.jobs.queue import enqueue
from phishloop.server.reports.models import Channel, Report
from phishloop.server.reports.storage import store_raw

ANALYSE = "analyse-report"


class RejectedReport(ValueError):
    """The submission cannot become a report (empty, too large, bad reporter); the message
    says why, for the channel to pass on."""


@dataclass(frozen=True)
class Accepted:
    report: Report
    created: bool  # False: the same delivery was accepted before


def accept_report(
    raw: bytes,
    *,
    channel: str,
    reporter: str = "",
    filename: str = "",
    delivery_id: str = "",
    actor: str = "system",
) -> Accepted:
    """Store the raw bytes, then commit the Report row and its analysis job in one
    transaction. Only when this returns may the channel acknowledge the report.

    `delivery_id` names one delivery within the channel (an IMAP UID, an SMTP queue id, an
    Idempotency-Key header); without it, the same bytes from the same reporter through the
    same channel count as one report."""
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if not raw.strip():
        raise RejectedReport("the report is empty")
    limit = settings.PHISHLOOP_MAX_REPORT_BYTES
    if len(raw) > limit:
        raise RejectedReport(f"the report is {len(raw):,} bytes; the limit is {limit:,}")
    reporter = reporter.strip().lower()
    sha256 = store_raw(raw)  # before the row: a row never points at missing bytes
    key = _delivery_key(channel, delivery_id, sha256, reporter)
    with transaction.atomic():
        report, created = Report.objects.get_or_create(
            delivery_key=key,
            defaults={
                "channel": channel,
                "reporter": reporter,
                "raw_sha256": sha256,
                "raw_size": len(raw),
                "filename": filename[:255],
            },
        )
        if created:
            enqueue(ANALYSE, f"analyse:report:{report.pk}", {"report_id": report.pk})
            record("report.received", report, actor=actor, channel=channel, reporter=reporter,
                   sha256=sha256, size=len(raw))  # fmt: skip
    return Accepted(report, created)


def _delivery_key(channel: str, delivery_id: str, sha256: str, reporter: str) -> str:
    if delivery_id:
        digest = hashlib.sha256(delivery_id.encode("utf-8", "surrogateescape")).hexdigest()
        return f"{channel}:id:{digest}"
    return f"{channel}:raw:{sha256}:{reporter}"
