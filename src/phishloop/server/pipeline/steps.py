"""The pipeline's job kinds: each takes ids from its payload and calls one service."""

from __future__ import annotations

from typing import Any

from phishloop.core.errors import ConfigError
from phishloop.server.incidents.upkeep import DECIDE, SYNC_INTEL
from phishloop.server.intake.service import ANALYSE
from phishloop.server.jobs.queue import PermanentError, register
from phishloop.server.pipeline import intel
from phishloop.server.pipeline.analyse import analyse_report
from phishloop.server.pipeline.cluster import CLUSTER, cluster_message
from phishloop.server.pipeline.decide import decide_incident
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


@register(CLUSTER)
def cluster_step(payload: dict[str, Any]) -> None:
    cluster_message(int(payload["message_id"]))


@register(DECIDE)
def decide_step(payload: dict[str, Any]) -> None:
    try:
        decide_incident(int(payload["incident_id"]))
    except ConfigError as exc:  # a bad [policy]: retrying will not fix it, the operator will
        raise PermanentError(f"configuration: {exc}") from exc


@register(SYNC_INTEL)
def sync_intel_step(payload: dict[str, Any]) -> None:
    intel.publish()
