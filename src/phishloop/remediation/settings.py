"""The `[remediation]` table: how pulls are planned and when they run without an analyst.

Auto-approval is off unless `auto_approve = true`, and even then a pull waits for an
analyst when the incident's category or confidence is outside the policy, the plan
reaches more mailboxes than `max_mailboxes`, the sender is internal (a compromised
colleague needs a person's judgement), or some mailboxes could not be searched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from phishloop.core.cluster import DEFAULT_MIN_SIMILARITY
from phishloop.core.errors import ConfigError
from phishloop.remediation.planner import PlanOptions

CATEGORIES = ("malicious", "suspicious", "spam", "bulk", "simulation", "clean")
_KEYS = frozenset(
    {
        "auto_approve", "categories", "min_confidence", "max_mailboxes",
        "auto_approve_internal_senders", "restore_on_clean", "batch_size", "siblings",
        "sibling_window_hours", "min_similarity", "forwards", "max_forward_depth",
        "message_id_sweep", "plan_chunk_size",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RemediationSettings:
    auto_approve: bool = False
    categories: tuple[str, ...] = ("malicious",)
    min_confidence: float = 0.9
    max_mailboxes: int = 50
    auto_approve_internal_senders: bool = False
    restore_on_clean: bool = True
    batch_size: int = 50  # mailboxes per execution job
    siblings: bool = True
    sibling_window_hours: float = 72.0
    min_similarity: float = DEFAULT_MIN_SIMILARITY
    forwards: bool = True
    max_forward_depth: int = 3
    message_id_sweep: bool = False
    plan_chunk_size: int = 500  # mailboxes per sweep job of a fanned-out plan

    @classmethod
    def from_tables(
        cls, tables: Mapping[str, Any], source: Path | str | None = None
    ) -> RemediationSettings:
        """Read `[remediation]` (defaults when absent); ConfigError names key and file."""
        where = f" in {source}" if source else ""
        table = tables.get("remediation", {})
        if not isinstance(table, Mapping):
            raise ConfigError(f"remediation must be a table{where}")
        unknown = sorted(set(table) - _KEYS)
        if unknown:
            raise ConfigError(f"unknown key remediation.{unknown[0]}{where}")
        read = _Reader(table, where)
        return cls(
            auto_approve=read.flag("auto_approve", False),
            categories=read.categories(),
            min_confidence=read.number("min_confidence", 0.9, 0.0, 1.0),
            max_mailboxes=int(read.number("max_mailboxes", 50, 1, 10_000_000, integer=True)),
            auto_approve_internal_senders=read.flag("auto_approve_internal_senders", False),
            restore_on_clean=read.flag("restore_on_clean", True),
            batch_size=int(read.number("batch_size", 50, 1, 10_000, integer=True)),
            siblings=read.flag("siblings", True),
            sibling_window_hours=read.number("sibling_window_hours", 72.0, 0.0, 24 * 365),
            min_similarity=read.number("min_similarity", DEFAULT_MIN_SIMILARITY, 0.0, 1.0),
            forwards=read.flag("forwards", True),
            max_forward_depth=int(read.number("max_forward_depth", 3, 0, 10, integer=True)),
            message_id_sweep=read.flag("message_id_sweep", False),
            plan_chunk_size=int(read.number("plan_chunk_size", 500, 1, 1_000_000, integer=True)),
        )

    def plan_options(self, protected_addresses: tuple[str, ...]) -> PlanOptions:
        return PlanOptions(
            protected_addresses=protected_addresses,
            siblings=self.siblings,
            sibling_window=timedelta(hours=self.sibling_window_hours),
            min_similarity=self.min_similarity,
            forwards=self.forwards,
            max_forward_depth=self.max_forward_depth,
            message_id_sweep=self.message_id_sweep,
        )


@dataclass(frozen=True, slots=True)
class _Reader:
    table: Mapping[str, Any]
    where: str

    def flag(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise ConfigError(f"remediation.{key} must be true or false{self.where}")
        return value

    def number(
        self, key: str, default: float, low: float, high: float, *, integer: bool = False
    ) -> float:
        value = self.table.get(key, default)
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            kind = "a whole number" if integer else "a number"
            raise ConfigError(f"remediation.{key} must be {kind}{self.where}")
        if not low <= value <= high:
            bounds = f"{int(low)} and {int(high)}" if integer else f"{low:g} and {high:g}"
            raise ConfigError(f"remediation.{key} must be between {bounds}{self.where}")
        return float(value)

    def categories(self) -> tuple[str, ...]:
        value = self.table.get("categories", ["malicious"])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"remediation.categories must be a list of strings{self.where}")
        for category in value:
            if category not in CATEGORIES:
                raise ConfigError(
                    f"remediation.categories: unknown category {category!r} (one of "
                    f"{', '.join(CATEGORIES)}){self.where}"
                )
        return tuple(value)


@dataclass(frozen=True, slots=True)
class AutoApproval:
    approved: bool
    reasons: tuple[str, ...]  # why not (or, when approved, what was checked)


def auto_approval(
    settings: RemediationSettings,
    *,
    category: str,
    confidence: float | None,
    mailboxes: int,
    internal_sender: bool,
    errors: int,
) -> AutoApproval:
    """Whether a fresh plan may run without an analyst, and why (not)."""
    blockers = []
    if not settings.auto_approve:
        blockers.append("auto-approval is off ([remediation] auto_approve)")
    if category not in settings.categories:
        allowed = list(settings.categories)
        blockers.append(f"category {category or 'undecided'!r} is not in {allowed}")
    if confidence is None or confidence < settings.min_confidence:
        blockers.append(f"confidence {confidence} is below {settings.min_confidence}")
    if mailboxes > settings.max_mailboxes:
        blockers.append(f"{mailboxes} mailboxes exceed max_mailboxes {settings.max_mailboxes}")
    if internal_sender and not settings.auto_approve_internal_senders:
        blockers.append("the sender is internal")
    if errors:
        blockers.append(f"{errors} mailbox(es) could not be searched")
    if blockers:
        return AutoApproval(False, tuple(blockers))
    checked = f"{category} at {confidence}, {mailboxes} mailboxes, external sender"
    return AutoApproval(True, (checked,))
