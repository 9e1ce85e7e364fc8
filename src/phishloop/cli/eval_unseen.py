"""`phishloop eval --unseen`: measure only on files the model never trained on.

A model file made by `phishloop train` records the labelled sets it learnt from and how it
split them (`metadata.counts`, `metadata.validation`: a content-hash split). A file of one
of those sets counts as unseen only when the split held it out; files of other sets (for the
shipped model: phishing_pot, office_attachments, msg_files, modern_fixtures) always are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from phishloop.cli.eval_labels import LabelledFile
from phishloop.core.classify.opinion import MessageModel
from phishloop.training.split import held_out


def unseen_files(files: list[LabelledFile], model: MessageModel | None) -> list[LabelledFile]:
    """The files `model` never trained on (all of them without a model or metadata)."""
    return [f for f in files if is_unseen(f.path, f.set, model)]


def is_unseen(path: Path, set_name: str, model: MessageModel | None) -> bool:
    """True when `model` did not train on the file at `path` from labelled set `set_name`."""
    metadata: Mapping[str, Any] = getattr(model, "metadata", {}) or {}
    validation = metadata.get("validation", {})
    if set_name not in metadata.get("counts", {}):
        return True
    if validation.get("method") != "sha256-of-content":
        return False  # trained on the set, split unknown: assume seen
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return held_out(digest, int(validation["seed"]), float(validation["test_fraction"]))
