"""`judge`: an `Analysis` in, the same analysis with its `verdict` out."""

from __future__ import annotations

from dataclasses import replace

from phishloop.core import errors
from phishloop.core.classify.chain import run_chain
from phishloop.core.classify.decide import decide
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.history import SenderHistory
from phishloop.core.classify.opinion import MessageModel
from phishloop.core.config import DEFAULT_CONFIG, AnalysisConfig
from phishloop.core.model import Analysis, ErrorRecord


def judge(
    analysis: Analysis,
    config: AnalysisConfig = DEFAULT_CONFIG,
    *,
    model: MessageModel | None = None,
    history: SenderHistory | None = None,
) -> Analysis:
    """Run the rule chain (and the model, when given) and attach the verdict. Pure: the
    same analysis, configuration, model and history always give the same verdict."""
    facts = Facts(analysis, config, history=history, model=model)
    hits, failures = run_chain(facts, config.rules)
    opinion = facts.model_opinion
    verdict = decide(hits, config.verdict, opinion.probability if opinion else None)
    failed = tuple(ErrorRecord(errors.INTERNAL, failure) for failure in failures)
    return replace(analysis, verdict=verdict, errors=analysis.errors + failed)
