"""Examples → the sparse matrix scikit-learn fits, laid out exactly as the core's
`LinearModel.score` reads it: text columns scaled by 1/√(number of text features of the
message), then the structural values."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped,unused-ignore]

from phishloop.core.classify.learn.features import STRUCTURE_NAMES, MessageFeatures

SUBJECT_PREFIX = "\x00s:"  # keep subject words and structural names apart from body terms
STRUCTURE_PREFIX = "\x00x:"


@dataclass(frozen=True)
class Vocabulary:
    terms: tuple[str, ...]
    subject: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        subject = (SUBJECT_PREFIX + w for w in self.subject)
        return [*self.terms, *subject, *(STRUCTURE_PREFIX + n for n in STRUCTURE_NAMES)]

    @property
    def index(self) -> dict[str, int]:
        return {name: number for number, name in enumerate(self.columns)}


def build_vocabulary(
    features: Sequence[MessageFeatures], min_df: int, max_terms: int
) -> Vocabulary:
    """Terms seen in at least `min_df` training messages, the `max_terms` most frequent."""
    terms: Counter[str] = Counter()
    subject: Counter[str] = Counter()
    for item in features:
        terms.update(item.terms)
        subject.update(item.subject)

    def frequent(counts: Counter[str], limit: int) -> tuple[str, ...]:
        kept = sorted((t for t, n in counts.items() if n >= min_df), key=lambda t: (-counts[t], t))
        return tuple(sorted(kept[:limit]))

    return Vocabulary(frequent(terms, max_terms), frequent(subject, max_terms // 4))


def to_matrix(features: Sequence[MessageFeatures], vocabulary: Vocabulary) -> sp.csr_matrix:
    index = vocabulary.index
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for row, item in enumerate(features):
        scale = 1.0 / math.sqrt(item.text_count) if item.text_count else 0.0
        names = [*item.terms, *(SUBJECT_PREFIX + w for w in item.subject)]
        for column in (index[n] for n in names if n in index):
            rows.append(row)
            cols.append(column)
            values.append(scale)
        for name, value in item.structure:
            rows.append(row)
            cols.append(index[STRUCTURE_PREFIX + name])
            values.append(value)
    shape = (len(features), len(index))
    return sp.csr_matrix((np.array(values), (rows, cols)), shape=shape, dtype=np.float64)
