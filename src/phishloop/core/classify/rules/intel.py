"""Rules: indicators of the message found in threat intelligence (allow-list matches never
reach the rules: the intel layer removes them)."""

from __future__ import annotations

from collections.abc import Callable

from phishloop.core.classify.facts import Facts
from phishloop.core.classify.types import Finding, Rule
from phishloop.core.model import IntelMatch

# How specific the match is: a listed URL is proof, a listed parent domain a strong hint.
MATCH_STRENGTH = {
    "exact": 1.0, "url-other-scheme": 1.0, "url-without-query": 0.9, "host": 0.85,
    "email-domain": 0.8, "parent-domain": 0.7, "cidr": 0.6,
}  # fmt: skip
DEFAULT_MATCH_STRENGTH = 0.6
CATEGORY_FAMILY = {
    "phishing": "phish", "phish": "phish", "credential-phishing": "phish",
    "malware": "malware", "malware_download": "malware", "c2": "malware", "botnet": "malware",
    "botnet_cc": "malware", "ransomware": "malware", "exploit": "malware", "payload": "malware",
    "spam": "spam", "scam": "scam", "fraud": "scam",
}  # fmt: skip


def _family(match: IntelMatch) -> str:
    return CATEGORY_FAMILY.get((match.category or "").strip().lower(), "other")


def _strength(match: IntelMatch) -> float:
    strength = MATCH_STRENGTH.get(match.match, DEFAULT_MATCH_STRENGTH)
    if match.confidence is not None:
        strength *= 0.5 + 0.5 * max(0.0, min(match.confidence, 1.0))
    return strength


def _describe(match: IntelMatch) -> str:
    category = match.category or "listed"
    via = "" if match.matched.value == match.indicator.value else f" via {match.matched.value}"
    return f"{match.indicator.value} is {category} in {match.source} ({match.match}{via})"


def _for(family: str) -> Callable[[Facts], Finding | None]:
    def check(facts: Facts) -> Finding | None:
        matches = [m for m in facts.analysis.intel if _family(m) == family]
        if not matches:
            return None
        best = max(matches, key=_strength)
        more = f" (+{len(matches) - 1} more)" if len(matches) > 1 else ""
        return Finding(_describe(best) + more, _strength(best))

    check.__name__ = f"intel_{family}"
    return check


RULES: tuple[Rule, ...] = (
    Rule(
        "intel.phishing",
        "phish",
        6.5,
        "An indicator of the message is listed as phishing in threat intelligence.",
        _for("phish"),
    ),
    Rule(
        "intel.malware",
        "malware",
        6.5,
        "An indicator of the message is listed as malware (or command-and-control) in threat "
        "intelligence.",
        _for("malware"),
    ),
    Rule(
        "intel.scam",
        "scam",
        5.0,
        "An indicator of the message is listed as scam or fraud in threat intelligence.",
        _for("scam"),
    ),
    Rule(
        "intel.spam",
        "spam",
        3.5,
        "An indicator of the message is listed as spam in threat intelligence.",
        _for("spam"),
    ),
    Rule(
        "intel.listed",
        "phish",
        3.5,
        "An indicator of the message is listed in threat intelligence without a known category.",
        _for("other"),
    ),
)
