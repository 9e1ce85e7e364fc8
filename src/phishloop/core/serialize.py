"""`Analysis` → the documented JSON shape (`phishloop.analysis/1`, see docs/analysis-json.md).

The dataclasses mirror the JSON closely; the differences are spelled out here once:
`from_` is written `from`, pair tuples (`properties`, `details`) become objects, and the
JSON keys follow the order of the schema so humans can read the output.

`analysis_to_json` leaves to orjson, which writes dataclasses in C, the values whose JSON
it writes exactly as `to_jsonable` would (no renamed or pair fields, floats already
rounded: `serialize_plain`): most of an analysis is headers, hops, URLs and indicators.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any

import orjson

from phishloop.core.model import Analysis
from phishloop.core.serialize_plain import PAIR_FIELDS, RENAMED, float_fields, rounded

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
        (f.name, RENAMED.get(f.name, f.name), f.name in PAIR_FIELDS)
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


def _for_orjson(value: Any) -> Any:
    """`to_jsonable`, leaving to orjson what it writes the same way itself: plain values,
    tuples of them, and dataclasses whose fields are such values (`float_fields`)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is tuple or kind is list:
        kinds = set(map(type, value))
        if len(kinds) == 1 and float_fields(kinds.pop()) == ():
            return value  # all of one plain kind (headers, indicators, strings...)
        return [_for_orjson(item) for item in value]
    if kind is float:
        return round(value, 3)
    if not dataclasses.is_dataclass(value):
        raise TypeError(f"cannot serialise {kind.__name__}")
    floats = float_fields(kind)  # type: ignore[arg-type]  # dataclass types are hashable
    if floats is not None and all(rounded(getattr(value, name)) for name in floats):
        return value
    plan = _plan(kind)  # type: ignore[arg-type]  # dataclass types are hashable
    return {
        key: _pairs_to_object(getattr(value, name)) if pairs else _for_orjson(getattr(value, name))
        for name, key, pairs in plan
    }


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in _TOP_LEVEL_ORDER if key in data} | {
        key: data[key] for key in data if key not in _TOP_LEVEL_ORDER
    }


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """The JSON object for one analysis, keys in documented order."""
    return _ordered(to_jsonable(analysis))


def analysis_to_json(analysis: Analysis, *, indent: bool = False) -> bytes:
    """UTF-8 JSON for one analysis (orjson; lone surrogates, which no parser should let
    through, are replaced rather than failing the output)."""
    option = orjson.OPT_INDENT_2 if indent else 0
    try:
        return orjson.dumps(_ordered(_for_orjson(analysis)), option=option)
    except TypeError:
        return orjson.dumps(_scrub(analysis_to_dict(analysis)), option=option)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    return value
