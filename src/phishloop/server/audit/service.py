"""Recording audit events (call inside the transaction of the change they describe)."""

from __future__ import annotations

from typing import Any

from django.db import models

from phishloop.server.audit.models import AuditEvent

SYSTEM = "system"


def record(
    action: str, target: models.Model | tuple[str, object], *, actor: str = SYSTEM, **detail: Any
) -> AuditEvent:
    """Append one event about `target` (a model instance, or (type, id))."""
    if isinstance(target, models.Model):
        object_type, object_id = target._meta.model_name or "object", target.pk
    else:
        object_type, object_id = target
    return AuditEvent.objects.create(
        actor=actor, action=action, object_type=object_type, object_id=str(object_id), detail=detail
    )


def trail(object_type: str, object_id: object) -> models.QuerySet[AuditEvent]:
    """The events about one object, oldest first."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id))
