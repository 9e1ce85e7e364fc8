"""Anchor words of a lexicon pattern: sets of words such that every match contains a word
of each set as a whole word. A phrase set only runs the regexes whose anchor sets all meet
the message's word set — most of a long phrase list is skipped with set look-ups instead
of regex scans.

Works on the lexicon dialect (see `phrases`) before expansion; what it cannot analyse
adds no anchors (in the worst case the pattern is always run), so no match is lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A token that stands for a few whole words: letters, digits, [classes], single-unit "?".
_TOKEN = re.compile(r"(?:(?:[a-z0-9]|\[[a-z0-9]+\])\??)+")
_UNIT = re.compile(r"([a-z0-9]|\[[a-z0-9]+\])(\??)")
_MAX_VARIANTS = 32
_SOFT = "\x00"  # stands for " ?" (an optional separator: not a word boundary)
_QUANTIFIERS = "?*{"
# Words so frequent that they gate almost nothing (English, German, French, Spanish,
# Portuguese, Italian, Dutch function words); words of three letters or less count too.
_COMMON_WORDS = (
    "your have been will would that this with from what when which there their they "
    "ihre ihr ihren sind wird wurde werden haben eine einen nicht oder dich dein deine "
    "vous votre etre sont dans pour avec cette "
    "esta este sido para como usted "
    "voce seus suas sera foram pelo pela "
    "sono della stato essere "
    "niet wordt zijn heeft voor deze"
)
_COMMON = frozenset(_COMMON_WORDS.split())

Words = frozenset[str]
Gate = tuple[Words, ...]  # every set must meet the text's words; () lets every text through


def gate(pattern: str) -> Gate:
    """The anchor-word sets of one dialect pattern, rarest first."""
    pattern = pattern.replace(" ?", _SOFT)
    if len(_split_top(pattern)) > 1:
        union = _alternatives(pattern, left=True, right=True)
        return (union,) if union else ()
    return tuple(sorted(_sequence(pattern, left=True, right=True), key=_rank))


def _alternatives(pattern: str, left: bool, right: bool) -> Words | None:
    """One set that every branch meets (the union of each branch's best), or None."""
    best = [
        min(_sequence(branch, left, right), key=_rank, default=None)
        for branch in _split_top(pattern)
    ]
    if any(words is None for words in best):
        return None
    return frozenset().union(*(words for words in best if words is not None))


def _split_top(pattern: str) -> list[str]:
    """`pattern` split at its top-level `|`."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(pattern):
        depth += (char == "(") - (char == ")")
        if char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    return [*parts, pattern[start:]]


def _sequence(pattern: str, left: bool, right: bool) -> list[Words]:
    """The anchor sets of the required elements of a sequence (any may be used)."""
    candidates: list[Words] = []
    hard = left  # does the text before the current element end at a word boundary?
    for element in _elements(pattern):
        if element.quantifier == "?":  # optional: a boundary survives if both sides have one
            hard = hard and element.text.endswith(" ")
            continue
        if element.quantifier:
            break  # repeated groups are not followed
        at_end = element.end == len(pattern) and right
        if element.group:
            after = pattern[element.end : element.end + 1]
            found = _group(element.text, hard, after == " " or at_end)
            candidates.extend([found] if found else [])
            hard = False
        else:
            candidates.extend(_run(element.text, hard, at_end))
            hard = element.text.endswith(" ")
    return candidates


@dataclass(frozen=True, slots=True)
class _Element:
    text: str  # a literal stretch, or a group's inside
    group: bool
    end: int  # index after the element (and its quantifier)
    quantifier: str = ""


def _elements(pattern: str) -> Iterator[_Element]:
    """Literal stretches and parenthesised groups of a sequence, left to right."""
    index = 0
    while index < len(pattern):
        if pattern[index] != "(":
            end = pattern.find("(", index)
            end = len(pattern) if end < 0 else end
            yield _Element(pattern[index:end], group=False, end=end)
            index = end
            continue
        close = _closing(pattern, index)
        if close is None:
            return
        quantifier = pattern[close + 1 : close + 2]
        quantifier = quantifier if quantifier and quantifier in _QUANTIFIERS else ""
        end = close + 1 + len(quantifier)
        yield _Element(pattern[index + 1 : close], group=True, end=end, quantifier=quantifier)
        index = end


def _rank(words: Words) -> tuple[bool, int, int]:
    """Rare words gate best: no short or very common word, few words, long words."""
    common = any(len(word) <= 3 or word in _COMMON for word in words)
    return common, len(words), -min(map(len, words))


def _group(inner: str, left: bool, right: bool) -> Words | None:
    if inner.startswith("?"):  # lookaround or non-capturing syntax: not analysed
        return None
    return _alternatives(inner, left, right)


def _run(run: str, left: bool, right: bool) -> list[Words]:
    """Whole words of a literal stretch: tokens with a hard boundary on both sides."""
    tokens = run.split(" ")
    found = []
    for position, token in enumerate(tokens):
        if (position > 0 or left) and (position < len(tokens) - 1 or right):
            words = _spellings(token)
            if words:
                found.append(words)
    return found


def _spellings(token: str) -> Words | None:
    """The words a token like "suspens[oa]s?" stands for, or None if it is not that simple."""
    if not _TOKEN.fullmatch(token):
        return None
    words = [""]
    for unit, optional in _UNIT.findall(token):
        letters = unit.strip("[]")
        choices = [*letters, ""] if optional else list(letters)
        words = [word + letter for word in words for letter in choices]
        if len(words) > _MAX_VARIANTS:
            return None
    return None if "" in words else frozenset(words)


def _closing(pattern: str, start: int) -> int | None:
    depth = 0
    for index in range(start, len(pattern)):
        depth += (pattern[index] == "(") - (pattern[index] == ")")
        if depth == 0:
            return index
    return None
