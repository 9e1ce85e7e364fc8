"""Rules: newly seen sender infrastructure. Only where history exists (the service keeps
it; the CLI has none and these rules stay silent): a sender domain or origin IP never seen
before is a weak sign of fresh attack infrastructure.
"""

from __future__ import annotations

from phishloop.core.classify.facts import Facts
from phishloop.core.classify.types import Finding, Rule


def _never_seen(facts: Facts, key: str) -> bool:
    return facts.history is not None and facts.history.times_seen(key) == 0


def new_sender_domain(facts: Facts) -> Finding | None:
    domain = facts.sender_registered_domain
    if not domain or facts.sender_is_internal or not _never_seen(facts, f"domain:{domain}"):
        return None
    return Finding(f"first message from {domain}")


def new_origin_ip(facts: Facts) -> Finding | None:
    ip = facts.analysis.fingerprint.origin_ip
    if not ip or facts.sender_is_internal or not _never_seen(facts, f"ip:{ip}"):
        return None
    return Finding(f"first message from origin IP {ip}")


RULES: tuple[Rule, ...] = (
    Rule(
        "history.new-sender-domain",
        "phish",
        1.0,
        "The sender's domain has never been seen before (only where history is kept).",
        new_sender_domain,
    ),
    Rule(
        "history.new-origin-ip",
        "phish",
        0.5,
        "The sending server's IP address has never been seen before (only where history is kept).",
        new_origin_ip,
    ),
)
