"""`Analysis` → the documented JSON shape (`phishloop.analysis/1`, see docs/analysis-json.md).

The dataclasses mirror the JSON closely; the differences are spelled out here once:
`from_` is written `from`, pair tuples (`properties`, `details`) become objects, and the
JSON keys follow the order of the schema so humans can read the output.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from typing import Any

from phishloop.core.model import Analysis

_RENAMED = {"from_": "from"}
_PAIR_FIELDS = frozenset({"properties", "details"})
_TOP_LEVEL_ORDER = (
    "schema",
    "source",
    "errors",
    "report",
    "message",
    "headers",
    "received",
    "authentication",
    "urls",
    "attachments",
    "indicators",
    "body",
    "verdict",
    "fingerprint",
    "duration_ms",
)


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def _pairs_to_object(pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for key, value in pairs:
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def to_jsonable(value: Any) -> Any:
    """Convert a core dataclass (or a container of them) to JSON-ready Python values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for name in _field_names(type(value)):
            item = getattr(value, name)
            key = _RENAMED.get(name, name)
            out[key] = _pairs_to_object(item) if name in _PAIR_FIELDS else to_jsonable(item)
        return out
    if isinstance(value, tuple | list):
        return [to_jsonable(item) for item in value]
    if isinstance(value, float):
        return round(value, 3)
    return value


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """The JSON object for one analysis, keys in documented order."""
    data = to_jsonable(analysis)
    return {key: data[key] for key in _TOP_LEVEL_ORDER if key in data} | {
        key: data[key] for key in data if key not in _TOP_LEVEL_ORDER
    }


def analysis_to_json(analysis: Analysis, *, indent: int | None = None) -> str:
    return json.dumps(analysis_to_dict(analysis), ensure_ascii=False, indent=indent)
