"""Held-out quality per data set: precision, recall and false-positive rate at P ≥ 0.5, and
the ROC AUC where a set has both classes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped,unused-ignore]

THRESHOLD = 0.5


@dataclass(frozen=True)
class Quality:
    group: str
    messages: int
    unwanted: int
    flagged: int  # P >= 0.5
    recall: float | None  # flagged unwanted / unwanted
    false_positive_rate: float | None  # flagged wanted / wanted
    precision: float | None
    auc: float | None

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def quality(group: str, targets: Sequence[int], probabilities: Sequence[float]) -> Quality:
    flagged = [p >= THRESHOLD for p in probabilities]
    unwanted = sum(targets)
    wanted = len(targets) - unwanted
    hits = sum(1 for t, f in zip(targets, flagged, strict=True) if t and f)
    false = sum(1 for t, f in zip(targets, flagged, strict=True) if not t and f)
    both = 0 < unwanted < len(targets)
    return Quality(
        group=group,
        messages=len(targets),
        unwanted=unwanted,
        flagged=sum(flagged),
        recall=hits / unwanted if unwanted else None,
        false_positive_rate=false / wanted if wanted else None,
        precision=hits / sum(flagged) if sum(flagged) else None,
        auc=float(roc_auc_score(targets, probabilities)) if both else None,
    )


def by_group(
    groups: Sequence[str], targets: Sequence[int], probabilities: Sequence[float]
) -> list[Quality]:
    """One row per data set, then "all"."""
    split: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    for group, target, probability in zip(groups, targets, probabilities, strict=True):
        split[group][0].append(target)
        split[group][1].append(probability)
    rows = [quality(g, t, p) for g, (t, p) in sorted(split.items())]
    if len(split) > 1:
        rows.append(quality("all", list(targets), list(probabilities)))
    return rows
