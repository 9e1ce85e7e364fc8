"""The vocabulary of the verdict engine: signals, rules, findings and hits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from phishloop.core.classify.facts import Facts

# What a rule hit argues for. Threat signals (the malicious subtypes) always override bulk.
Signal = Literal[
    "phish", "malware", "bec", "extortion", "scam",  # malicious subtypes
    "spam", "bulk", "simulation", "legit",
]  # fmt: skip
THREAT_SIGNALS: tuple[Signal, ...] = ("phish", "malware", "bec", "extortion", "scam")
Category = Literal["malicious", "suspicious", "spam", "bulk", "simulation", "clean"]
CATEGORIES: tuple[Category, ...] = (
    "malicious",
    "suspicious",
    "spam",
    "bulk",
    "simulation",
    "clean",
)


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule found: human-readable evidence and how strongly (0..1] it applies."""

    evidence: str
    strength: float = 1.0


Check = Callable[["Facts"], "Finding | None"]


@dataclass(frozen=True, slots=True)
class Rule:
    """A named, documented check. `weight` is the default; configuration may override it
    or disable the rule. Negative weights argue against the signal (e.g. "legit")."""

    name: str  # "<family>.<what>", e.g. "auth.dmarc-fail"
    signal: Signal
    weight: float
    description: str
    check: Check


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that fired, with its evidence and the weight it contributed."""

    rule: str
    signal: Signal
    weight: float
    evidence: str
