"""How reports look in the API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from phishloop.server.api.fields import (
    ErrorRecordSerializer,
    IncidentLinkField,
    IncidentLinkSerializer,
    MessageVerdictField,
    incident_link,
    message_verdict,
)
from phishloop.server.reports.models import Message, Report


class ReportAcceptedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    state = serializers.CharField(help_text="received: stored and queued for analysis")
    url = serializers.URLField(help_text="where to follow the report's progress")


class ReportMessageSerializer(serializers.ModelSerializer[Message]):
    """A reported original found in the report, with its verdict and incident."""

    verdict = serializers.SerializerMethodField()
    incident = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = (
            "id",
            "subject",
            "sender",
            "message_id",
            "sent_at",
            "report_count",
            "verdict",
            "incident",
        )

    @MessageVerdictField
    def get_verdict(self, message: Message) -> dict[str, Any] | None:
        return message_verdict(message.analysis)

    @IncidentLinkField
    def get_incident(self, message: Message) -> dict[str, Any] | None:
        return incident_link(message.incident, self.context.get("request"))


class ReportSerializer(serializers.ModelSerializer[Report]):
    url = serializers.HyperlinkedIdentityField(view_name="report-detail")
    # Declared fields are popped from the class: this does not shadow Serializer.errors.
    errors = ErrorRecordSerializer(many=True, read_only=True)  # type: ignore[assignment]
    size = serializers.IntegerField(source="raw_size", read_only=True)
    sha256 = serializers.CharField(source="raw_sha256", read_only=True)

    class Meta:
        model = Report
        fields: tuple[str, ...] = (
            "id",
            "url",
            "state",
            "channel",
            "reporter",
            "received_at",
            "fidelity",
            "report_format",
            "filename",
            "size",
            "sha256",
            "errors",
            "recovery",
        )


class ReportDetailSerializer(ReportSerializer):
    messages = ReportMessageSerializer(many=True, read_only=True)
    incidents = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = (*ReportSerializer.Meta.fields, "messages", "incidents")

    @extend_schema_field(IncidentLinkSerializer(many=True))
    def get_incidents(self, report: Report) -> list[dict[str, Any]]:
        messages = report.messages.all()
        incidents = {m.incident.pk: m.incident for m in messages if m.incident is not None}
        request = self.context.get("request")
        return [incident_link(incidents[key], request) or {} for key in sorted(incidents)]
