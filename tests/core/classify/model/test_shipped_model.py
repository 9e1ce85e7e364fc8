"""The model shipped in the package: modern legitimate mail is not flagged (the era test),
modern threats are, and its held-out quality on the corpora holds.

The modern fixtures (tests/fixtures/modern_ham, modern_threats) were written for phishloop with
current Microsoft 365 / Gmail / Workspace headers, DKIM, ARC and Authentication-Results, HTML
and attachments; the model was trained on the ones outside its test split (see
docs/model-card.md), so the figures below are given for all and for the held-out ones.
"""

from __future__ import annotations

import csv
import hashlib
from functools import cache
from pathlib import Path

import pytest

from phishloop.core.classify.learn import load_model
from phishloop.core.classify.learn.linear import LinearOpinion
from phishloop.core.pipeline import analyze

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
SEED = 20260101  # scripts/build_model.py
TEST_FRACTION = 0.2


def _held_out(data: bytes) -> bool:
    digest = hashlib.sha256(f"{SEED}:{hashlib.sha256(data).hexdigest()}".encode()).hexdigest()
    return int(digest[:15], 16) / 16**15 < TEST_FRACTION


@cache
def _opinions(folder: Path) -> tuple[tuple[str, LinearOpinion, bool], ...]:
    model = load_model()
    found = []
    for path in sorted(folder.glob("*.eml")):
        data = path.read_bytes()
        [analysis] = analyze(data, verdict=False)
        found.append((path.name, model.predict(analysis), _held_out(data)))
    return tuple(found)


def test_modern_legitimate_mail_is_not_flagged() -> None:
    opinions = _opinions(FIXTURES / "modern_ham")
    assert len(opinions) >= 50
    flagged = [name for name, opinion, _ in opinions if opinion.probability >= 0.5]
    assert len(flagged) / len(opinions) <= 0.10, flagged  # measured: 4 of 55
    held = [opinion for _, opinion, held in opinions if held]
    assert sum(o.probability >= 0.5 for o in held) / len(held) <= 0.35  # measured: 4 of 13


def test_modern_legitimate_mail_gets_no_unwanted_verdict_with_the_model() -> None:
    model = load_model()
    for path in sorted((FIXTURES / "modern_ham").glob("*.eml")):
        [result] = analyze(path.read_bytes(), model=model)
        assert result.verdict is not None
        assert result.verdict.category not in ("malicious", "spam"), (path.name, result.verdict)


def test_modern_threats_are_flagged_and_explained() -> None:
    opinions = _opinions(FIXTURES / "modern_threats")
    caught = [o for _, o, _ in opinions if o.probability >= 0.5]
    assert len(caught) / len(opinions) >= 0.95
    opinion = next(o for name, o, _ in opinions if name == "threats-000.eml")
    assert opinion.top_features and all(effect > 0 for _, effect in opinion.top_features)


def _corpus_sample(corpora: Path, set_name: str, label: str, every: int) -> list[Path]:
    with (corpora / set_name / "labels.csv").open() as handle:
        rows = [r for r in csv.DictReader(handle) if r["label"] == label]
    return [corpora / set_name / r["path"] for r in rows[::every]]


def _flag_rate(paths: list[Path]) -> float:
    model = load_model()
    flagged = 0
    for path in paths:
        results = analyze(path.read_bytes(), verdict=False)
        flagged += any(model.predict(r).probability >= 0.5 for r in results)
    return flagged / len(paths)


@pytest.mark.corpus
def test_corpus_quality_holds(corpora: Path) -> None:
    """Figures from the model card, on samples (phishing_pot was never trained on)."""
    assert _flag_rate(_corpus_sample(corpora, "phishing_pot", "phish", 7)) >= 0.80  # card: 0.87
    assert _flag_rate(_corpus_sample(corpora, "modern_lists", "bulk", 5)) <= 0.01  # card: 0.00
    ham = [
        p
        for p in _corpus_sample(corpora, "spamassassin_public", "ham", 1)
        if _held_out(p.read_bytes())
    ]
    assert _flag_rate(ham) <= 0.05  # card: held-out ham and spam together 0.028
