"""Which core dataclasses orjson can write as they are, with the JSON of
`serialize.to_jsonable`: no renamed field, no pair tuple written as an object, and only
str, int, bool, None, str literals, tuples of those and such dataclasses, plus floats that
are already rounded to 3 places (checked per value: `rounded`)."""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, Literal, Union

RENAMED = {"from_": "from"}
PAIR_FIELDS = frozenset({"properties", "details", "meta", "scores"})


def rounded(number: float | None) -> bool:
    """True when `to_jsonable` would write `number` unchanged."""
    return number is None or round(number, 3) == number


_PLAIN_VALUE_TYPES = (str, int, bool, type(None))
_checking: set[type] = set()  # dataclasses being classified


@cache
def float_fields(kind: type) -> tuple[str, ...] | None:
    """For a type whose instances orjson writes exactly as `to_jsonable` would, except
    that floats are not rounded: the names of its float fields (() for none). None for any
    other type: renamed or pair fields, or fields typed other than str, int, bool, None,
    str literals, floats, tuples of plain values and plain dataclasses."""
    if kind in _PLAIN_VALUE_TYPES:
        return ()
    if not dataclasses.is_dataclass(kind):
        return None
    fields = dataclasses.fields(kind)
    if any(f.name in RENAMED or f.name in PAIR_FIELDS for f in fields):
        return None
    _checking.add(kind)
    try:
        hints = typing.get_type_hints(kind)
        floats = tuple(f.name for f in fields if _is_float_type(hints[f.name]))
        others = [hints[f.name] for f in fields if f.name not in floats]
        return floats if all(_is_plain_type(hint) for hint in others) else None
    finally:
        _checking.discard(kind)


def _is_float_type(hint: Any) -> bool:
    return hint is float or (
        typing.get_origin(hint) in (Union, types.UnionType)
        and set(typing.get_args(hint)) == {float, type(None)}
    )


def _is_plain_type(hint: Any) -> bool:
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if hint in _PLAIN_VALUE_TYPES:
        return True
    if origin is Literal:
        return all(isinstance(argument, str) for argument in arguments)
    if origin is Union or origin is types.UnionType:
        return all(_is_plain_type(argument) for argument in arguments)
    if origin is tuple:
        return len(arguments) == 2 and arguments[1] is Ellipsis and _is_plain_type(arguments[0])
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        # A type that contains itself is not written as is: its nested floats go unchecked.
        return hint not in _checking and float_fields(hint) == ()
    return False
