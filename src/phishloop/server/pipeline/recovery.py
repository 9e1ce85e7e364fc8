"""The seam for recovering the true original of a reconstructed report.

An inline forward retypes the suspicious email: its headers, authentication results and
attachments are lost, so its analysis is weaker. Such a report is marked
`Report.recovery = "pending"` when analysed (with an audit event), and stays findable with
`pending_recoveries()`. The mail-store connector of the remediation issue fetches the
original from the reporter's mailbox (it knows the forward's subject, sender and date) and
hands the bytes to `complete_recovery`, or calls `recovery_unavailable` when it cannot find
it. `complete_recovery` stores the bytes and queues the analysis of the recovered original,
whose messages join the report and are clustered like any other (the full copy joins the
reconstructed one's incident by similarity and, being better evidence, decides it)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from phishloop.server.audit.service import record
from phishloop.server.intake.service import ANALYSE
from phishloop.server.jobs.queue import enqueue
from phishloop.server.reports.models import Fidelity, Recovery, Report
from phishloop.server.reports.storage import store_raw


def mark_pending(report: Report) -> None:
    """Called by the analyse step for a reconstructed report (inside its transaction)."""
    if report.fidelity == Fidelity.RECONSTRUCTED and not report.recovery:
        report.recovery = Recovery.PENDING
        record("report.recovery_pending", report, reporter=report.reporter)


def pending_recoveries() -> QuerySet[Report]:
    """Reconstructed reports whose original nobody has fetched yet, oldest first."""
    return Report.objects.filter(recovery=Recovery.PENDING).order_by("received_at", "id")


def complete_recovery(report_id: int, raw: bytes, *, actor: str) -> Report:
    """Store the recovered original of report `report_id` and queue its analysis
    (idempotent: the same bytes again change nothing)."""
    if not raw.strip():
        raise ValueError("the recovered original is empty")
    sha256 = store_raw(raw)  # before the row, as at intake
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.recovered_sha256 == sha256:
            return report
        report.recovered_sha256 = sha256
        report.recovery = Recovery.RECOVERED
        report.save(update_fields=["recovered_sha256", "recovery"])
        record("report.recovered", report, actor=actor, sha256=sha256, size=len(raw))
        enqueue(ANALYSE, f"analyse:report:{report.pk}:recovered:{sha256}",
                {"report_id": report.pk})  # fmt: skip
    return report


def recovery_unavailable(report_id: int, *, actor: str, reason: str) -> None:
    """The connector could not find the original (deleted, no access): say so, visibly."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.recovery == Recovery.PENDING:
            report.recovery = Recovery.UNAVAILABLE
            report.save(update_fields=["recovery"])
            record("report.recovery_unavailable", report, actor=actor, reason=reason)
