"""Reporter feedback for administrators: what was sent to whom, and what failed."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from phishloop.server.accounts.permissions import IsAdmin
from phishloop.server.api import filters
from phishloop.server.api.pagination import Pages
from phishloop.server.api.schema import errors
from phishloop.server.notifications.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
)


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    reports: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    messages: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Notification
        fields = (
            "id",
            "reporter",
            "kind",
            "outcome",
            "previous_outcome",
            "template",
            "language",
            "category",
            "subtype",
            "incident",
            "message",
            "messages",
            "reports",
            "subject",
            "status",
            "attempts",
            "last_error",
            "created_at",
            "last_attempt_at",
            "sent_at",
        )


class NotificationList(generics.ListAPIView[Notification]):
    serializer_class = NotificationSerializer
    pagination_class = Pages
    permission_classes = (IsAdmin,)

    def get_queryset(self) -> QuerySet[Notification]:
        rows = Notification.objects.order_by("-id").prefetch_related("reports", "messages")
        params = self.request.query_params
        if status := params.get("status"):
            rows = rows.filter(status=filters.choice("status", status, NotificationStatus.values))
        if kind := params.get("kind"):
            rows = rows.filter(kind=filters.choice("kind", kind, NotificationKind.values))
        if reporter := params.get("reporter"):
            rows = rows.filter(reporter=reporter.strip().lower())
        if incident := params.get("incident"):
            rows = rows.filter(incident_id=_number("incident", incident))
        return rows

    @extend_schema(
        summary="Reporter feedback, newest first (`?status=failed`: what did not arrive)",
        parameters=[
            OpenApiParameter(
                "status", enum=NotificationStatus.values, description="only this status"
            ),
            OpenApiParameter("kind", enum=NotificationKind.values, description="only this kind"),
            OpenApiParameter("reporter", description="only feedback to this address"),
            OpenApiParameter("incident", int, description="only feedback about this incident"),
        ],
        responses={200: NotificationSerializer(many=True), **errors(400)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def _number(name: str, value: str) -> int:
    if not value.isdigit():
        raise exceptions.ValidationError({name: [f"{value!r} is not an id"]})
    return int(value)
