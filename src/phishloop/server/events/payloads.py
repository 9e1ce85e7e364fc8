"""The JSON body of a webhook event: what happened to which incident, with links back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from phishloop.server.incidents.models import Incident

SCHEMA = "phishloop.event/1"


def event_payload(
    event: str, incident: Incident, *, actor: str, previous: str | None = None
) -> dict[str, Any]:
    """A new event about `incident` as it is now (a snapshot: later changes send their
    own events)."""
    body: dict[str, Any] = {
        "schema": SCHEMA,
        "id": str(uuid.uuid4()),
        "event": event,
        "created_at": _iso(timezone.now()),
        "actor": actor,
        "incident": incident_summary(incident),
    }
    if previous is not None:
        body["previous"] = {"category": previous}
    return body


def incident_summary(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "title": incident.title,
        "state": incident.state,
        "category": incident.category,
        "subtype": incident.subtype,
        "confidence": incident.confidence,
        "verdict_source": incident.verdict_source,
        "decided_by": incident.decided_by,
        "counts": {
            "reports": incident.report_count,
            "messages": incident.message_count,
            "indicators": incident.indicators.count(),
        },
        "first_seen": _iso(incident.first_seen),
        "last_seen": _iso(incident.last_seen),
        "links": incident_links(incident.pk),
    }


def incident_links(incident_id: int) -> dict[str, str]:
    """Where to look the incident up: absolute with `PHISHLOOP_PUBLIC_URL`, else paths."""
    base = settings.PHISHLOOP_PUBLIC_URL.rstrip("/")
    return {
        "api": f"{base}/api/v1/incidents/{incident_id}",
        "stix": f"{base}/api/v1/incidents/{incident_id}/stix",
        "admin": f"{base}/admin/incidents/incident/{incident_id}/change/",
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
