"""Labelled files → analysed examples: each file is analysed by the core exactly as
`phishloop analyze` would (without a verdict) and reduced to the model's features."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from phishloop.core.classify.learn.features import MessageFeatures, extract
from phishloop.core.config import DEFAULT_CONFIG, AnalysisConfig
from phishloop.core.pipeline import analyze
from phishloop.training.labels import LabelledFile

MAX_FILE_BYTES = 64 * 1024 * 1024

Progress = Callable[[Sequence[LabelledFile]], Iterable[LabelledFile]]


@dataclass(frozen=True, slots=True)
class Example:
    features: MessageFeatures
    target: int
    label: str
    group: str
    sha256: str  # of the file's bytes: decides the train/test side
    path: str


@dataclass
class Dataset:
    examples: list[Example]
    unreadable: list[str]  # "path: reason"


def load_dataset(
    files: Sequence[LabelledFile],
    config: AnalysisConfig = DEFAULT_CONFIG,
    progress: Progress = lambda items: items,
) -> Dataset:
    """Analyse every file (a report or mbox may yield several originals: all get the file's
    label); files that cannot be read are listed, not fatal."""
    examples: list[Example] = []
    unreadable: list[str] = []
    for item in progress(files):
        try:
            data = _read(item)
        except OSError as exc:
            unreadable.append(f"{item.path}: {exc.strerror or exc}")
            continue
        examples.extend(_examples(item, data, config))
    return Dataset(examples, unreadable)


def _read(item: LabelledFile) -> bytes:
    with item.path.open("rb") as handle:
        return handle.read(MAX_FILE_BYTES)


def _examples(item: LabelledFile, data: bytes, config: AnalysisConfig) -> Iterator[Example]:
    digest = hashlib.sha256(data).hexdigest()
    for analysis in analyze(data, path=str(item.path), config=config, verdict=False):
        yield Example(
            extract(analysis), item.target, item.label, item.group, digest, str(item.path)
        )
