"""The declarative rule chain: every rule, in evaluation order, and how it is run.

Adding a rule means adding it to its family module's `RULES`; adding a family means
adding the module here. Nothing is discovered implicitly.
"""

from __future__ import annotations

from phishloop.core.classify.facts import Facts
from phishloop.core.classify.rules import (
    attachments,
    auth,
    bec,
    bulk,
    extortion,
    history,
    impersonation,
    intel,
    language,
    links,
    lists,
    lookalike,
    model,
    qr,
    scam,
    sender,
    simulation,
    spam,
    yara,
)
from phishloop.core.classify.types import Hit, Rule
from phishloop.core.config import RulesConfig
from phishloop.core.errors import describe_exception

CHAIN: tuple[Rule, ...] = (
    *lists.RULES,
    *simulation.RULES,
    *auth.RULES,
    *sender.RULES,
    *impersonation.RULES,
    *lookalike.RULES,
    *links.RULES,
    *intel.RULES,
    *attachments.RULES,
    *yara.RULES,
    *qr.RULES,
    *language.RULES,
    *bec.RULES,
    *extortion.RULES,
    *scam.RULES,
    *spam.RULES,
    *history.RULES,
    *bulk.RULES,
    *model.RULES,
)
MAX_EVIDENCE_CHARS = 300


def is_disabled(name: str, disabled: tuple[str, ...]) -> bool:
    family = name.split(".", 1)[0]
    return name in disabled or f"{family}.*" in disabled


Enabled = tuple[tuple[Rule, float], ...]  # rules with their configured weights
MAX_ENABLED = 64
# (configuration, chain id) -> (chain, its enabled rules); the chain is kept so that its id
# cannot be reused while the entry lives.
_ENABLED: dict[tuple[RulesConfig, int], tuple[tuple[Rule, ...], Enabled]] = {}


def enabled_rules(settings: RulesConfig, chain: tuple[Rule, ...]) -> Enabled:
    """The rules of `chain` that `settings` leave enabled, each with its configured weight
    (worked out once per configuration and chain, not for every message)."""
    key = (settings, id(chain))
    entry = _ENABLED.get(key)
    if entry is None or entry[0] is not chain:
        weights = dict(settings.weights)
        enabled = tuple(
            (rule, weights.get(rule.name, rule.weight))
            for rule in chain
            if not is_disabled(rule.name, settings.disabled)
        )
        if len(_ENABLED) >= MAX_ENABLED:
            _ENABLED.clear()
        entry = _ENABLED[key] = (chain, enabled)
    return entry[1]


def run_chain(
    facts: Facts, settings: RulesConfig, chain: tuple[Rule, ...] = CHAIN
) -> tuple[list[Hit], list[str]]:
    """Every hit of every enabled rule, and the failures of rules that raised (a broken
    rule costs its own opinion only)."""
    hits: list[Hit] = []
    failures: list[str] = []
    for rule, weight in enabled_rules(settings, chain):
        try:
            finding = rule.check(facts)
        except Exception as exc:  # one rule must not sink the verdict
            failures.append(f"rule {rule.name} failed: {describe_exception(exc)}")
            continue
        if finding is not None:
            hits.append(
                Hit(
                    rule.name,
                    rule.signal,
                    round(weight * finding.strength, 3),
                    finding.evidence[:MAX_EVIDENCE_CHARS],
                )
            )
    return hits, failures
