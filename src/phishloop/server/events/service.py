"""Queueing webhook deliveries (inside the transaction of the change they report)."""

from __future__ import annotations

from phishloop.server.events.models import WebhookDelivery, WebhookEndpoint
from phishloop.server.events.payloads import event_payload
from phishloop.server.incidents.models import Incident
from phishloop.server.jobs import queue

DELIVER_WEBHOOK = "deliver-webhook"


def job_key(delivery_id: int) -> str:
    return f"webhook:delivery:{delivery_id}"


def queue_event(
    event: str, incident: Incident, *, actor: str, previous: str | None = None
) -> list[WebhookDelivery]:
    """One delivery (and its job) per active endpoint subscribed to `event`."""
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if e.wants(event)]
    if not endpoints:
        return []
    payload = event_payload(event, incident, actor=actor, previous=previous)
    deliveries = []
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, event_id=payload["id"], payload=payload
        )
        queue.enqueue(DELIVER_WEBHOOK, job_key(delivery.pk), {"delivery_id": delivery.pk})
        deliveries.append(delivery)
    return deliveries
