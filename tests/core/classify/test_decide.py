"""The decision: scores per signal → category, subtype and confidence."""

from __future__ import annotations

from dataclasses import replace

from phishloop.core.classify.decide import _calibration, decide
from phishloop.core.classify.types import Hit, Signal
from phishloop.core.config import VerdictConfig

CONFIG = VerdictConfig()


def hit(rule: str, signal: Signal, weight: float) -> Hit:
    return Hit(rule, signal, weight, f"evidence of {rule}")


def test_no_hits_is_clean() -> None:
    verdict = decide([], CONFIG, None)
    assert (verdict.category, verdict.subtype, verdict.reasons) == ("clean", None, ())


def test_threat_overrides_bulk_and_picks_the_heaviest_subtype() -> None:
    hits = [
        hit("bulk.list-id", "bulk", 8.0),
        hit("a.phish", "phish", 2.0),
        hit("a.malware", "malware", 5.0),
    ]
    verdict = decide(hits, CONFIG, None)
    assert (verdict.category, verdict.subtype) == ("malicious", "malware")
    assert [r.rule for r in verdict.reasons] == ["bulk.list-id", "a.malware", "a.phish"]
    assert dict(verdict.scores) == {"bulk": 8.0, "malware": 5.0, "phish": 2.0}


def test_thresholds_separate_malicious_suspicious_spam_bulk() -> None:
    assert decide([hit("x", "phish", 6.0)], CONFIG, None).category == "malicious"
    assert decide([hit("x", "phish", 3.0)], CONFIG, None).category == "suspicious"
    assert decide([hit("x", "spam", 2.5)], CONFIG, None).category == "spam"
    assert decide([hit("x", "bulk", 2.0)], CONFIG, None).category == "bulk"
    assert decide([hit("x", "bulk", 1.9)], CONFIG, None).category == "clean"
    stricter = replace(CONFIG, malicious=8.0)
    assert decide([hit("x", "phish", 6.0)], stricter, None).category == "suspicious"


def test_legit_evidence_counts_against_threat() -> None:
    hits = [hit("x", "phish", 4.0), hit("lists.allowed-sender", "legit", 4.0)]
    assert decide(hits, CONFIG, None).category == "clean"


def test_a_simulation_hit_wins() -> None:
    hits = [hit("simulation.vendor", "simulation", 5.0), hit("x", "phish", 9.0)]
    assert decide(hits, CONFIG, None).category == "simulation"


def test_the_model_alone_makes_spam_only_when_very_sure() -> None:
    unsure = [hit("model.unwanted", "spam", 4.8), hit("bulk.list-id", "bulk", 3.0)]
    assert decide(unsure, CONFIG, 0.85).category == "bulk"
    assert decide(unsure[:1], CONFIG, 0.85).category == "clean"
    assert decide(unsure, CONFIG, 0.95).category == "spam"


def test_a_rule_that_agrees_with_the_model_makes_spam() -> None:
    hits = [hit("model.unwanted", "spam", 2.0), hit("spam.phrases", "spam", 1.0)]
    assert decide(hits, CONFIG, 0.7).category == "spam"
    weak = [
        hit("model.unwanted", "spam", 2.0),
        hit("spam.unsubscribe-without-list-headers", "spam", 0.5),
    ]
    assert decide(weak, CONFIG, 0.7).category == "clean"


def test_confidence_grows_with_the_evidence() -> None:
    just = decide([hit("x", "phish", 6.0)], CONFIG, None).confidence
    strong = decide([hit("x", "phish", 12.0)], CONFIG, None).confidence
    assert 0.5 < just < strong < 1.0


def test_shipped_calibration_curves_never_decrease() -> None:
    curves = _calibration()
    assert {"malicious", "suspicious", "spam", "bulk", "clean"} <= set(curves)
    for margins, values in curves.values():
        assert list(margins) == sorted(margins)
        assert list(values) == sorted(values)
        assert all(0.0 <= v <= 1.0 for v in values)
