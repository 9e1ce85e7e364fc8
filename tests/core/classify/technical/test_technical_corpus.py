"""The technical rules on real mail: legitimate list mail and ham must not add up to a
threat; phishing must trip them often. (Slow: analyses whole corpora.)"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from phishloop.core.classify.chain import run_chain
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.types import THREAT_SIGNALS
from phishloop.core.config import DEFAULT_CONFIG
from phishloop.core.pipeline import analyze

pytestmark = pytest.mark.corpus


def technical_threat(path: Path, rules) -> float:
    score = 0.0
    for analysis in analyze(path.read_bytes(), path=str(path), verdict=False):
        hits, failures = run_chain(Facts(analysis, DEFAULT_CONFIG), DEFAULT_CONFIG.rules, rules)
        assert not failures, (path, failures)
        threat = sum(h.weight for h in hits if h.signal in THREAT_SIGNALS)
        score = max(score, threat - sum(h.weight for h in hits if h.signal == "legit"))
    return score


def labelled(corpora: Path, corpus: str, label: str) -> list[Path]:
    with (corpora / corpus / "labels.csv").open() as handle:
        rows = [r for r in csv.DictReader(handle) if r["label"] == label]
    return [corpora / corpus / r["path"] for r in rows]


@pytest.mark.parametrize(
    ("corpus", "label"), [("modern_lists", "bulk"), ("spamassassin_public", "ham")]
)
def test_legitimate_mail_never_reaches_suspicious(
    corpora: Path, technical_rules, corpus: str, label: str
) -> None:
    paths = labelled(corpora, corpus, label)
    flagged = [p.name for p in paths if technical_threat(p, technical_rules) >= 3]
    assert not flagged, flagged[:10]


def test_phishing_trips_the_technical_rules(corpora: Path, technical_rules) -> None:
    """phishing_pot holds phishing and spam; about half shows a technical sign (the rest
    is left to the content rules and the model)."""
    paths = labelled(corpora, "phishing_pot", "phish")
    tripped = sum(technical_threat(p, technical_rules) > 0 for p in paths)
    assert tripped >= 0.4 * len(paths), tripped
