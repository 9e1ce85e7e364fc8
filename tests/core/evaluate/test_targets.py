"""Quality targets: which files they apply to, and when they are met."""

from __future__ import annotations

from phishloop.core.evaluate import ISSUE_TARGETS, Outcome, Ratio, Target, check_targets
from phishloop.core.evaluate.targets import percent


def outcome(set_: str, label: str, verdict: str, name: str = "m.eml") -> Outcome:
    category, _, subtype = verdict.partition("/")
    return Outcome(f"/c/{set_}/{name}", label, set_, set_, category, subtype or None)


def test_minimum_target_counts_only_its_set_and_label() -> None:
    target = Target("t", ("a",), "spam", ("spam", "malicious"), minimum=0.5)
    items = [
        outcome("a", "spam", "spam"),
        outcome("a", "spam", "clean"),
        outcome("a", "spam", "clean"),
        outcome("b", "spam", "spam"),  # other set
        outcome("a", "ham", "spam"),  # other label
    ]
    [result] = check_targets([target], items)
    assert result.measured == Ratio(1, 3)
    assert result.met is False
    [result] = check_targets([target], items[:2])
    assert result.met is True  # exactly the minimum


def test_maximum_target_and_exact_subtypes() -> None:
    never = Target("t", ("a",), "bec", ("malicious/bec", "suspicious"), maximum=0.0)
    [result] = check_targets([never], [outcome("a", "bec", "malicious/phish")])
    assert (result.measured, result.met) == (Ratio(0, 1), True)
    [result] = check_targets([never], [outcome("a", "bec", "malicious/bec")])
    assert (result.measured, result.met) == (Ratio(1, 1), False)


def test_file_names_restrict_a_target() -> None:
    target = Target("t", ("a",), "phish", ("simulation",), maximum=0.0, files=("x.eml",))
    items = [outcome("a", "phish", "simulation", "y.eml"), outcome("a", "phish", "clean", "x.eml")]
    [result] = check_targets([target], items)
    assert result.measured == Ratio(0, 1)


def test_target_without_files_is_not_measured() -> None:
    [result] = check_targets(ISSUE_TARGETS[:1], [outcome("a", "phish", "clean")])
    assert result.measured == Ratio(0, 0)
    assert result.met is None


def test_goals_read_like_the_issue() -> None:
    goals = {t.name: t.goal for t in ISSUE_TARGETS}
    assert goals["phishing_pot phish: malicious, suspicious or spam"] == "≥ 95 %"
    assert goals["spamassassin ham: malicious"] == "≤ 0.5 %"
    assert goals["spamassassin ham: malicious, suspicious or spam"] == "≤ 2 %"
    assert goals["modern_lists: malicious or spam"] == "none"
    assert percent(0.97) == "97 %"


def test_issue_targets_on_spoofed_knowbe4_and_phishme() -> None:
    items = [
        outcome("phishing_pot", "phish", "simulation", "sample-1570.eml"),
        outcome("phishing_pot", "phish", "simulation", "sample-9.eml"),  # not a KnowBe4 spoof
        outcome("phishing_pot", "simulation", "simulation", "sample-270.eml"),
    ]
    results = {r.target.name: r for r in check_targets(ISSUE_TARGETS, items)}
    spoofed = results["spoofed KnowBe4 mail: simulation"]
    assert (spoofed.measured, spoofed.met) == (Ratio(1, 1), False)
    phishme = results["PhishMe training mail: simulation"]
    assert (phishme.measured, phishme.met) == (Ratio(1, 1), True)
