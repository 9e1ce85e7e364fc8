"""Training settings (no scikit-learn import, so the CLI can build them without it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Settings:
    seed: int = 0
    regularisation: float = 1.0  # scikit-learn's C
    min_df: int = 3  # a term must occur in this many training messages
    max_terms: int = 40_000  # the most frequent terms kept (subject words: a quarter)
    calibration_folds: int = 5
    # Sample weight per data set (default 1): lets a small set of the mail the model is for
    # (modern business mail) count against a large old corpus.
    group_weights: Mapping[str, float] = field(default_factory=dict)

    def weight_of(self, group: str) -> float:
        return self.group_weights.get(group, 1.0)
