"""The model's fast paths give exactly what the straightforward code gives: tokens, token
counts, features and the opinion (probability and the features named)."""

from __future__ import annotations

import math
import random
import re
from heapq import nlargest
from itertools import pairwise

import pytest

from phishloop.core.classify.learn import features, shipped_model, tokenize
from phishloop.core.classify.learn.features import MAX_TEXT_CHARS, STOP_WORDS, MessageFeatures
from phishloop.core.classify.learn.linear import TOP_FEATURES, LinearModel

TOKEN = re.compile(r"[^\W\d_]{2,24}|\d{1,24}|[$€£]")
PIECES = [
    "Verify", "your", "account", "now", "a", "I", "x1", "mp3", "2024", "$100", "€5", "£",
    "http://evil.example/login", "www.example.com", "bob@example.org", "e-mail", "don't",
    "café", "naïve", "İstanbul", "²", "٣", "_", "A" * 30, "9" * 30, "\u00a0", "\t", "\n",
    "outside", "This email originated from outside the organization.", "Привет",
]  # fmt: skip


def _reference_tokens(text: str) -> list[str]:
    kept = " ".join(
        chunk
        for chunk in text.lower().split()
        if not ("://" in chunk or "@" in chunk or "www." in chunk)
    )
    return ["#" if word[0].isdigit() else word for word in TOKEN.findall(kept)]


def _reference_terms(body: str) -> frozenset[str]:
    text = body[:MAX_TEXT_CHARS]
    if "outside" in text or "external" in text:
        text = features._BANNER.sub(" ", text)
    words = _reference_tokens(text)
    pairs = (f"{a} {b}" for a, b in pairwise(words) if a not in STOP_WORDS or b not in STOP_WORDS)
    return frozenset(words).difference(STOP_WORDS).union(pairs)


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [
        rng.choice(["", " ", "  "]).join(rng.choice(PIECES) for _ in range(rng.randint(0, 40)))
        for _ in range(count)
    ]


def test_tokens_and_counts() -> None:
    for text in _texts(seed=1, count=2000):
        assert features.tokens(text) == _reference_tokens(text), text
        assert tokenize.count(text) == len(TOKEN.findall(text)), text
        assert tokenize.words(text) == ["#" if w[0].isdigit() else w for w in TOKEN.findall(text)]


def test_body_terms_and_the_shared_word_count() -> None:
    shared = 0
    for text in _texts(seed=2, count=1000):
        assert features.body_terms(text) == _reference_terms(text), text
        count = features._body_words(text)[1]
        if count is not None:
            assert count == len(TOKEN.findall(text[:MAX_TEXT_CHARS])), text
            shared += 1
    assert shared > 20


def test_split_links_keeps_the_other_chunks_in_order() -> None:
    kept, links = tokenize.split_links("see  http://a.example/x and\tbob@b.example, www.c.example!")
    assert kept.split() == ["see", "and"]
    assert links.split() == ["http://a.example/x", "bob@b.example,", "www.c.example!"]


def _reference_opinion(
    model: LinearModel, found: MessageFeatures
) -> tuple[float, tuple[tuple[str, float], ...]]:
    """The opinion as first written: dict-keys intersections and heapq.nlargest."""
    known = found.terms & model.terms.keys()
    known_subject = found.subject & model.subject.keys()
    scale = 1.0 / math.sqrt(found.text_count) if found.text_count else 0.0
    text = sum(map(model.terms.__getitem__, known)) + sum(
        map(model.subject.__getitem__, known_subject)
    )
    structure = [(n, model.structure[n] * v) for n, v in found.structure if n in model.structure]
    score = model.intercept + text * scale + sum(v for _, v in structure)
    probability = model.probability(score)
    sign = 1.0 if probability >= 0.5 else -1.0
    terms = nlargest(TOP_FEATURES, known, lambda t: model.terms[t] * sign)
    words = nlargest(TOP_FEATURES, known_subject, lambda t: model.subject[t] * sign)
    candidates = [(model.terms[t] * scale, t) for t in terms]
    candidates += [(model.subject[w] * scale, f"subject: {w}") for w in words]
    candidates += [(value, f"[{name}]") for name, value in structure]
    pushing = [(v * sign, name) for v, name in candidates if v * sign > 0]
    top = tuple((name, round(v * sign, 4)) for v, name in nlargest(TOP_FEATURES, pushing))
    return probability, top


def test_opinion_matches_the_reference() -> None:
    model = shipped_model()
    vocabulary = sorted(model.terms)
    rng = random.Random(3)
    for _ in range(300):
        body = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 80)))
        subject = " ".join(rng.choice(sorted(model.subject)) for _ in range(rng.randint(0, 6)))
        found = MessageFeatures(
            features.body_terms(body), features.subject_terms(subject), (("attachment", 1.0),)
        )
        opinion = model.opinion(found)
        probability, top = _reference_opinion(model, found)
        assert opinion.probability == pytest.approx(probability, abs=1e-12)
        assert opinion.top_features == top
