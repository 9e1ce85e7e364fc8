"""Labels CSV files (`path,label[,source]`, the corpora's format) and what each label means
for the model: unwanted (1), wanted (0) or not used."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

UNWANTED = frozenset({"phish", "malware", "bec", "spam", "scam", "extortion"})
WANTED = frozenset({"ham", "bulk"})
SKIPPED = frozenset({"simulation", "malformed"})
# Sets whose licence forbids shipping a model trained on them (CC BY-NC 4.0).
NONCOMMERCIAL_SETS = frozenset({"phishing_pot"})


class LabelsError(ValueError):
    """A labels file cannot be used; the message names the file and the row."""


@dataclass(frozen=True, slots=True)
class LabelledFile:
    path: Path
    label: str
    target: int  # 1 = unwanted, 0 = wanted
    group: str  # the data set, for per-source figures and exclusions
    source: str = ""

    @property
    def noncommercial(self) -> bool:
        return self.group in NONCOMMERCIAL_SETS or any(
            name in self.source or name in self.path.parts for name in NONCOMMERCIAL_SETS
        )


@dataclass
class LabelsRead:
    files: list[LabelledFile]
    skipped: dict[str, int]  # label -> rows not used (simulation, malformed, unknown)


def read_labels(csv_paths: Iterable[Path], root: Path | None = None) -> LabelsRead:
    """Every usable row of every CSV; paths are relative to the CSV's folder unless `root`."""
    files: list[LabelledFile] = []
    skipped: dict[str, int] = {}
    for csv_path in csv_paths:
        base = root if root is not None else csv_path.parent
        for line, row in _rows(csv_path):
            label = row["label"].strip().lower()
            if label not in UNWANTED | WANTED:
                skipped[label] = skipped.get(label, 0) + 1
                continue
            relative = Path(row["path"].strip())
            if relative.is_absolute() or ".." in relative.parts:
                raise LabelsError(f"{csv_path}:{line}: path must be relative: {relative}")
            group = _group(csv_path, base, relative)
            target = int(label in UNWANTED)
            files.append(
                LabelledFile(base / relative, label, target, group, row.get("source") or "")
            )
    return LabelsRead(files, skipped)


def _rows(csv_path: Path) -> Iterable[tuple[int, dict[str, str]]]:
    try:
        with csv_path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"path", "label"} <= set(reader.fieldnames):
                raise LabelsError(f"{csv_path}: expected a header row with path,label[,source]")
            yield from ((number + 2, row) for number, row in enumerate(reader))
    except OSError as exc:
        raise LabelsError(f"{csv_path}: cannot read: {exc.strerror}") from None


def _group(csv_path: Path, base: Path, relative: Path) -> str:
    """The data set a row belongs to: the first folder of its path when that folder has its
    own labels.csv (a union file such as all_labels.csv), else the CSV's folder name."""
    first = relative.parts[0] if len(relative.parts) > 1 else ""
    if first and (base / first / "labels.csv").is_file():
        return first
    return csv_path.resolve().parent.name
