"""`Analysis` → the documented JSON shape (`phishloop.analysis/1`, see docs/analysis-json.md).

The dataclasses mirror the JSON closely; the differences are spelled out here once:
`from_` is written `from`, pair tuples (`properties`, `details`) become objects, and the
JSON keys follow the order of the schema so humans can read the output.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

import orjson

from phishloop.core.model import Analysis

_RENAMED = {"from_": "from"}
_PAIR_FIELDS = frozenset({"properties", "details", "meta", "scores"})
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
    "intel",
    "yara",
    "body",
    "verdict",
    "fingerprint",
    "duration_ms",
)


@cache
def _plan(kind: type) -> tuple[tuple[str, str, bool], ...]:
    """(attribute, JSON key, is a pair tuple) for each field of a dataclass type."""
    return tuple(
        (f.name, _RENAMED.get(f.name, f.name), f.name in _PAIR_FIELDS)
        for f in dataclasses.fields(kind)
    )


def _pairs_to_object(pairs: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """Pairs as an object; a repeated key (details may repeat) joins its values."""
    merged: dict[str, Any] = {}
    for key, value in pairs:
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def to_jsonable(value: Any) -> Any:
    """Convert a core dataclass (or a container of them) to JSON-ready Python values.
    Dispatches on the exact type first: this runs for every field of every analysis."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is tuple or kind is list:
        return [to_jsonable(item) for item in value]
    if kind is float:
        return round(value, 3)
    if not dataclasses.is_dataclass(value):
        raise TypeError(f"cannot serialise {kind.__name__}")
    plan = _plan(kind)  # type: ignore[arg-type]  # dataclass types are hashable
    return {
        key: _pairs_to_object(getattr(value, name)) if pairs else to_jsonable(getattr(value, name))
        for name, key, pairs in plan
    }


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """The JSON object for one analysis, keys in documented order."""
    data = to_jsonable(analysis)
    return {key: data[key] for key in _TOP_LEVEL_ORDER if key in data} | {
        key: data[key] for key in data if key not in _TOP_LEVEL_ORDER
    }


def analysis_to_json(analysis: Analysis, *, indent: bool = False) -> bytes:
    """UTF-8 JSON for one analysis (orjson; lone surrogates, which no parser should let
    through, are replaced rather than failing the output)."""
    option = orjson.OPT_INDENT_2 if indent else 0
    data = analysis_to_dict(analysis)
    try:
        return orjson.dumps(data, option=option)
    except TypeError:
        return orjson.dumps(_scrub(data), option=option)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    return value
