"""Incident signals → webhook deliveries. Thin: the work is in `events.service`."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from phishloop.server.events.models import EventType
from phishloop.server.events.service import queue_event
from phishloop.server.incidents.models import Incident
from phishloop.server.incidents.signals import incident_created, verdict_changed


@receiver(incident_created, dispatch_uid="phishloop.events.incident_created")
def on_incident_created(
    sender: object, *, incident: Incident, actor: str = "system", **_: Any
) -> None:
    queue_event(EventType.INCIDENT_CREATED, incident, actor=actor)


@receiver(verdict_changed, dispatch_uid="phishloop.events.verdict_changed")
def on_verdict_changed(
    sender: object, *, incident: Incident, actor: str = "system", previous: str = "", **_: Any
) -> None:
    queue_event(EventType.VERDICT_CHANGED, incident, actor=actor, previous=previous or "")
