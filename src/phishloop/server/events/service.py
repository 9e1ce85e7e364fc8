"""Queueing webhook deliveries (inside the transaction of the change they report)."""

from __future__ import annotations

from django.db import transaction

from phishloop.server.audit.service import record
from phishloop.server.events.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from phishloop.server.events.payloads import event_payload
from phishloop.server.incidents.models import Incident
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job, JobState

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


def redeliver(delivery: WebhookDelivery, *, actor: str) -> bool:
    """Queue a failed delivery again (its endpoint was fixed); False when it has not
    failed for good (it is delivered, or its job is still queued or running)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(key=job_key(delivery.pk)).first()
        if job is None or job.state != JobState.FAILED:
            return False
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING)
        queue.retry_failed(job.pk)
        record("webhook.redelivery", delivery, actor=actor, event_id=str(delivery.event_id))
    return True
