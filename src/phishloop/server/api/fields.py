"""Small serializers shared by the report and incident representations."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from phishloop.server.incidents.models import Incident


class ReasonSerializer(serializers.Serializer[Any]):
    """One rule hit behind a verdict (docs/verdicts.md)."""

    rule = serializers.CharField(required=False)
    evidence = serializers.CharField(required=False)
    weight = serializers.FloatField(required=False)
    signal = serializers.CharField(required=False)


class ErrorRecordSerializer(serializers.Serializer[Any]):
    """A problem met while analysing a report; the report is kept."""

    code = serializers.CharField(required=False)
    message = serializers.CharField(required=False)


class IncidentLinkSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    url = serializers.URLField()
    state = serializers.CharField()
    category = serializers.CharField(allow_blank=True)


def incident_link(incident: Incident | None, request: Any) -> dict[str, Any] | None:
    if incident is None:
        return None
    url = reverse("incident-detail", kwargs={"pk": incident.pk}, request=request)
    return {"id": incident.pk, "url": url, "state": incident.state, "category": incident.category}


def message_verdict(analysis: Any) -> dict[str, Any] | None:
    """The core's verdict in a stored analysis, without its internal scores."""
    verdict = analysis.get("verdict") if isinstance(analysis, dict) else None
    if not isinstance(verdict, dict):
        return None
    keys = ("category", "subtype", "confidence", "reasons")
    return {key: verdict.get(key) for key in keys}


class MessageVerdictSerializer(serializers.Serializer[Any]):
    """The automatic verdict on one reported message."""

    category = serializers.CharField()
    subtype = serializers.CharField(allow_null=True)
    confidence = serializers.FloatField()
    reasons = ReasonSerializer(many=True)


IncidentLinkField = extend_schema_field(IncidentLinkSerializer(allow_null=True))
MessageVerdictField = extend_schema_field(MessageVerdictSerializer(allow_null=True))
