"""YARA matches become verdict reasons: signal and weight from the rule's meta."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from email.message import EmailMessage

import pytest

from phishloop.core.classify import judge
from phishloop.core.classify.chain import run_chain
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.rules import yara
from phishloop.core.config import DEFAULT_CONFIG, AnalysisConfig
from phishloop.core.model import Analysis, YaraMatch
from phishloop.core.pipeline import analyze
from phishloop.core.scan import CompiledRules, YaraScanner

AnalyzeWithYara = Callable[[bytes, YaraScanner], list[Analysis]]


def _plain() -> Analysis:
    msg = EmailMessage()
    msg["From"] = "a@example.org"
    msg["To"] = "b@example.org"
    msg["Subject"] = "hello"
    msg.set_content("See you tomorrow.\n")
    [analysis] = analyze(msg.as_bytes(), verdict=False)
    return analysis


def _match(rule: str, target: str = "body:html", **meta: str) -> YaraMatch:
    return YaraMatch(rule, "ns", target, (), tuple(meta.items()))


def _hits(matches: list[YaraMatch], config: AnalysisConfig = DEFAULT_CONFIG) -> dict[str, str]:
    facts = Facts(replace(_plain(), yara=tuple(matches)), config)
    hits, failures = run_chain(facts, config.rules, chain=yara.RULES)
    assert failures == []
    return {hit.rule: f"{hit.signal} {hit.weight:g} | {hit.evidence}" for hit in hits}


def test_no_match_no_hit() -> None:
    assert _hits([]) == {}


def test_meta_decides_signal_and_weight() -> None:
    hits = _hits([_match("Smuggle", "attachment:a.html", signal="malware", weight="6")])
    assert hits == {"yara.malware": "malware 6 | ns.Smuggle in attachment:a.html (6)"}


def test_a_rule_without_meta_is_moderate_phishing_evidence() -> None:
    assert _hits([_match("Mine")]) == {"yara.phish": "phish 3 | ns.Mine in body:html (3)"}


def test_description_is_part_of_the_evidence() -> None:
    hits = _hits([_match("Kit", signal="phish", weight="5", description="Telegram exfil")])
    assert hits["yara.phish"].endswith("ns.Kit in body:html (5): Telegram exfil")


def test_info_and_unknown_signals_are_recorded_only() -> None:
    assert _hits([_match("Note", signal="info"), _match("Typo", signal="malwre")]) == {}


def test_weights_of_distinct_rules_add_up_to_the_cap() -> None:
    matches = [
        _match("A", signal="phish", weight="5"),
        _match("B", signal="phish", weight="6"),
        _match("C", signal="extortion", weight="2.5"),
    ]
    hits = _hits(matches)
    assert hits["yara.phish"].startswith(f"phish {yara.MAX_WEIGHT:g} | ns.B in body:html (6); ns.A")
    assert hits["yara.extortion"].startswith("extortion 2.5 | ")


def test_one_rule_on_several_targets_counts_once_at_the_most_specific() -> None:
    matches = [
        _match("Eicar", "message", signal="malware", weight="7"),
        _match("Eicar", "attachment:z.zip/eicar.com", signal="malware", weight="7"),
        _match("Eicar", "body:text", signal="malware", weight="7"),
    ]
    assert _hits(matches) == {
        "yara.malware": "malware 7 | ns.Eicar in attachment:z.zip/eicar.com (7)"
    }


@pytest.mark.parametrize(("weight", "used"), [("lots", 3), ("nan", 3), ("99", 8), ("2.5", 2.5)])
def test_odd_weights_are_bounded(weight: str, used: float) -> None:
    assert _hits([_match("W", weight=weight)])["yara.phish"].startswith(f"phish {used:g} |")


def test_a_zero_or_negative_weight_adds_nothing() -> None:
    assert _hits([_match("Z", weight="0"), _match("N", weight="-4")]) == {}


def test_single_yara_rules_are_disabled_or_reweighted_by_name() -> None:
    settings = replace(
        DEFAULT_CONFIG.rules,
        disabled=("yara.ns.Off", "yara.other.*"),
        weights=(("yara.ns.Light", 1.5),),
    )
    config = replace(DEFAULT_CONFIG, rules=settings)
    matches = [
        _match("Off", weight="6"),
        _match("Light", weight="6"),
        YaraMatch("Gone", "other", "body:html", (), (("weight", "6"),)),
    ]
    assert _hits(matches, config) == {"yara.phish": "phish 1.5 | ns.Light in body:html (1.5)"}


def test_the_whole_family_can_be_switched_off() -> None:
    config = replace(DEFAULT_CONFIG, rules=replace(DEFAULT_CONFIG.rules, disabled=("yara.*",)))
    assert _hits([_match("A", signal="malware", weight="6")], config) == {}


def test_a_shipped_rule_hit_is_a_verdict_reason(
    analyze_with_yara: AnalyzeWithYara, shipped: CompiledRules
) -> None:
    msg = EmailMessage()
    msg["From"] = "billing@vendor.example"
    msg["To"] = "ap@corp.example"
    msg["Subject"] = "Remittance"
    msg.set_content("Your remittance advice is attached.\n")
    page = (
        b'<html><script>var b = new Blob([d]); var a = document.createElement("a");'
        b' a.href = URL.createObjectURL(b); a.download = "Remittance.iso"; a.click();</script>'
    )
    msg.add_attachment(page, maintype="text", subtype="html", filename="Remittance.html")
    [analysis] = analyze_with_yara(msg.as_bytes(), YaraScanner(shipped))
    verdict = judge(analysis).verdict
    assert verdict is not None
    reasons = {reason.rule: reason for reason in verdict.reasons}
    reason = reasons["yara.malware"]
    assert reason.weight == 6 and reason.signal == "malware"
    assert reason.evidence.startswith(
        "phishloop.HTML_Smuggling_Dangerous_Download in attachment:Remittance.html (6): "
    )
    assert verdict.category == "malicious"
