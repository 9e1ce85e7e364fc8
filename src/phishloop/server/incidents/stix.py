"""STIX 2.1 export of an incident: a bundle with phishloop's identity, one indicator per
IOC (from the incident's Indicator rows and its messages' analyses) and a report tying
them together. Ids are uuid5 of stable names and timestamps come from the incident, so
exporting an unchanged incident twice gives identical bundles, and the same IOC has the
same indicator id in every export."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from phishloop.server.incidents.models import Incident

# phishloop's namespace for STIX ids (a fixed, random UUID: never change it).
NAMESPACE = uuid.UUID("5d3c0f6e-8a51-4f8e-9b7a-3f1c2d9e6a41")
IDENTITY_CREATED = "2025-01-01T00:00:00.000Z"
MAX_INDICATORS = 5000  # a campaign's IOCs, not a feed dump: keeps a bundle a sane size

_HASH_NAMES = {"md5": "MD5", "sha1": "'SHA-1'", "sha256": "'SHA-256'"}
_INDICATOR_TYPES = {
    "malicious": ["malicious-activity"],
    "suspicious": ["anomalous-activity"],
    "spam": ["anomalous-activity"],
    "bulk": ["benign"],
    "simulation": ["benign"],
    "clean": ["benign"],
}


def stix_id(kind: str, name: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, name)}"


IDENTITY_ID = stix_id("identity", "phishloop")


def incident_bundle(incident: Incident) -> dict[str, Any]:
    """The STIX 2.1 bundle of `incident` (a JSON-ready dict)."""
    created = _timestamp(incident.first_seen)
    modified = _timestamp(incident.decided_at or incident.last_seen)
    indicators = [
        _indicator(kind, value, incident, created, modified)
        for kind, value in sorted(_iocs(incident))[:MAX_INDICATORS]
    ]
    refs = [item["id"] for item in indicators] or [IDENTITY_ID]
    return {
        "type": "bundle",
        "id": stix_id("bundle", f"incident:{incident.pk}:{modified}"),
        "objects": [_identity(), *indicators, _report(incident, refs, created, modified)],
    }


_OBJECT_PATHS = {"url": "url:value", "domain": "domain-name:value", "email": "email-addr:value"}


def pattern(kind: str, value: str) -> str | None:
    """The STIX pattern matching one indicator, or None for an unsupported type/value."""
    if kind in _OBJECT_PATHS:
        path = _OBJECT_PATHS[kind]
    elif kind in _HASH_NAMES:
        path = f"file:hashes.{_HASH_NAMES[kind]}"
    elif kind == "ip":
        try:
            path = f"ipv{ipaddress.ip_address(value).version}-addr:value"
        except ValueError:
            return None
    else:
        return None
    return f"[{path} = '{_quote(value)}']"


def _iocs(incident: Incident) -> set[tuple[str, str]]:
    found = set(incident.indicators.values_list("type", "value"))
    for analysis in incident.messages.values_list("analysis", flat=True):
        found.update(_analysis_indicators(analysis))
    return {(kind, value) for kind, value in found if pattern(kind, value) is not None}


def _analysis_indicators(analysis: object) -> Iterator[tuple[str, str]]:
    items = analysis.get("indicators") if isinstance(analysis, dict) else None
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            kind, value = item.get("type"), item.get("value")
            if isinstance(kind, str) and isinstance(value, str) and value:
                yield kind, value


def _identity() -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": IDENTITY_ID,
        "created": IDENTITY_CREATED,
        "modified": IDENTITY_CREATED,
        "name": "phishloop",
        "identity_class": "system",
        "description": "Self-hosted abuse mailbox: indicators of user-reported email.",
    }


def _indicator(
    kind: str, value: str, incident: Incident, created: str, modified: str
) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": stix_id("indicator", f"{kind}:{value}"),
        "created_by_ref": IDENTITY_ID,
        "created": created,
        "modified": modified,
        "name": f"{kind} {value}"[:250],
        "description": "Seen in email reported to phishloop.",
        "indicator_types": _INDICATOR_TYPES.get(incident.category, ["unknown"]),
        "pattern": pattern(kind, value),
        "pattern_type": "stix",
        "pattern_version": "2.1",
        "valid_from": created,
        "labels": _labels(incident),
    }


def _report(incident: Incident, refs: Iterable[str], created: str, modified: str) -> dict[str, Any]:
    report: dict[str, Any] = {
        "type": "report",
        "spec_version": "2.1",
        "id": stix_id("report", f"incident:{incident.pk}"),
        "created_by_ref": IDENTITY_ID,
        "created": created,
        "modified": modified,
        "name": incident.title or f"phishloop incident {incident.pk}",
        "description": _description(incident),
        "report_types": ["threat-report"],
        "published": modified,
        "object_refs": list(refs),
        "labels": _labels(incident),
        "external_references": [
            {"source_name": "phishloop", "external_id": f"incident-{incident.pk}"}
        ],
    }
    if incident.confidence is not None:
        report["confidence"] = round(incident.confidence * 100)
    return report


def _description(incident: Incident) -> str:
    verdict = incident.category or "undecided"
    if incident.subtype:
        verdict += f" ({incident.subtype})"
    return (
        f"Reported email campaign: {incident.report_count} report(s) of "
        f"{incident.message_count} message(s); verdict {verdict}, state {incident.state}."
    )


def _labels(incident: Incident) -> list[str]:
    return [label for label in ("phishing-report", incident.category, incident.subtype) if label]


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _timestamp(moment: datetime) -> str:
    """STIX timestamps: UTC, millisecond precision, `Z` suffix."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
