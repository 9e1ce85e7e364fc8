"""Metric computation on a small synthetic set; every expected number counted by hand."""

from __future__ import annotations

from phishloop.core.evaluate import NO_VERDICT, Outcome, Ratio, summarise
from phishloop.core.evaluate.metrics import summarise_groups
from phishloop.core.evaluate.outcome import most_severe


def outcome(label: str, verdict: str, group: str = "g") -> Outcome:
    category, _, subtype = verdict.partition("/")
    return Outcome(f"{label}-{verdict}", label, "set", group, category, subtype or None)


VERDICTS = {
    "phish": ["malicious/phish", "spam", "clean", "suspicious/scam", "simulation"],
    "spam": ["spam", "bulk"],
    "ham": ["clean"] * 6 + ["bulk", "malicious/phish", "suspicious/phish", "spam"],
    "bulk": ["bulk", "bulk", "bulk", "clean", "spam"],
    "bec": ["malicious/bec", "suspicious/phish", "malicious/phish"],
    "simulation": ["simulation", "clean"],
    "malformed": [NO_VERDICT],
}
OUTCOMES = [outcome(label, v) for label, verdicts in VERDICTS.items() for v in verdicts]


def test_headline_figures() -> None:
    m = summarise(OUTCOMES)
    assert m.files == 28
    # phish 3 of 5 (malicious, spam, suspicious) + spam 1 of 2 + bec 3 of 3
    assert m.threat_recall == Ratio(7, 10)
    assert m.ham_malicious == Ratio(1, 10)
    assert m.ham_unwanted == Ratio(3, 10)
    assert m.bulk_handled == Ratio(4, 5)
    assert m.bulk_as_bulk == Ratio(3, 5)
    assert m.bulk_unwanted == Ratio(1, 5)
    assert m.simulation == Ratio(1, 2)
    assert m.false_simulation == Ratio(1, 26)  # the phish called simulation
    assert m.bec == Ratio(2, 3)  # malicious/phish is not a BEC verdict
    assert m.threat_recall.share == 0.7


def test_confusion_matrix_and_correct_share_per_label() -> None:
    m = summarise(OUTCOMES)
    assert list(m.confusion) == ["phish", "bec", "spam", "bulk", "simulation", "ham", "malformed"]
    assert m.confusion["ham"] == {
        "malicious": 1, "suspicious": 1, "spam": 1, "bulk": 1,
        "simulation": 0, "clean": 6, "none": 0,
    }  # fmt: skip
    assert m.confusion["malformed"]["none"] == 1
    assert m.correct["ham"] == Ratio(7, 10)  # clean or bulk
    assert m.correct["phish"] == Ratio(3, 5)
    assert m.correct["bulk"] == Ratio(4, 5)
    assert m.correct["malformed"] == Ratio(1, 1)  # any handling counts


def test_recall_per_ideal_category() -> None:
    recall = summarise(OUTCOMES).category_recall
    assert recall == {
        "malicious": Ratio(3, 8),  # phish 1 of 5, bec 2 of 3
        "spam": Ratio(1, 2),
        "bulk": Ratio(3, 5),
        "clean": Ratio(6, 10),
        "simulation": Ratio(1, 2),
    }


def test_figures_without_files_have_no_share() -> None:
    m = summarise([outcome("ham", "clean")])
    assert m.threat_recall == Ratio(0, 0)
    assert m.threat_recall.share is None
    assert "malicious" not in m.category_recall


def test_groups_then_all_only_when_several() -> None:
    items = [
        outcome("ham", "clean", "b"),
        outcome("spam", "spam", "a"),
        outcome("ham", "spam", "b"),
    ]
    groups = summarise_groups(items)
    assert [g.name for g in groups] == ["a", "b", "all"]
    assert groups[1].ham_unwanted == Ratio(1, 2)
    assert groups[2].files == 3
    assert [g.name for g in summarise_groups(items[:1])] == ["b"]


def test_most_severe_verdict_of_a_file() -> None:
    assert most_severe(["clean", "spam", "bulk"]) == "spam"
    assert most_severe(["bulk", "malicious"]) == "malicious"
    assert most_severe([]) == NO_VERDICT
