"""The pipeline's job kinds: each takes ids from its payload and calls one service."""

from __future__ import annotations

from typing import Any

from phishloop.server.intake.service import ANALYSE
from phishloop.server.jobs.queue import PermanentError, register
from phishloop.server.pipeline.analyse import analyse_report
from phishloop.server.reports.models import Report, ReportState


@register(ANALYSE)
def analyse_step(payload: dict[str, Any]) -> None:
    report_id = int(payload["report_id"])
    try:
        analyse_report(report_id)
    except FileNotFoundError as exc:  # the raw bytes are gone: retrying cannot help
        Report.objects.filter(pk=report_id).update(
            state=ReportState.FAILED, errors=[{"code": "storage.missing", "message": str(exc)}]
        )
        raise PermanentError(str(exc)) from exc
