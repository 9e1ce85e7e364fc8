"""How incidents look in the API, and the bodies of the analyst actions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from phishloop.server.api.fields import MessageVerdictField, ReasonSerializer, message_verdict
from phishloop.server.audit.models import AuditEvent
from phishloop.server.audit.service import trail
from phishloop.server.incidents.models import Category, Incident, Indicator
from phishloop.server.reports.models import Message, Report

MAX_REPORTERS = 1000  # listed in the detail; `reporter_count` has the full number


class VerdictSerializer(serializers.Serializer[Any]):
    category = serializers.ChoiceField(choices=Category.choices)
    subtype = serializers.CharField(allow_blank=True)
    confidence = serializers.FloatField(allow_null=True)
    # Declared fields are popped from the class, so `source` does not shadow Field.source.
    source = serializers.CharField(help_text="auto, or analyst when a person decided")  # type: ignore[assignment]
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.CharField(allow_blank=True)


class VerdictWithReasonsSerializer(VerdictSerializer):
    reasons = ReasonSerializer(many=True)


def _verdict(incident: Incident, *, reasons: bool) -> dict[str, Any] | None:
    if not incident.category:
        return None  # not decided yet
    verdict: dict[str, Any] = {"category": incident.category, "subtype": incident.subtype,
               "confidence": incident.confidence, "source": incident.verdict_source,
               "decided_at": incident.decided_at, "decided_by": incident.decided_by}  # fmt: skip
    if reasons:
        verdict["reasons"] = incident.reasons if isinstance(incident.reasons, list) else []
    return verdict


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    url = serializers.HyperlinkedIdentityField(view_name="incident-detail")
    verdict = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields: tuple[str, ...] = (
            "id",
            "url",
            "title",
            "state",
            "verdict",
            "first_seen",
            "last_seen",
            "report_count",
            "message_count",
            "merged_into",
        )

    @extend_schema_field(VerdictSerializer(allow_null=True))
    def get_verdict(self, incident: Incident) -> dict[str, Any] | None:
        return _verdict(incident, reasons=False)


class IncidentMessageSerializer(serializers.ModelSerializer[Message]):
    """A message of the incident; `cluster_score` and `cluster_reasons` say why it joined
    (empty for the message that opened the incident)."""

    verdict = serializers.SerializerMethodField()
    cluster_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Message
        fields = (
            "id",
            "subject",
            "sender",
            "message_id",
            "sent_at",
            "first_reported_at",
            "last_reported_at",
            "report_count",
            "verdict",
            "cluster_score",
            "cluster_reasons",
        )

    @MessageVerdictField
    def get_verdict(self, message: Message) -> dict[str, Any] | None:
        return message_verdict(message.analysis)


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    class Meta:
        model = Indicator
        fields = ("type", "value", "source", "first_seen")


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    class Meta:
        model = AuditEvent
        fields = ("at", "actor", "action", "detail")


class IncidentDetailSerializer(IncidentSerializer):
    messages = IncidentMessageSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)
    merged_incidents: serializers.PrimaryKeyRelatedField[Incident] = (
        serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    )
    reporter_count = serializers.SerializerMethodField()
    reporters = serializers.SerializerMethodField()
    audit = serializers.SerializerMethodField()
    stix = serializers.SerializerMethodField()

    class Meta(IncidentSerializer.Meta):
        fields = (
            *IncidentSerializer.Meta.fields,
            "reporter_count",
            "reporters",
            "messages",
            "indicators",
            "merged_incidents",
            "audit",
            "stix",
        )

    @extend_schema_field(VerdictWithReasonsSerializer(allow_null=True))
    def get_verdict(self, incident: Incident) -> dict[str, Any] | None:
        return _verdict(incident, reasons=True)

    def get_reporter_count(self, incident: Incident) -> int:
        return int(_reporters(incident).count())

    @extend_schema_field(serializers.ListField(child=serializers.EmailField()))
    def get_reporters(self, incident: Incident) -> list[str]:
        """The distinct reporters' addresses, alphabetically (the first MAX_REPORTERS)."""
        return list(_reporters(incident)[:MAX_REPORTERS])

    @extend_schema_field(AuditEventSerializer(many=True))
    def get_audit(self, incident: Incident) -> Any:
        return AuditEventSerializer(trail("incident", incident.pk), many=True).data

    @extend_schema_field(serializers.URLField())
    def get_stix(self, incident: Incident) -> str:
        request = self.context.get("request")
        return reverse("incident-stix", kwargs={"pk": incident.pk}, request=request)


def _reporters(incident: Incident) -> Any:
    reports = Report.objects.filter(messages__incident=incident).exclude(reporter="")
    return reports.values_list("reporter", flat=True).distinct().order_by("reporter")


class AnalystVerdictSerializer(serializers.Serializer[Any]):
    category = serializers.ChoiceField(choices=Category.choices)
    subtype = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        default="",
        help_text="for malicious: phish, malware, bec, extortion, scam",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        default="",
        help_text="why; kept in the audit trail",
    )


class MergeSerializer(serializers.Serializer[Any]):
    incidents = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=1000,
        help_text="the incidents to fold into this one",
    )


class SplitSerializer(serializers.Serializer[Any]):
    messages = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        max_length=1000,
        help_text="this incident's messages that become a new incident",
    )
