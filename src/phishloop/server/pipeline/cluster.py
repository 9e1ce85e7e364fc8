"""Step 2: place a message in an incident — the incident of its closest sibling within the
time window (`phishloop.core.cluster`: scored fingerprint similarity with reasons), or a
new incident — then keep the incident's counts and ask for a decision.

Candidates come from the MessageKey index (the exact-match keys a campaign's copies share),
at most PER_KEY per key, most recent first; only they are scored. Clustering is
serialised (SQLite: one writer; PostgreSQL: a transaction-scoped advisory lock), so two
copies of a new campaign processed at once still open one incident, not two."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from phishloop.core.cluster import ClusterMatch, best_match, fingerprint_from_dict, index_keys
from phishloop.core.model import Fingerprint
from phishloop.server.audit.service import record
from phishloop.server.incidents.models import Incident
from phishloop.server.incidents.signals import incident_created
from phishloop.server.incidents.upkeep import refresh_counts, request_decision
from phishloop.server.reports.models import Message, MessageKey

CLUSTER = "cluster-message"
PER_KEY = 50
_LOCK_ID = 0x70686C63  # "phlc": the advisory lock that serialises clustering on PostgreSQL


def cluster_message(message_id: int) -> int:
    """Put message `message_id` in an incident (once: a message already placed stays) and
    refresh that incident's counts; the incident's id. Idempotent."""
    with transaction.atomic():
        _serialise()
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.incident_id is not None:
            incident = Incident.objects.select_for_update().get(pk=message.incident_id)
            refresh_counts(incident)  # a new report of a placed message: only counts change
            return incident.pk
        incident = _place(message)
        refresh_counts(incident)
        request_decision(incident)
        return incident.pk


def _serialise() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def _place(message: Message) -> Incident:
    analysis = message.analysis if isinstance(message.analysis, dict) else {}
    fingerprint = fingerprint_from_dict(_mapping(analysis.get("fingerprint")))
    keys = index_keys(fingerprint)
    MessageKey.objects.bulk_create(
        [MessageKey(message=message, key=key, reported_at=message.first_reported_at)
         for key in keys],
        ignore_conflicts=True,
    )  # fmt: skip
    since = message.first_reported_at - timedelta(hours=settings.PHISHLOOP_CLUSTER_WINDOW_HOURS)
    found = best_match(fingerprint, _candidates(message, keys, since), _min_similarity())
    if found is None:
        return _open_incident(message)
    (sibling_id, incident_id), match = found
    return _join(message, incident_id, sibling_id, match)


def _candidates(
    message: Message, keys: list[str], since: datetime
) -> list[tuple[tuple[int, int], Fingerprint]]:
    """Clustered messages sharing a key, in incidents seen since `since`, newest first
    (only their fingerprints are read, not whole analyses)."""
    ids: dict[int, None] = {}
    for key in keys:
        found_ids = (
            MessageKey.objects.filter(key=key, message__incident__last_seen__gte=since)
            .exclude(message_id=message.pk)
            .order_by("-reported_at")
            .values_list("message_id", flat=True)[:PER_KEY]
        )
        ids.update(dict.fromkeys(found_ids))
    rows = Message.objects.filter(pk__in=list(ids), incident__isnull=False).values_list(
        "pk", "incident_id", "analysis__fingerprint"
    )
    found = {pk: ((pk, incident), fingerprint) for pk, incident, fingerprint in rows}
    return [
        (found[pk][0], fingerprint_from_dict(_mapping(found[pk][1]))) for pk in ids if pk in found
    ]


def _mapping(value: object) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _min_similarity() -> float:
    return float(settings.PHISHLOOP_CLUSTER_MIN_SIMILARITY)


def _open_incident(message: Message) -> Incident:
    incident = Incident.objects.create(
        title=message.subject[:300],
        first_seen=message.first_reported_at,
        last_seen=message.last_reported_at,
    )
    message.incident = incident
    message.cluster_score = None
    message.cluster_reasons = []
    message.save(update_fields=["incident", "cluster_score", "cluster_reasons"])
    record("incident.created", incident, message=message.pk, subject=message.subject[:200])
    incident_created.send(sender=Incident, incident=incident, actor="system")
    return incident


def _join(message: Message, incident_id: int, sibling_id: int, match: ClusterMatch) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    message.incident = incident
    message.cluster_score = match.score
    message.cluster_reasons = [*match.reasons, f"closest: message {sibling_id}"]
    message.save(update_fields=["incident", "cluster_score", "cluster_reasons"])
    record("incident.message_joined", incident, message=message.pk, sibling=sibling_id,
           score=match.score, reasons=match.explain())  # fmt: skip
    return incident
