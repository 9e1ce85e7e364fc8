"""Indicators of confirmed-malicious incidents: Indicator rows linked to the incident,
which the `sync-intel` job then publishes to the local intel store."""

from __future__ import annotations

from typing import Any

from phishloop.core.enrich.feedback import feedback_indicators
from phishloop.core.model import Indicator as CoreIndicator
from phishloop.server.incidents.models import (
    Category,
    Incident,
    IncidentState,
    Indicator,
    IndicatorType,
)

SOURCE = "incident"


def confirmed_malicious(incident: Incident) -> bool:
    """Malicious and resolved: auto-resolved above the threshold, or an analyst's call."""
    return incident.category == Category.MALICIOUS and incident.state == IncidentState.RESOLVED


def sync_links(incident: Incident, trusted_domains: tuple[str, ...]) -> bool:
    """Link the incident to its messages' indicators when it is confirmed malicious, unlink
    them all when it no longer is; True when the links changed."""
    wanted = _wanted(incident, trusted_domains) if confirmed_malicious(incident) else []
    current = set(incident.indicators.values_list("type", "value"))
    if {(i.type, i.value) for i in wanted} == current:
        return False
    rows = [_row(indicator) for indicator in wanted]
    incident.indicators.set(rows)
    return True


def _wanted(incident: Incident, trusted_domains: tuple[str, ...]) -> list[CoreIndicator]:
    found: list[CoreIndicator] = []
    for analysis in incident.messages.values_list("analysis", flat=True):
        found.extend(_parse(analysis))
    return feedback_indicators(found, trusted_domains=trusted_domains)


def _parse(analysis: Any) -> list[CoreIndicator]:
    items = analysis.get("indicators", []) if isinstance(analysis, dict) else []
    return [
        CoreIndicator(item["type"], str(item["value"])[:2048])
        for item in items
        if isinstance(item, dict) and item.get("type") in IndicatorType.values and item.get("value")
    ]


def _row(indicator: CoreIndicator) -> Indicator:
    row, _ = Indicator.objects.get_or_create(
        type=indicator.type, value=indicator.value, defaults={"source": SOURCE}
    )
    return row
