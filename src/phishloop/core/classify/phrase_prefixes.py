"""The literal prefixes of a parsed regex (`re`'s own parse tree): a set of strings one of
which every match starts with. Read conservatively: an element it does not know ends the
prefixes there, and the strings read so far stay true."""

from __future__ import annotations

from collections.abc import Callable
from re import _constants as sre  # type: ignore[attr-defined]
from typing import Any

MAX_HEADS = 64
MAX_HEAD_CHARS = 24
DIGIT = "\x01"  # stands for any decimal digit (`\d`) in a prefix
END = "\x00"  # a non-word character (or the end of the text) follows here
_NOT_WORD = [(sre.CATEGORY, sre.CATEGORY_NOT_WORD)]
_WORD = [(sre.CATEGORY, sre.CATEGORY_WORD)]
_DIGITS = [(sre.CATEGORY, sre.CATEGORY_DIGIT)]

Prefixes = set[tuple[str, bool]]  # (literal text, whether the element may continue it)


def prefixes_of(parsed: Any) -> Prefixes | None:
    """The prefixes of a pattern parsed by `re._parser.parse`, or None (too many)."""
    return _sequence(parsed.data)


def _sequence(items: list[tuple[Any, Any]]) -> Prefixes | None:
    """The prefixes of a sequence; "open" ones reached its end and may be continued."""
    found: Prefixes = {("", True)}
    for op, av in items:
        open_texts = [text for text, is_open in found if is_open]
        if not open_texts:
            break
        element = _element(op, av)
        grown = {(text, False) for text, is_open in found if not is_open}
        if element is None:  # unknown: what was read so far is all we know
            grown.update((text, False) for text in open_texts)
        else:
            for text in open_texts:
                for part, is_open in element:
                    joined = text + part
                    stop = len(joined) >= MAX_HEAD_CHARS or END in part or DIGIT in part
                    grown.add((joined, is_open and not stop))
        if len(grown) > MAX_HEADS:
            return None
        found = grown
    return found


def _element(op: Any, av: Any) -> Prefixes | None:
    """The prefixes of one parse-tree element; None when unknown (it ends the heads)."""
    read = _READERS.get(op)
    return read(av) if read is not None else None


def _literal(av: int) -> Prefixes:
    return {(chr(av), True)}


def _group(av: tuple[Any, int, int, Any]) -> Prefixes | None:
    _number, add_flags, del_flags, inner = av
    return None if add_flags or del_flags else _sequence(inner.data)


def _lookahead_not(av: tuple[int, Any]) -> Prefixes:
    if av[0] == 1 and _is_set(av[1].data, _WORD):
        return {(END, False)}  # (?!\w): the word ends here
    return _zero_width(av)


def _zero_width(_av: object) -> Prefixes:
    return {("", True)}  # an assertion: skipping a constraint is safe


def _branch(alternatives: list[Any]) -> Prefixes | None:
    found: Prefixes = set()
    for alternative in alternatives:
        prefixes = _sequence(alternative.data)
        if prefixes is None:
            return None
        found |= prefixes
    return found


def _repeat(low: int, high: int, item: Any) -> Prefixes | None:
    inner = _sequence(item.data)
    if inner is None:
        return None
    if low == high == 1:
        return inner
    closed = {(text, False) for text, _ in inner}
    if low == 0:
        return (inner if high == 1 else closed) | {("", True)}
    return closed


def _charset(items: list[tuple[Any, Any]]) -> Prefixes | None:
    if items == _NOT_WORD:
        return {(END, False)}
    if items == _DIGITS:
        return {(DIGIT, False)}
    if len(items) > 4 or any(op is not sre.LITERAL for op, _ in items):
        return None
    return {(chr(av), True) for _, av in items}


_READERS: dict[Any, Callable[[Any], Prefixes | None]] = {
    sre.LITERAL: _literal,
    sre.SUBPATTERN: _group,
    sre.BRANCH: lambda av: _branch(av[1]),
    sre.MAX_REPEAT: lambda av: _repeat(*av),
    sre.MIN_REPEAT: lambda av: _repeat(*av),
    sre.IN: _charset,
    sre.ASSERT_NOT: _lookahead_not,
    sre.ASSERT: _zero_width,
    sre.AT: _zero_width,
}


def _is_set(items: list[tuple[Any, Any]], members: list[tuple[Any, Any]]) -> bool:
    return len(items) == 1 and items[0][0] is sre.IN and items[0][1] == members
