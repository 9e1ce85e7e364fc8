"""The model file: plain JSON numbers and strings, never pickle, so a model file from
anywhere can at worst be wrong, never run code.

    {"format": "phishloop.model/1", "features_version": 1, "intercept": …,
     "calibration": {"a": …, "b": …}, "weights": {"terms": {…}, "subject": {…},
     "structure": {…}}, "metadata": {…}, "checksum": "sha256:…"}

`checksum` is the SHA-256 of the canonical JSON of everything else: a file edited by hand or
damaged in transit is refused with a clear message.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from phishloop.core.classify.learn.features import FEATURES_VERSION, STRUCTURE_NAMES
from phishloop.core.classify.learn.linear import LinearModel
from phishloop.core.errors import PhishloopError

FORMAT = "phishloop.model/1"
MAX_MODEL_BYTES = 64 * 1024 * 1024


class ModelFileError(PhishloopError):
    """The model file is not one phishloop can use; the message says why."""


def _canonical(document: Mapping[str, Any]) -> bytes:
    body = {key: value for key, value in document.items() if key != "checksum"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def dump_model(model: LinearModel) -> bytes:
    """The model as file bytes (sorted keys: the same model always gives the same bytes)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "features_version": FEATURES_VERSION,
        "intercept": model.intercept,
        "calibration": {"a": model.calibration[0], "b": model.calibration[1]},
        "weights": {
            "terms": dict(sorted(model.terms.items())),
            "subject": dict(sorted(model.subject.items())),
            "structure": dict(sorted(model.structure.items())),
        },
        "metadata": dict(model.metadata),
    }
    document["checksum"] = "sha256:" + hashlib.sha256(_canonical(document)).hexdigest()
    return json.dumps(document, sort_keys=True, indent=0, ensure_ascii=False).encode() + b"\n"


def load_model_bytes(data: bytes) -> LinearModel:
    """Parse and check a model file; ModelFileError says what is wrong with it."""
    if len(data) > MAX_MODEL_BYTES:
        raise ModelFileError(f"model file is larger than {MAX_MODEL_BYTES} bytes")
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(f"not a phishloop model file (invalid JSON: {exc})") from None
    if not isinstance(document, dict):
        raise ModelFileError("not a phishloop model file (expected a JSON object)")
    _check_header(document)
    weights = _table(document, "weights")
    calibration = _table(document, "calibration")
    return LinearModel(
        terms=_weights(weights, "terms"),
        subject=_weights(weights, "subject"),
        structure=_structure(_weights(weights, "structure")),
        intercept=_number(document.get("intercept"), "intercept"),
        calibration=(_number(calibration.get("a"), "a"), _number(calibration.get("b"), "b")),
        metadata=_table(document, "metadata"),
    )


def _check_header(document: dict[str, Any]) -> None:
    kind = document.get("format")
    if kind != FORMAT:
        raise ModelFileError(f"unsupported model format {kind!r} (this phishloop reads {FORMAT})")
    version = document.get("features_version")
    if version != FEATURES_VERSION:
        raise ModelFileError(
            f"model was trained on features version {version!r}; this phishloop computes "
            f"version {FEATURES_VERSION}: retrain it with `phishloop train`"
        )
    expected = "sha256:" + hashlib.sha256(_canonical(document)).hexdigest()
    if document.get("checksum") != expected:
        raise ModelFileError("model file checksum mismatch: the file was modified or damaged")


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a valid weight")


def _table(document: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = document.get(key)
    if not isinstance(value, dict):
        raise ModelFileError(f"model file: {key!r} must be an object")
    return value


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ModelFileError(f"model file: {name!r} must be a finite number")
    return float(value)


def _weights(table: Mapping[str, Any], key: str) -> dict[str, float]:
    return {
        str(name): _number(value, f"{key}.{name}") for name, value in _table(table, key).items()
    }


def _structure(weights: dict[str, float]) -> dict[str, float]:
    unknown = sorted(set(weights) - set(STRUCTURE_NAMES))
    if unknown:
        raise ModelFileError(f"model file: unknown structural features {', '.join(unknown)}")
    return weights
