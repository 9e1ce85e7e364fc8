"""The results of `phishloop eval` as one JSON-ready dict (`--json`), the same numbers
as the tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from phishloop.core.evaluate import GroupMetrics, Outcome, Ratio, TargetResult

SCHEMA = "phishloop.eval/1"
RATIOS = (
    "threat_recall", "ham_malicious", "ham_unwanted", "bulk_handled", "bulk_as_bulk",
    "bulk_unwanted", "simulation", "false_simulation", "bec",
)  # fmt: skip


@dataclass(frozen=True)
class EvalResult:
    groups: list[GroupMetrics]  # one per group, then "all"
    targets: list[TargetResult]
    misclassified: list[Outcome]
    files: int
    messages: int
    seconds: float
    jobs: int
    grouped_by: str
    config: str | None
    analysis_ms: float  # summed analysis + verdict time of every message

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else 0.0


def ratio_json(ratio: Ratio) -> dict[str, Any]:
    share = ratio.share
    return {
        "hits": ratio.hits,
        "total": ratio.total,
        "share": None if share is None else round(share, 5),
    }


def group_json(group: GroupMetrics) -> dict[str, Any]:
    return {
        "name": group.name,
        "files": group.files,
        "confusion": group.confusion,
        "correct": {label: ratio_json(r) for label, r in group.correct.items()},
        "category_recall": {c: ratio_json(r) for c, r in group.category_recall.items()},
        **{name: ratio_json(getattr(group, name)) for name in RATIOS},
    }


def target_json(result: TargetResult) -> dict[str, Any]:
    target = result.target
    return {
        "name": target.name,
        "sets": list(target.sets),
        "label": target.label,
        "categories": list(target.categories),
        "files": list(target.files),
        "minimum": target.minimum,
        "maximum": target.maximum,
        "goal": target.goal,
        "measured": ratio_json(result.measured),
        "met": result.met,
        "note": target.note,
        "conditional": target.conditional,
    }


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "path": outcome.path,
        "set": outcome.set,
        "label": outcome.label,
        "verdict": outcome.verdict,
        "reasons": [{"rule": r, "weight": w, "evidence": e} for r, w, e in outcome.reasons],
    }


def result_json(result: EvalResult, *, with_errors: bool) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "files": result.files,
        "messages": result.messages,
        "seconds": round(result.seconds, 3),
        "messages_per_second": round(result.messages_per_second, 1),
        "mean_analysis_ms": round(result.analysis_ms / result.messages, 3)
        if result.messages
        else None,
        "jobs": result.jobs,
        "grouped_by": result.grouped_by,
        "config": result.config,
        "groups": [group_json(g) for g in result.groups],
        "targets": [target_json(t) for t in result.targets],
    }
    if with_errors:
        document["misclassified"] = [outcome_json(o) for o in result.misclassified]
    return document
