"""Rules: phishing-simulation (training) recognition.

A vendor's markers (headers, sending domains, links) only make a `simulation` when the
message's origin is proven by the organisation's own receivers (see `simulation_origin`):
a trusted SPF pass or authenticated From in the vendor's domains, a client IP in its
documented ranges, or the organisation's `[simulation] trusted_ranges`. A header or envelope
marker without that proof is evidence of phishing instead: attackers add training headers to
slip through allow-lists and to be waved through by analysts.
"""

from __future__ import annotations

from dataclasses import dataclass

from phishloop.core.classify.facts import Facts
from phishloop.core.classify.simulation_match import find_links, find_markers, marker_index, proof
from phishloop.core.classify.simulation_origin import origin
from phishloop.core.classify.simulation_vendors import OWN_ID, Vendor
from phishloop.core.classify.types import Finding, Rule

MEMO_KEY = "_simulation_claims"


@dataclass(frozen=True, slots=True)
class Claim:
    vendor: Vendor
    markers: tuple[str, ...]  # spoofable claims (headers, infrastructure names)
    link: str | None  # a link to the vendor's simulation domains
    proof: str | None


def claims(facts: Facts) -> tuple[Claim, ...]:
    """Every enabled vendor (and the organisation's own markers) the message points to,
    computed once per message: the three rules share it."""
    return facts.memo(MEMO_KEY, _claims)


def _claims(facts: Facts) -> tuple[Claim, ...]:
    index = marker_index(facts.config.simulation)
    markers = find_markers(facts, index)
    links = find_links(facts, index)
    if not markers and not links:
        return ()
    known = origin(facts)
    own = index.vendors[-1]
    own_proof = proof(known, own, edge=True)
    found = []
    for vendor in index.vendors:
        if vendor.id not in markers and vendor.id not in links:
            continue
        shipped = vendor is not own and not vendor.self_hosted
        vendor_proof = proof(known, vendor, edge=False) if shipped else None
        marks = tuple(markers.get(vendor.id, ()))
        found.append(Claim(vendor, marks, links.get(vendor.id), vendor_proof or own_proof))
    return tuple(found)


def _describe(claim: Claim) -> str:
    shown = claim.markers[0] if claim.markers else claim.link
    return f"{claim.vendor.name} ({shown}); {claim.proof}"


def _vendor(facts: Facts) -> Finding | None:
    proven = [c for c in claims(facts) if c.proof and c.vendor.id != OWN_ID]
    return Finding(_describe(proven[0])) if proven else None


def _own(facts: Facts) -> Finding | None:
    proven = [c for c in claims(facts) if c.proof and c.vendor.id == OWN_ID]
    return Finding(_describe(proven[0])) if proven else None


def _untrusted(facts: Facts) -> Finding | None:
    found = claims(facts)
    if any(claim.proof for claim in found):
        return None
    spoofable = [claim for claim in found if claim.markers]
    if not spoofable:
        return None
    claim = spoofable[0]
    return Finding(f"{claim.vendor.name} marker {claim.markers[0]} without a trusted origin")


RULES: tuple[Rule, ...] = (
    Rule(
        "simulation.vendor",
        "simulation",
        5.0,
        "A training vendor's signature, its origin proven by a trusted receiver or range.",
        _vendor,
    ),
    Rule(
        "simulation.own",
        "simulation",
        5.0,
        "The organisation's own simulation markers, with a proven origin.",
        _own,
    ),
    Rule(
        "simulation.untrusted-marker",
        "phish",
        1.5,
        "A phishing-training marker without a proven origin, as in drills faked by attackers.",
        _untrusted,
    ),
)
