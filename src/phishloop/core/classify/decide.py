"""From rule hits to one verdict: sum the weights per signal, then decide in a fixed order
— simulation, threat, spam, bulk, clean — so threat signals always override bulk ones.

Scores are sums of rule weights (see docs/verdicts.md for the scale). `legit` hits (e.g. an
authenticated sender on the allow list) count against threat and spam.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from functools import cache
from importlib import resources

from phishloop.core.classify.types import THREAT_SIGNALS, Category, Hit
from phishloop.core.config import VerdictConfig
from phishloop.core.model import Reason, Verdict

CONFIDENCE_SCALE = 2.5  # uncalibrated: score points for confidence to move from 0.5 to ~0.6
CALIBRATION_FILE = "calibration.json"


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


def signal_scores(hits: list[Hit]) -> dict[str, float]:
    scores: dict[str, float] = defaultdict(float)
    for hit in hits:
        scores[hit.signal] += hit.weight
    return dict(scores)


def decide(hits: list[Hit], thresholds: VerdictConfig, model_probability: float | None) -> Verdict:
    scores = signal_scores(hits)
    category, margin = decision(hits, thresholds, model_probability)
    subtype = _subtype(scores) if category in ("malicious", "suspicious") else None
    reasons = tuple(
        Reason(h.rule, h.evidence, h.weight, h.signal)
        for h in sorted(hits, key=lambda h: -abs(h.weight))
    )
    return Verdict(
        category=category,
        subtype=subtype,
        confidence=round(calibrated_confidence(category, margin), 3),
        reasons=reasons,
        scores=tuple(sorted((k, round(v, 3)) for k, v in scores.items())),
        model_probability=model_probability,
    )


def decision(
    hits: list[Hit], thresholds: VerdictConfig, model_probability: float | None
) -> tuple[Category, float]:
    """The category and its margin: how far the deciding score is past its threshold."""
    scores = signal_scores(hits)
    legit = max(scores.get("legit", 0.0), 0.0)
    threat = sum(scores.get(signal, 0.0) for signal in THREAT_SIGNALS) - legit
    spam = scores.get("spam", 0.0) + max(threat, 0.0) - (0.0 if threat > 0 else legit)
    bulk = scores.get("bulk", 0.0)
    category, margin = _category(scores, threat, spam, bulk, thresholds)
    if category == "spam" and not _spam_is_corroborated(hits, model_probability, thresholds):
        category, margin = ("bulk", 0.5) if bulk >= thresholds.bulk else ("clean", 0.5)
    return category, margin


def calibrated_confidence(category: str, margin: float) -> float:
    """P(the verdict is right) for this category and margin, interpolated on a curve fitted
    to labelled mail (scripts/calibrate_confidence.py); uncalibrated without one."""
    curve = _calibration().get(category)
    if curve is None:
        return _sigmoid(margin / CONFIDENCE_SCALE)
    margins, values = curve
    if margin <= margins[0]:
        return values[0]
    for (m0, v0), (m1, v1) in itertools.pairwise(zip(margins, values, strict=True)):
        if margin <= m1:
            return v0 + (v1 - v0) * (margin - m0) / (m1 - m0)
    return values[-1]


@cache
def _calibration() -> dict[str, tuple[tuple[float, ...], tuple[float, ...]]]:
    resource = resources.files("phishloop.core.classify").joinpath("data", CALIBRATION_FILE)
    if not resource.is_file():
        return {}
    curves = json.loads(resource.read_text())["curves"]
    return {
        name: (tuple(map(float, c["margins"])), tuple(map(float, c["confidence"])))
        for name, c in curves.items()
    }


def _category(
    scores: dict[str, float], threat: float, spam: float, bulk: float, limits: VerdictConfig
) -> tuple[Category, float]:
    """The category and how far the deciding score is past its threshold (>= 0 means the
    category's own evidence; the margin feeds the confidence)."""
    if scores.get("simulation", 0.0) > 0:
        return "simulation", 2.0 + scores["simulation"]
    if threat >= limits.malicious:
        return "malicious", 1.0 + threat - limits.malicious
    if threat >= limits.suspicious:
        return "suspicious", 0.5 + threat - limits.suspicious
    if spam >= limits.spam:
        return "spam", 1.0 + spam - limits.spam
    if bulk >= limits.bulk:
        return "bulk", 1.0 + bulk - limits.bulk - max(spam, 0.0) / 2
    unwanted = max(threat - limits.suspicious, spam - limits.spam)
    return "clean", 1.0 - unwanted / 2


# The model is one input among the rules, never the only one: it may make mail spam on its
# own only when it is very sure; otherwise a rule must agree. These rules are too weak (or
# too bulk-like) to count as that agreement.
MODEL_RULES = frozenset({"model.unwanted"})
WEAK_AGREEMENT = frozenset({"spam.unsubscribe-without-list-headers"})


def _spam_is_corroborated(
    hits: list[Hit], model_probability: float | None, thresholds: VerdictConfig
) -> bool:
    model_spoke = any(hit.rule in MODEL_RULES for hit in hits)
    if model_spoke and (model_probability or 0.0) >= thresholds.model_alone:
        return True
    return any(
        hit.weight > 0
        and hit.signal in (*THREAT_SIGNALS, "spam")
        and hit.rule not in MODEL_RULES
        and hit.rule not in WEAK_AGREEMENT
        for hit in hits
    )


def _subtype(scores: dict[str, float]) -> str | None:
    best = max(THREAT_SIGNALS, key=lambda signal: scores.get(signal, 0.0))
    return best if scores.get(best, 0.0) > 0 else "phish"
