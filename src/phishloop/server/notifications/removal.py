"""How many mailboxes a malicious message was removed from, for "removed from N
mailboxes". The pulls live in `phishloop.server.remediation` (built alongside); until
that app is installed, or while its pull is still running, the count is 0 and the
feedback says the message is being removed."""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

from django.apps import apps

log = logging.getLogger(__name__)


def removed_count(incident_id: int) -> int:
    """Mailboxes the incident's pulls quarantined a copy in (0 when unknown)."""
    if not apps.is_installed("phishloop.server.remediation"):
        return 0
    try:
        service: Any = import_module("phishloop.server.remediation.feedback")
        return max(0, int(service.removed_count(incident_id)))
    except (ImportError, AttributeError):
        return _count_from_models(incident_id)


def _count_from_models(incident_id: int) -> int:
    """Distinct mailboxes with a moved action in the incident's pulls."""
    try:
        action = apps.get_model("remediation", "PullAction")
    except LookupError:
        return 0
    try:
        moved = action.objects.filter(pull__incident_id=incident_id, outcome="moved")
        return int(moved.values("mailbox").distinct().count())
    except Exception:
        log.warning("cannot count removed copies of incident %s", incident_id, exc_info=True)
        return 0
