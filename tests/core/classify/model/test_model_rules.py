"""The model rules turn the model's opinion into explained, weighted hits."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from phishloop.core.classify.chain import run_chain
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.learn.linear import LinearOpinion
from phishloop.core.classify.opinion import ModelOpinion
from phishloop.core.classify.rules import model as model_rules
from phishloop.core.config import DEFAULT_CONFIG, AnalysisConfig, RulesConfig
from phishloop.core.model import Analysis

RULES = {rule.name: rule for rule in model_rules.RULES}
TOP = (("verify your", 0.42), ("subject: password", 0.3), ("[html-form]", 0.2))


@dataclass
class FixedModel:
    opinion: ModelOpinion

    def predict(self, analysis: Analysis) -> ModelOpinion:
        return self.opinion


def _hits(
    analysed, opinion: ModelOpinion, config: AnalysisConfig = DEFAULT_CONFIG
) -> dict[str, tuple[str, float]]:
    facts = Facts(analysed("Hello", "Some text"), config, model=FixedModel(opinion))
    hits, failures = run_chain(facts, config.rules, chain=model_rules.RULES)
    assert not failures
    return {hit.rule: (hit.evidence, hit.weight) for hit in hits}


def test_unwanted_fires_with_weight_growing_with_probability(analysed) -> None:
    hits = _hits(analysed, ModelOpinion(0.93, TOP))
    evidence, weight = hits["model.unwanted"]
    nominal = DEFAULT_CONFIG.verdict.model_weight
    assert weight == pytest.approx(nominal * (2 * 0.93 - 1), abs=1e-3)
    assert (
        evidence == "P(unwanted)=0.93; top features: 'verify your', subject 'password', [html-form]"
    )
    assert "model.wanted" not in hits
    assert _hits(analysed, ModelOpinion(0.7, TOP))["model.unwanted"][1] < weight


def test_unwanted_follows_the_configured_model_weight(analysed) -> None:
    config = replace(DEFAULT_CONFIG, verdict=replace(DEFAULT_CONFIG.verdict, model_weight=2.0))
    assert _hits(analysed, ModelOpinion(0.9, TOP), config)["model.unwanted"][1] == pytest.approx(
        1.6
    )


@pytest.mark.parametrize("probability", [0.5, 0.54, 0.3])
def test_nothing_fires_near_even_odds(analysed, probability: float) -> None:
    assert _hits(analysed, ModelOpinion(probability, TOP)) == {}


def test_wanted_fires_for_a_confident_legitimate_opinion(analysed) -> None:
    hits = _hits(analysed, LinearOpinion(0.02, (("thanks", -0.5),), known_terms=80))
    evidence, weight = hits["model.wanted"]
    assert 0.9 < weight <= model_rules.WANTED_WEIGHT
    assert evidence == "P(unwanted)=0.02; top features: 'thanks'"


def test_no_opinion_from_a_model_that_knows_too_few_words(analysed) -> None:
    too_few = model_rules.MIN_KNOWN_TERMS - 1
    assert _hits(analysed, LinearOpinion(0.01, (), known_terms=too_few)) == {}
    assert _hits(analysed, LinearOpinion(0.97, TOP, known_terms=too_few)) == {}
    assert _hits(analysed, LinearOpinion(0.97, TOP, known_terms=too_few + 1)) != {}


def test_no_hits_without_a_model_or_when_switched_off(analysed) -> None:
    facts = Facts(analysed("Hello", "Some text"), DEFAULT_CONFIG)
    assert run_chain(facts, RulesConfig(), chain=model_rules.RULES) == ([], [])
    off = replace(DEFAULT_CONFIG, verdict=replace(DEFAULT_CONFIG.verdict, use_model=False))
    assert _hits(analysed, ModelOpinion(0.99, TOP), off) == {}


def test_rules_are_described() -> None:
    assert set(RULES) == {"model.unwanted", "model.wanted"}
    assert all(rule.description.endswith(".") for rule in RULES.values())
