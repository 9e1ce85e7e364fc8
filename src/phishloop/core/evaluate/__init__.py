"""Measuring verdicts against labelled mail: per-label confusion matrices, threat recall,
false positives on ham, bulk handling, and the quality targets of the verdict engine.

Pure: callers run the analyses and hand in one `Outcome` per labelled file.
"""

from phishloop.core.evaluate.metrics import GroupMetrics, Ratio, summarise
from phishloop.core.evaluate.outcome import ACCEPTED, COLUMNS, LABELS, NO_VERDICT, Outcome
from phishloop.core.evaluate.targets import ISSUE_TARGETS, Target, TargetResult, check_targets

__all__ = [
    "ACCEPTED",
    "COLUMNS",
    "ISSUE_TARGETS",
    "LABELS",
    "NO_VERDICT",
    "GroupMetrics",
    "Outcome",
    "Ratio",
    "Target",
    "TargetResult",
    "check_targets",
    "summarise",
]
