"""Reading label files (`path,label[,source]`) for `phishloop eval`.

Paths are relative to the CSV's folder. A file's *set* is the top folder below the CSV's
folder when that folder has its own labels.csv (so `corpora/all_labels.csv` and
`corpora/phishing_pot/labels.csv` name the same set), else the CSV's folder itself.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from phishloop.core.evaluate import LABELS

LABELS_FILE = "labels.csv"
GROUPINGS = ("set", "folder", "source")


class LabelsError(Exception):
    """A label file or PATH argument that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class LabelledFile:
    path: Path
    label: str
    set: str
    folder: str  # first path component below the CSV's folder
    source: str  # the CSV's `source` column ("" when it has none)

    def group(self, by: str) -> str:
        if by == "folder":
            return self.folder
        if by == "source":  # "owner/repo@commit:path" → "owner/repo"
            return re.split(r"[@=]", self.source, maxsplit=1)[0] or "(no source)"
        return self.set


def read_labels(csv_paths: list[Path]) -> list[LabelledFile]:
    """Every labelled file of these CSVs, once each, in CSV order."""
    files: dict[Path, LabelledFile] = {}
    for csv_path in csv_paths:
        for item in _read_one(csv_path):
            key = item.path.resolve()
            earlier = files.get(key)
            if earlier is not None and earlier.label != item.label:
                raise LabelsError(
                    f"{item.path} is labelled {earlier.label!r} and {item.label!r} "
                    f"(in {csv_path} and an earlier label file)"
                )
            files.setdefault(key, item)
    return list(files.values())


def _read_one(csv_path: Path) -> list[LabelledFile]:
    try:
        with csv_path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise LabelsError(f"label file {csv_path} does not exist") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LabelsError(f"cannot read label file {csv_path}: {exc}") from None
    header = _columns(rows[0]) if rows else None
    columns = header or {"path": 0, "label": 1, "source": 2}
    return [
        _labelled(csv_path, row, columns, line)
        for line, row in enumerate(rows, 1)
        if (line > 1 or header is None) and any(cell.strip() for cell in row)
    ]


def _columns(header: list[str]) -> dict[str, int] | None:
    """Column positions from a header row (None when the first row is data)."""
    names = [cell.strip().lower() for cell in header]
    if "path" not in names or "label" not in names:
        return None
    return {name: names.index(name) for name in ("path", "label", "source") if name in names}


def _labelled(csv_path: Path, row: list[str], columns: dict[str, int], line: int) -> LabelledFile:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    path, label = cell("path"), cell("label").lower()
    if not path or not label:
        raise LabelsError(f"{csv_path}, line {line}: expected path,label[,source]; got {row!r}")
    if label not in LABELS:
        raise LabelsError(
            f"{csv_path}, line {line}: unknown label {label!r}; known: {', '.join(LABELS)}"
        )
    relative = Path(path)
    folder = relative.parts[0] if len(relative.parts) > 1 else "."
    return LabelledFile(
        csv_path.parent / relative,
        label,
        _set_name(csv_path.parent, folder),
        folder,
        cell("source"),
    )


@cache
def _set_name(root: Path, folder: str) -> str:
    if folder != "." and (root / folder / LABELS_FILE).is_file():
        return folder
    return root.resolve().name or str(root)


def restrict(files: list[LabelledFile], arguments: list[str]) -> list[LabelledFile]:
    """The files at or below the PATH arguments (every file when there are none)."""
    if not arguments:
        return files
    roots = set()
    for argument in arguments:
        root = Path(argument)
        if not root.exists():
            raise LabelsError(f"{argument}: no such file or directory")
        roots.add(root.resolve())
    return [f for f in files if _under(f.path.resolve(), roots)]


def _under(path: Path, roots: set[Path]) -> bool:
    return path in roots or any(parent in roots for parent in path.parents)


def default_label_files(arguments: list[str]) -> list[Path]:
    """Without --labels: the labels.csv of each directory argument."""
    found = [Path(a) / LABELS_FILE for a in arguments if (Path(a) / LABELS_FILE).is_file()]
    if not found:
        raise LabelsError("no --labels given and no labels.csv in the PATH directories")
    return found
