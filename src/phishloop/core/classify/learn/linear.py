"""A linear model over `MessageFeatures`, with Platt-calibrated probabilities.

score = intercept + Σ text weights / √(number of text features) + Σ structure weight × value
P(unwanted) = 1 / (1 + exp(−(a × score + b)))

Training (`phishloop.training`) fits the same formula with scikit-learn on the same features;
this module needs nothing but the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from heapq import nlargest
from typing import Any, NamedTuple

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
        parts = self._parts(features)
        probability = self.probability(parts.score)
        sign = 1.0 if probability >= 0.5 else -1.0
        scale = _scale(features)

        # Only the strongest few of each kind can make the list: name just those.
        candidates = [(weight * scale, term) for weight, term in _strongest(parts.known, sign)]
        candidates += [
            (weight * scale, f"subject: {word}")
            for weight, word in _strongest(parts.known_subject, sign)
        ]
        candidates += [(value, f"[{name}]") for name, value in parts.structure]
        pushing = [(v * sign, name) for v, name in candidates if v * sign > 0]
        top = tuple((name, round(v * sign, 4)) for v, name in nlargest(TOP_FEATURES, pushing))
        known_terms = len(parts.known.terms) + len(parts.known_subject.terms)
        return LinearOpinion(probability, top, known_terms=known_terms)

    # The weighted terms as sets: a set probe is cheaper than a dict probe, and the result
    # is built in the same order (that of the message's terms).
    @cached_property
    def _term_keys(self) -> frozenset[str]:
        return frozenset(self.terms)

    @cached_property
    def _subject_keys(self) -> frozenset[str]:
        return frozenset(self.subject)

    def _parts(self, features: MessageFeatures) -> _Parts:
        """The score, the known body terms and subject words, and the structural terms."""
        known = _Known.of(features.terms & self._term_keys, self.terms)
        known_subject = _Known.of(features.subject & self._subject_keys, self.subject)
        text = sum(known.weights)
        text += sum(known_subject.weights)
        weights = self.structure
        structure = [(n, weights[n] * v) for n, v in features.structure if n in weights]
        score = self.intercept + text * _scale(features) + sum(v for _, v in structure)
        return _Parts(score, known, known_subject, structure)


class _Known(NamedTuple):
    """The message's terms the model knows, in set order, and their weights."""

    terms: list[str]
    weights: list[float]

    @classmethod
    def of(cls, terms: frozenset[str], weights: Mapping[str, float]) -> _Known:
        listed = list(terms)
        return cls(listed, list(map(weights.__getitem__, listed)))


class _Parts(NamedTuple):
    score: float
    known: _Known
    known_subject: _Known
    structure: list[tuple[str, float]]


def _strongest(known: _Known, sign: float) -> list[tuple[float, str]]:
    """(weight, term) of the TOP_FEATURES terms with the largest weight × sign; equal weights
    are ordered by term, so the evidence never depends on hash order."""
    weights, terms = known.weights, known.terms
    order = sorted(range(len(weights)), key=lambda i: (-weights[i] * sign, terms[i]))
    return [(weights[index], known.terms[index]) for index in order[:TOP_FEATURES]]


def _scale(features: MessageFeatures) -> float:
    """Text features are scaled so that their vector has unit length."""
    return 1.0 / math.sqrt(features.text_count) if features.text_count else 0.0
