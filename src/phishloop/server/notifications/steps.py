"""The feedback job kinds: each takes an id and calls one service."""

from __future__ import annotations

from typing import Any

from phishloop.core.errors import ConfigError
from phishloop.server.jobs.queue import PermanentError, register
from phishloop.server.notifications import service

PLAN_VERDICT = "plan-feedback"
PLAN_REVIEW = "plan-review-note"
PLAN_RECEIPT = "acknowledge-report"


def _configured(plan: Any, object_id: int) -> None:
    try:
        plan(object_id)
    except ConfigError as exc:  # the operator must fix the file; retrying will not
        raise PermanentError(f"configuration: {exc}") from exc


@register(PLAN_VERDICT)
def plan_verdict_step(payload: dict[str, Any]) -> None:
    _configured(service.plan_verdict_feedback, int(payload["incident_id"]))


@register(PLAN_REVIEW)
def plan_review_step(payload: dict[str, Any]) -> None:
    _configured(service.plan_review_notes, int(payload["incident_id"]))


@register(PLAN_RECEIPT)
def acknowledge_step(payload: dict[str, Any]) -> None:
    _configured(service.plan_acknowledgement, int(payload["report_id"]))
