"""The decision policy: one verdict for an incident from its messages' verdicts, and
whether that verdict is confident enough to resolve the incident without an analyst.

Configured by the `[policy]` table of the organisation's TOML file:

    [policy]
    auto_resolve = {malicious = 0.9, spam = 0.8, bulk = 0.8, clean = 0.95, simulation = 0.9}

A category left out of `auto_resolve` always waits for an analyst; `suspicious` always does
(it means "not sure"), so naming it is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from phishloop.core.errors import ConfigError

# Most severe first: an incident is as bad as its worst message (threats override bulk).
SEVERITY = ("malicious", "suspicious", "spam", "bulk", "simulation", "clean")
DEFAULT_AUTO_RESOLVE: Mapping[str, float] = {
    "malicious": 0.9,
    "spam": 0.8,
    "bulk": 0.8,
    "clean": 0.95,
    "simulation": 0.9,
}
NEVER_AUTO = frozenset({"suspicious"})
_KEYS = frozenset({"auto_resolve"})


@dataclass(frozen=True, slots=True)
class Policy:
    auto_resolve: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_AUTO_RESOLVE))

    @classmethod
    def from_mapping(cls, table: object, *, where: str = "") -> Policy:
        """Build from the parsed `[policy]` table; ConfigError names the key (and `where`,
        the file) when a value is wrong."""
        prefix = f"{where}: " if where else ""
        if not isinstance(table, Mapping):
            raise ConfigError(f"{prefix}[policy] must be a table")
        unknown = sorted(set(table) - _KEYS)
        if unknown:
            raise ConfigError(
                f"{prefix}unknown key policy.{unknown[0]}; known: {', '.join(sorted(_KEYS))}"
            )
        if "auto_resolve" not in table:
            return cls()
        return cls(_thresholds(table["auto_resolve"], prefix))

    def threshold(self, category: str) -> float | None:
        """The confidence `category` needs to resolve by itself; None: never."""
        return None if category in NEVER_AUTO else self.auto_resolve.get(category)


def _thresholds(value: object, prefix: str) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{prefix}policy.auto_resolve must be a table of category = confidence")
    thresholds: dict[str, float] = {}
    for category, threshold in value.items():
        name = f"policy.auto_resolve.{category}"
        if category in NEVER_AUTO:
            raise ConfigError(f"{prefix}{name}: a suspicious verdict never resolves by itself")
        if category not in SEVERITY:
            raise ConfigError(f"{prefix}{name}: unknown category; known: {', '.join(SEVERITY)}")
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise ConfigError(f"{prefix}{name} must be a number between 0 and 1")
        if not 0.0 < float(threshold) <= 1.0:
            raise ConfigError(f"{prefix}{name}={threshold}: must be above 0 and at most 1")
        thresholds[str(category)] = float(threshold)
    return thresholds


@dataclass(frozen=True, slots=True)
class MessageVerdict:
    """One message's verdict, as the incident decision sees it."""

    message: int  # an id the caller understands
    category: str
    confidence: float
    subtype: str = ""
    reasons: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """The incident's verdict and whether the policy resolves it."""

    category: str
    subtype: str
    confidence: float
    resolved: bool
    basis: MessageVerdict | None  # the message whose verdict the incident takes
    explanation: str


def decide(verdicts: Iterable[MessageVerdict], policy: Policy) -> Decision:
    """The most severe verdict among the messages (the most confident one of that
    category), resolved when its confidence reaches the category's threshold."""
    ranked = sorted(verdicts, key=lambda v: (_rank(v.category), -v.confidence, v.message))
    if not ranked:
        return Decision("", "", 0.0, False, None, "no message has a verdict yet")
    basis = ranked[0]
    threshold = policy.threshold(basis.category)
    held = f"{basis.category} at confidence {basis.confidence:.2f}"
    if threshold is None:
        why = f"{held}: the policy never resolves {basis.category} by itself"
        return Decision(basis.category, basis.subtype, basis.confidence, False, basis, why)
    resolved = basis.confidence >= threshold
    sign = "≥" if resolved else "<"
    why = f"{held} {sign} threshold {threshold:.2f}"
    return Decision(basis.category, basis.subtype, basis.confidence, resolved, basis, why)


def _rank(category: str) -> int:
    return SEVERITY.index(category) if category in SEVERITY else len(SEVERITY)
