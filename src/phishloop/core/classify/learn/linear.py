"""A linear model over `MessageFeatures`, with Platt-calibrated probabilities.

score = intercept + Σ text weights / √(number of text features) + Σ structure weight × value
P(unwanted) = 1 / (1 + exp(−(a × score + b)))

Training (`phishloop.training`) fits the same formula with scikit-learn on the same features;
this module needs nothing but the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from heapq import nlargest
from typing import Any

from phishloop.core.classify.learn.features import MessageFeatures, extract
from phishloop.core.classify.opinion import ModelOpinion
from phishloop.core.model import Analysis

TOP_FEATURES = 6


@dataclass(frozen=True, slots=True)
class LinearOpinion(ModelOpinion):
    """The opinion plus how many of the message's text features the model knows: an opinion
    built on a handful of known words (say, a message in a language the model was not
    trained on) is weak evidence either way."""

    known_terms: int = 0


@dataclass(frozen=True)
class LinearModel:
    """Weights by feature: `terms` (body words and word pairs), `subject` (subject words),
    `structure` (structural facts). Implements `MessageModel`."""

    terms: Mapping[str, float]
    subject: Mapping[str, float]
    structure: Mapping[str, float]
    intercept: float
    calibration: tuple[float, float]  # Platt (a, b)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def score(self, features: MessageFeatures) -> float:
        """The uncalibrated decision value (scikit-learn's `decision_function`)."""
        return self._parts(features)[0]

    def probability(self, score: float) -> float:
        a, b = self.calibration
        return 1.0 / (1.0 + math.exp(-max(min(a * score + b, 700.0), -700.0)))

    def predict(self, analysis: Analysis) -> LinearOpinion:
        return self.opinion(extract(analysis))

    def opinion(self, features: MessageFeatures) -> LinearOpinion:
        score, known, known_subject, structure = self._parts(features)
        probability = self.probability(score)
        sign = 1.0 if probability >= 0.5 else -1.0
        scale = _scale(features)

        # Only the strongest few of each kind can make the list: name just those.
        def strength(weights: Mapping[str, float]) -> Callable[[str], float]:
            return lambda term: weights[term] * sign

        candidates = [
            (self.terms[t] * scale, t) for t in nlargest(TOP_FEATURES, known, strength(self.terms))
        ]
        candidates += [
            (self.subject[w] * scale, f"subject: {w}")
            for w in nlargest(TOP_FEATURES, known_subject, strength(self.subject))
        ]
        candidates += [(value, f"[{name}]") for name, value in structure]
        pushing = [(v * sign, name) for v, name in candidates if v * sign > 0]
        top = tuple((name, round(v * sign, 4)) for v, name in nlargest(TOP_FEATURES, pushing))
        return LinearOpinion(probability, top, known_terms=len(known) + len(known_subject))

    def _parts(
        self, features: MessageFeatures
    ) -> tuple[float, frozenset[str], frozenset[str], list[tuple[str, float]]]:
        """The score, the known body terms and subject words, and the structural terms."""
        known = features.terms & self.terms.keys()
        known_subject = features.subject & self.subject.keys()
        text = sum(map(self.terms.__getitem__, known))
        text += sum(map(self.subject.__getitem__, known_subject))
        weights = self.structure
        structure = [(n, weights[n] * v) for n, v in features.structure if n in weights]
        score = self.intercept + text * _scale(features) + sum(v for _, v in structure)
        return score, known, known_subject, structure


def _scale(features: MessageFeatures) -> float:
    """Text features are scaled so that their vector has unit length."""
    return 1.0 / math.sqrt(features.text_count) if features.text_count else 0.0
