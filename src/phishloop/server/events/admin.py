from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from phishloop.server.adminlib import ReadOnlyAdmin, all_fields
from phishloop.server.audit.service import record
from phishloop.server.events.models import (
    DeliveryStatus,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
)
from phishloop.server.events.service import redeliver


class WebhookEndpointForm(forms.ModelForm):  # type: ignore[type-arg]
    url = forms.URLField(max_length=2000, assume_scheme="https", help_text="http:// or https://")
    events = forms.MultipleChoiceField(
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="none selected: every event",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "secret", "events", "active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = WebhookEndpointForm
    list_display = ("name", "url", "active", "subscribed", "updated_at")
    list_filter = ("active",)
    search_fields = ("name", "url")

    @admin.display(description="events")
    def subscribed(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.events) or "all"

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record("webhook.configured", obj, actor=f"user:{request.user}", url=obj.url,
                   events=obj.events, active=obj.active)  # fmt: skip


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "event", "endpoint", "status", "attempts",
                    "response_code", "last_attempt_at")  # fmt: skip
    list_filter = ("status", "event", "endpoint")
    search_fields = ("event_id", "last_error")
    readonly_fields = all_fields(WebhookDelivery)
    actions = ("redeliver",)

    @admin.action(description="Deliver the selected failed deliveries again")
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = 0
        for delivery in queryset.filter(status=DeliveryStatus.FAILED):
            if redeliver(delivery, actor=f"user:{request.user}"):
                count += 1
        self.message_user(request, f"{count} delivery(ies) queued again.", messages.SUCCESS)
