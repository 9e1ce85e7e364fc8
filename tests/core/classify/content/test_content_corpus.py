"""Corpus checks of the content families: the sublime_demo BEC samples are caught, the
threat rules stay (nearly) silent on legitimate mail, and the phrase gates lose nothing."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from phishloop.core.classify.chain import CHAIN, run_chain
from phishloop.core.classify.content import text, words
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.phrases import lexicon
from phishloop.core.classify.types import THREAT_SIGNALS
from phishloop.core.config import DEFAULT_CONFIG
from phishloop.core.pipeline import analyze

pytestmark = pytest.mark.corpus

FAMILIES = ("language", "bec", "extortion", "scam", "spam", "qr", "history")
CONTENT_CHAIN = tuple(r for r in CHAIN if r.name.split(".", 1)[0] in FAMILIES)
MAX_THREAT_RULE_RATE = 0.005  # share of legitimate mail a threat rule may fire on
SAMPLE_EVERY = 2  # legitimate sets are sampled to keep the test short


def _files(corpora: Path, corpus: str, label: str, every: int = 1) -> list[Path]:
    with (corpora / corpus / "labels.csv").open() as handle:
        rows = [r for r in csv.DictReader(handle) if r["label"] == label]
    return [corpora / corpus / row["path"] for row in rows[::every]]


def _facts(path: Path) -> list[Facts]:
    return [Facts(a, DEFAULT_CONFIG) for a in analyze(path.read_bytes(), verdict=False)]


def test_sublime_bec_samples_are_caught(corpora: Path) -> None:
    for path in _files(corpora, "sublime_demo", "bec"):
        (result,) = analyze(path.read_bytes())
        assert result.verdict is not None
        assert result.verdict.category in ("malicious", "suspicious"), path.name
        assert result.verdict.subtype == "bec", path.name


@pytest.mark.parametrize(
    ("corpus", "label"), [("spamassassin_public", "ham"), ("modern_lists", "bulk")]
)
def test_threat_rules_are_quiet_on_legitimate_mail(corpora: Path, corpus: str, label: str) -> None:
    fired: dict[str, int] = {}
    total = 0
    for path in _files(corpora, corpus, label, SAMPLE_EVERY):
        for facts in _facts(path):
            total += 1
            hits, _ = run_chain(facts, DEFAULT_CONFIG.rules, CONTENT_CHAIN)
            for hit in hits:
                if hit.signal in THREAT_SIGNALS:
                    fired[hit.rule] = fired.get(hit.rule, 0) + 1
    noisy = {rule: n / total for rule, n in fired.items() if n / total > MAX_THREAT_RULE_RATE}
    assert not noisy, noisy


def test_gates_lose_no_phrase(corpora: Path) -> None:
    """Gated look-ups find exactly what running every pattern finds."""
    paths = _files(corpora, "phishing_pot", "phish", 25) + _files(
        corpora, "spamassassin_public", "spam", 25
    )
    for path in paths:
        for facts in _facts(path):
            normalised, tokens = text(facts), words(facts)
            for family in FAMILIES[:-1]:
                for phrases in lexicon(family).values():
                    gated = set(phrases.find(normalised, tokens, limit=1000))
                    everything = {
                        m.group(0)
                        for p in phrases.phrases
                        for m in p.regex.finditer(normalised)
                        if not (m.start() and re.match(r"\w", normalised[m.start() - 1]))
                    }
                    assert gated == everything, (path.name, phrases.name)
