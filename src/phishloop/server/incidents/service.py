"""What analysts do to incidents: give the verdict, merge campaigns, split one apart.
Every change is audited and sent as a signal inside its transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from phishloop.server.audit.service import record
from phishloop.server.incidents.indicators import sync_links
from phishloop.server.incidents.models import (
    Category,
    Incident,
    IncidentState,
    VerdictSource,
)
from phishloop.server.incidents.signals import incident_created, verdict_changed
from phishloop.server.incidents.upkeep import refresh_counts, request_decision, request_intel_sync

SUBTYPES = ("phish", "malware", "bec", "extortion", "scam")
_WITH_SUBTYPE = (Category.MALICIOUS, Category.SUSPICIOUS)


class IncidentError(ValueError):
    """The request cannot be applied (unknown category, merged incident, ...); the message
    says why, for the API to pass on."""


def set_analyst_verdict(
    incident_id: int, *, category: str, subtype: str = "", actor: str, note: str = ""
) -> Incident:
    """Set the incident's verdict as an analyst: it resolves the incident, is audited, and
    is never overwritten by later automatic decisions."""
    _check_verdict(category, subtype)
    with transaction.atomic():
        incident = _live(incident_id)
        previous = incident.category
        changed = (incident.category, incident.subtype, incident.verdict_source) != (
            category, subtype, VerdictSource.ANALYST)  # fmt: skip
        incident.category, incident.subtype, incident.confidence = category, subtype, 1.0
        incident.verdict_source = VerdictSource.ANALYST
        incident.state = IncidentState.RESOLVED
        incident.reasons = [{"rule": "analyst", "evidence": note or f"set by {actor}"}]
        incident.decided_at, incident.decided_by = timezone.now(), actor
        incident.revision += 1
        incident.save()
        record("incident.analyst_verdict", incident, actor=actor, category=category,
               subtype=subtype, previous=previous, note=note)  # fmt: skip
        _sync_indicators(incident)
        if changed:
            verdict_changed.send(sender=Incident, incident=incident, actor=actor, previous=previous)
    return incident


def merge_incidents(target_id: int, source_ids: list[int], *, actor: str) -> Incident:
    """Fold `source_ids` into `target_id`: their messages and indicators move, they become
    `merged`. When only a source had an analyst verdict, the target takes it over."""
    sources = sorted(set(source_ids) - {target_id})
    if not sources:
        raise IncidentError("name at least one incident to merge other than the target")
    with transaction.atomic():
        target = _live(target_id)
        folded = [_live(pk) for pk in sources]
        for source in folded:
            _fold(source, target, actor)
        _inherit_analyst_verdict(target, folded)
        refresh_counts(target)
        record("incident.merged", target, actor=actor, sources=sources)
        request_decision(target)
    return target


def split_incident(incident_id: int, message_ids: list[int], *, actor: str) -> Incident:
    """Move `message_ids` out of the incident into a new one (decided on its own); the new
    incident."""
    from phishloop.server.reports.models import Message  # noqa: PLC0415 - app cycle

    wanted = sorted(set(message_ids))
    with transaction.atomic():
        incident = _live(incident_id)
        moving = Message.objects.select_for_update().filter(incident=incident, pk__in=wanted)
        found = sorted(moving.values_list("pk", flat=True))
        if not wanted or found != wanted:
            missing = sorted(set(wanted) - set(found))
            raise IncidentError(f"messages {missing or wanted} are not in incident {incident_id}")
        if len(found) == incident.messages.count():
            raise IncidentError("a split must leave at least one message in the incident")
        first = moving.order_by("first_reported_at", "id").first()
        assert first is not None  # found is not empty
        new = Incident.objects.create(title=first.subject[:300], first_seen=first.first_reported_at,
                                      last_seen=first.last_reported_at)  # fmt: skip
        moving.update(incident=new, cluster_score=None, cluster_reasons=[f"split by {actor}"])
        _reset_seen(incident)
        for changed in (incident, new):
            refresh_counts(changed)
        record("incident.split", incident, actor=actor, messages=found, into=new.pk)
        record("incident.created", new, actor=actor, split_from=incident.pk, messages=found)
        incident_created.send(sender=Incident, incident=new, actor=actor)
        request_decision(incident)
        request_decision(new)
    return new


def _check_verdict(category: str, subtype: str) -> None:
    if category not in Category.values:
        raise IncidentError(f"unknown category {category!r}; known: {', '.join(Category.values)}")
    if subtype and category not in _WITH_SUBTYPE:
        raise IncidentError(f"a {category} verdict has no subtype (got {subtype!r})")
    if subtype and subtype not in SUBTYPES:
        raise IncidentError(f"unknown subtype {subtype!r}; known: {', '.join(SUBTYPES)}")


def _live(incident_id: int) -> Incident:
    try:
        incident = Incident.objects.select_for_update().get(pk=incident_id)
    except Incident.DoesNotExist:
        raise IncidentError(f"incident {incident_id} does not exist") from None
    if incident.state == IncidentState.MERGED:
        raise IncidentError(f"incident {incident_id} was merged into {incident.merged_into_id}")
    return incident


def _fold(source: Incident, target: Incident, actor: str) -> None:
    from phishloop.server.reports.models import Message  # noqa: PLC0415 - app cycle

    Message.objects.filter(incident=source).update(incident=target)
    Incident.objects.filter(merged_into=source).update(merged_into=target)  # no chains
    target.first_seen = min(target.first_seen, source.first_seen)
    target.last_seen = max(target.last_seen, source.last_seen)
    source.indicators.clear()  # the target re-links what its verdict warrants
    source.state, source.merged_into = IncidentState.MERGED, target
    source.message_count = source.report_count = 0
    source.revision += 1
    source.save()
    record("incident.merged_into", source, actor=actor, into=target.pk)
    request_intel_sync(source)


def _inherit_analyst_verdict(target: Incident, sources: list[Incident]) -> None:
    if target.verdict_source == VerdictSource.ANALYST:
        return
    decided = [s for s in sources if s.verdict_source == VerdictSource.ANALYST]
    if not decided:
        return
    order = list(Category.values)
    chosen = min(decided, key=lambda s: order.index(s.category))  # the most severe
    previous = target.category
    for name in ("category", "subtype", "confidence", "verdict_source", "reasons",
                 "decided_at", "decided_by"):  # fmt: skip
        setattr(target, name, getattr(chosen, name))
    target.state = IncidentState.RESOLVED
    target.save()
    record("incident.analyst_verdict", target, actor=chosen.decided_by, category=chosen.category,
           subtype=chosen.subtype, inherited_from=chosen.pk)  # fmt: skip
    actor = chosen.decided_by
    verdict_changed.send(sender=Incident, incident=target, actor=actor, previous=previous)


def _reset_seen(incident: Incident) -> None:
    """Recompute first/last seen from the remaining messages (refresh only widens them)."""
    incident.first_seen = incident.last_seen = timezone.now()
    first = incident.messages.order_by("first_reported_at").values_list(
        "first_reported_at", flat=True).first()  # fmt: skip
    if first is not None:
        incident.first_seen = incident.last_seen = first


def _sync_indicators(incident: Incident) -> None:
    from phishloop.server.pipeline.policy import trusted_domains  # noqa: PLC0415 - layering

    if sync_links(incident, trusted_domains()):
        request_intel_sync(incident)
