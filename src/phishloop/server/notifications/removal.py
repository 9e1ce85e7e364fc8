"""How many mailboxes a malicious message was removed from, for "removed from N
mailboxes": distinct mailboxes with a copy moved to quarantine by the incident's pulls
(`phishloop.server.remediation`, PullAction rows with outcome "moved"; restored copies
no longer count). Without that app, or before its pull moved anything, the count is 0
and the feedback says the message is being removed."""

from __future__ import annotations

import logging

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError

log = logging.getLogger(__name__)
MOVED = "moved"


def removed_count(incident_id: int) -> int:
    """Mailboxes the incident's pulls quarantined a copy in (0 when unknown)."""
    try:
        action = apps.get_model("remediation", "PullAction")
    except LookupError:  # remediation is not installed
        return 0
    try:
        moved = action.objects.filter(pull__incident_id=incident_id, outcome=MOVED)
        return int(moved.values("mailbox").distinct().count())
    except (DatabaseError, FieldError):  # feedback must not depend on the pulls' schema
        log.warning("cannot count removed copies of incident %s", incident_id, exc_info=True)
        return 0
