"""Reacting to verdicts, inside the transaction of the change: a clean verdict restores
every pull of the incident; with `auto_approve`, a verdict in the policy's categories
queues a pull (planned by a job, then approved or not by the policy). The receivers
only queue work; the services do it."""

from __future__ import annotations

import logging
from typing import Any

from phishloop.core.errors import ConfigError
from phishloop.server.audit.service import record
from phishloop.server.incidents.models import Category, Incident
from phishloop.server.incidents.signals import verdict_changed
from phishloop.server.jobs.queue import enqueue
from phishloop.server.remediation import connect
from phishloop.server.remediation.models import PullJob
from phishloop.server.remediation.planning import live_pulls
from phishloop.server.remediation.service import RESTORABLE, request_restore
from phishloop.server.remediation.steps import PLAN

log = logging.getLogger(__name__)


def restore_on_clean(sender: Any, *, incident: Incident, actor: str, previous: str,
                     **_: Any) -> None:  # fmt: skip
    if incident.category != Category.CLEAN or previous == Category.CLEAN:
        return
    pulls = PullJob.objects.select_for_update().filter(incident=incident, state__in=RESTORABLE)
    if not pulls.exists() or not connect.settings().restore_on_clean:
        return
    for pull in pulls:
        request_restore(pull, actor="system", reason=f"verdict changed to clean by {actor}")


def plan_on_verdict(sender: Any, *, incident: Incident, actor: str, previous: str,
                    **_: Any) -> None:  # fmt: skip
    if incident.category in (Category.CLEAN, previous):
        return
    try:
        settings = connect.settings()
    except ConfigError as exc:  # a broken file must not undo the verdict; say so instead
        log.error("no automatic pull for incident %s: %s", incident.pk, exc)
        record("pull.auto_plan_skipped", incident, reason=str(exc))
        return
    if not settings.auto_approve or incident.category not in settings.categories:
        return
    if live_pulls(incident.pk).exists():
        return
    key = f"pull:plan:incident{incident.pk}:r{incident.revision}"
    enqueue(PLAN, key, {"incident_id": incident.pk})


verdict_changed.connect(restore_on_clean, dispatch_uid="remediation.restore_on_clean")
verdict_changed.connect(plan_on_verdict, dispatch_uid="remediation.plan_on_verdict")
