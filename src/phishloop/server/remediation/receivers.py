"""Automatic restore: when an analyst (or a new decision) turns an incident clean, every
pull of it is restored — the receiver only queues the restore, inside the transaction."""

from __future__ import annotations

from typing import Any

from phishloop.server.incidents.models import Category, Incident
from phishloop.server.incidents.signals import verdict_changed
from phishloop.server.remediation import connect
from phishloop.server.remediation.models import PullJob
from phishloop.server.remediation.service import RESTORABLE, request_restore


def restore_on_clean(sender: Any, *, incident: Incident, actor: str, previous: str,
                     **_: Any) -> None:  # fmt: skip
    if incident.category != Category.CLEAN or previous == Category.CLEAN:
        return
    pulls = PullJob.objects.select_for_update().filter(incident=incident, state__in=RESTORABLE)
    if not pulls.exists() or not connect.settings().restore_on_clean:
        return
    for pull in pulls:
        request_restore(pull, actor="system", reason=f"verdict changed to clean by {actor}")


verdict_changed.connect(restore_on_clean, dispatch_uid="remediation.restore_on_clean")
