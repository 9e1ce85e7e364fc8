"""Rules: yara — YARA rules (the shipped pack and the organisation's) that matched the raw
message, a body or an attachment. Each YARA rule says in its meta what it argues for:
`signal` (phish, malware, bec, extortion, scam, spam, bulk; "info" = record only) and
`weight`; without them a match is moderate phishing evidence (phish, 3). One hit per
signal adds up the weights of the distinct YARA rules behind it, at most `MAX_WEIGHT`.
Single YARA rules are disabled or re-weighted as `yara.<namespace>.<rule>` in `[rules]`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from phishloop.core.classify.facts import Facts
from phishloop.core.classify.types import Finding, Rule, Signal
from phishloop.core.config import RulesConfig
from phishloop.core.model import YaraMatch

YARA_SIGNALS: tuple[Signal, ...] = ("phish", "malware", "bec", "extortion", "scam", "spam", "bulk")
DEFAULT_SIGNAL: Signal = "phish"
DEFAULT_WEIGHT = 3.0
MAX_WEIGHT = 8.0  # the most one signal's YARA matches add to one message
RECORD_ONLY = "info"
_TARGET_RANK = {"attachment": 0, "body:html": 1, "body:text": 2, "message": 3}


@dataclass(frozen=True, slots=True)
class YaraHit:
    """One matched YARA rule as the verdict sees it."""

    name: str  # "yara.<namespace>.<rule>"
    signal: Signal
    weight: float
    target: str
    description: str


def signal_of(meta: dict[str, str]) -> Signal | None:
    """The signal a YARA rule's meta asks for; None for "info" and unknown values."""
    wanted = meta.get("signal", DEFAULT_SIGNAL).strip().lower()
    return next((signal for signal in YARA_SIGNALS if signal == wanted), None)


def weight_of(meta: dict[str, str]) -> float:
    """The meta weight, bounded to 0..MAX_WEIGHT; DEFAULT_WEIGHT when absent or not a number."""
    try:
        weight = float(meta.get("weight", DEFAULT_WEIGHT))
    except ValueError:
        return DEFAULT_WEIGHT
    return DEFAULT_WEIGHT if math.isnan(weight) else min(max(weight, 0.0), MAX_WEIGHT)


def _rank(target: str) -> int:
    return _TARGET_RANK.get(
        target.split(":", 1)[0] if target.startswith("attachment:") else target, 4
    )


@lru_cache(maxsize=64)
def yara_hits(matches: tuple[YaraMatch, ...], settings: RulesConfig) -> tuple[YaraHit, ...]:
    """One YaraHit per distinct matched rule (at its most specific target), configuration
    applied; computed once per message for all the signal rules below."""
    best: dict[str, YaraMatch] = {}
    for match in matches:
        name = f"yara.{match.namespace}.{match.rule}"
        if name not in best or _rank(match.target) < _rank(best[name].target):
            best[name] = match
    weights = dict(settings.weights)
    hits = []
    for name, match in best.items():
        meta = dict(match.meta)
        signal = signal_of(meta)
        if signal is None or _disabled(name, match.namespace, settings.disabled):
            continue
        weight = min(max(weights.get(name, weight_of(meta)), 0.0), MAX_WEIGHT)
        hits.append(YaraHit(name, signal, weight, match.target, meta.get("description", "")))
    return tuple(sorted(hits, key=lambda hit: -hit.weight))


def _disabled(name: str, namespace: str, disabled: tuple[str, ...]) -> bool:
    return name in disabled or f"yara.{namespace}.*" in disabled


def _evidence(hit: YaraHit) -> str:
    about = f": {hit.description[:120]}" if hit.description else ""
    return f"{hit.name.removeprefix('yara.')} in {hit.target} ({hit.weight:g}){about}"


def _signal_check(signal: Signal) -> Rule:
    def check(facts: Facts) -> Finding | None:
        if not facts.analysis.yara:
            return None
        hits = [h for h in yara_hits(facts.analysis.yara, facts.config.rules) if h.signal == signal]
        total = sum(hit.weight for hit in hits)
        if total <= 0:
            return None
        return Finding(
            "; ".join(_evidence(hit) for hit in hits), min(total, MAX_WEIGHT) / MAX_WEIGHT
        )

    return Rule(
        name=f"yara.{signal}",
        signal=signal,
        weight=MAX_WEIGHT,
        description=f"YARA rules with signal {signal} matched the message, a body or an "
        "attachment; their meta weights add up to at most this weight.",
        check=check,
    )


RULES: tuple[Rule, ...] = tuple(_signal_check(signal) for signal in YARA_SIGNALS)
