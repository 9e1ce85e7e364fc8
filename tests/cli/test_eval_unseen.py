"""`phishloop eval --unseen` keeps only files the model never trained on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phishloop.cli.eval_labels import LabelledFile
from phishloop.cli.eval_unseen import unseen_files
from phishloop.training.split import held_out


@dataclass
class StubModel:
    metadata: dict[str, Any] = field(default_factory=dict)


def _files(tmp_path: Path, set_name: str, count: int) -> list[LabelledFile]:
    files = []
    for number in range(count):
        path = tmp_path / f"{set_name}-{number}.eml"
        path.write_bytes(f"Subject: {set_name} {number}\n\nbody {number}\n".encode())
        files.append(LabelledFile(path=path, label="ham", set=set_name, folder="", source=""))
    return files


def test_trained_sets_keep_only_their_held_out_split(tmp_path: Path) -> None:
    trained = _files(tmp_path, "spamassassin_public", 60)
    other = _files(tmp_path, "phishing_pot", 5)
    model = StubModel(
        {
            "counts": {"spamassassin_public": {"ham": 60}},
            "validation": {"method": "sha256-of-content", "seed": 7, "test_fraction": 0.2},
        }
    )
    kept = unseen_files(trained + other, model)  # type: ignore[arg-type]
    expected = [
        f for f in trained if held_out(hashlib.sha256(f.path.read_bytes()).hexdigest(), 7, 0.2)
    ]
    assert 0 < len(expected) < len(trained)
    assert kept == expected + other


def test_without_metadata_every_file_counts(tmp_path: Path) -> None:
    files = _files(tmp_path, "spamassassin_public", 3)
    assert unseen_files(files, None) == files
    assert unseen_files(files, StubModel()) == files  # type: ignore[arg-type]
