"""WebhookEndpoint: where events are POSTed (configured by an operator in the admin).
WebhookDelivery: one event sent to one endpoint, with its attempts and outcome."""

from __future__ import annotations

import secrets

from django.core.validators import URLValidator
from django.db import models


class EventType(models.TextChoices):
    INCIDENT_CREATED = "incident.created", "incident created"
    VERDICT_CHANGED = "incident.verdict_changed", "verdict changed"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(
        max_length=2000,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="http:// or https:// address to POST to",
    )
    secret = models.CharField(
        max_length=200,
        default=new_secret,
        help_text="shared secret for the X-Phishloop-Signature HMAC; give it to the receiver",
    )
    events = models.JSONField(
        default=list, blank=True, help_text="event types to send; none selected: all of them"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"

    def wants(self, event: str) -> bool:
        """Whether this endpoint subscribed to `event` (no selection means every event)."""
        return not self.events or event in self.events


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"  # queued, or waiting for a retry
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up: visible here and on the job; redeliver from the admin


class WebhookDelivery(models.Model):
    # PROTECT: deliveries are a record of what was sent; deactivate an endpoint instead.
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=EventType.choices)
    event_id = models.UUIDField(help_text="the payload's id; receivers deduplicate on it")
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint.name} ({self.status})"
