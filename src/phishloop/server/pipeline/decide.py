"""Step 3: decide an incident — the most severe of its messages' verdicts, resolved by the
policy (`[policy] auto_resolve`) when confident enough, else waiting for an analyst.

An analyst's verdict is final for automatic decisions: they never overwrite it (new copies
still join, and their indicators still join a confirmed-malicious incident's)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from phishloop.core.policy import Decision, MessageVerdict, decide
from phishloop.server.audit.service import record
from phishloop.server.incidents.indicators import sync_links
from phishloop.server.incidents.models import Incident, IncidentState, VerdictSource
from phishloop.server.incidents.signals import verdict_changed
from phishloop.server.incidents.upkeep import request_intel_sync
from phishloop.server.pipeline.policy import current_policy, trusted_domains


def decide_incident(incident_id: int) -> None:
    """Judge incident `incident_id` from its current messages (idempotent: deciding again
    with nothing changed changes nothing and sends nothing)."""
    policy = current_policy()  # before the transaction: a bad [policy] fails the job clearly
    trusted = trusted_domains()
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        if incident.state == IncidentState.MERGED:
            return  # its messages and decisions live on in `merged_into`
        if incident.verdict_source != VerdictSource.ANALYST:
            _apply(incident, decide(message_verdicts(incident), policy))
        if sync_links(incident, trusted):
            request_intel_sync(incident)


def message_verdicts(incident: Incident) -> list[MessageVerdict]:
    """The verdicts of the incident's messages (messages without one are left out)."""
    rows = incident.messages.values_list("pk", "category", "confidence", "analysis__verdict")
    return [
        MessageVerdict(pk, category, float(confidence), *_details(verdict))
        for pk, category, confidence, verdict in rows
        if category and confidence is not None
    ]


def _details(verdict: Any) -> tuple[str, tuple[dict[str, Any], ...]]:
    if not isinstance(verdict, dict):
        return "", ()
    reasons = verdict.get("reasons")
    kept = tuple(r for r in reasons if isinstance(r, dict)) if isinstance(reasons, list) else ()
    return str(verdict.get("subtype") or ""), kept


def _apply(incident: Incident, decision: Decision) -> None:
    state = IncidentState.RESOLVED if decision.resolved else IncidentState.AWAITING_ANALYST
    reasons = [*_basis_reasons(decision), {"rule": "policy", "evidence": decision.explanation}]
    before = (incident.category, incident.subtype, incident.confidence, incident.state,
              incident.reasons)  # fmt: skip
    after = (decision.category, decision.subtype, decision.confidence, state, reasons)
    if before == after and incident.verdict_source == VerdictSource.AUTO:
        return
    previous = incident.category
    verdict_moved = (incident.category, incident.subtype) != (decision.category, decision.subtype)
    incident.category, incident.subtype, incident.confidence = after[:3]
    incident.state, incident.reasons = state, reasons
    incident.verdict_source = VerdictSource.AUTO
    incident.decided_at, incident.decided_by = timezone.now(), "policy"
    incident.save()
    record("incident.decided", incident, category=decision.category, subtype=decision.subtype,
           confidence=decision.confidence, state=state, previous=previous,
           basis=decision.basis.message if decision.basis else None,
           explanation=decision.explanation)  # fmt: skip
    if verdict_moved:
        verdict_changed.send(sender=Incident, incident=incident, actor="system", previous=previous)


def _basis_reasons(decision: Decision) -> list[dict[str, Any]]:
    if decision.basis is None:
        return []
    message = {"rule": "incident.basis", "evidence": f"message {decision.basis.message}"}
    return [message, *(dict(r) for r in decision.basis.reasons)]
