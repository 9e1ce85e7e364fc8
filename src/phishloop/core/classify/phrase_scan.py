"""Finding a phrase's matches in a text: with its heads (see `phrase_heads`) where it has
them, with a plain regex scan where it has not. Both give exactly the matches of
`whole_word_matches`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from phishloop.core.classify.phrase_heads import Head
from phishloop.core.classify.phrase_prefixes import DIGIT

MIN_WORK = 24  # occurrences looked at before the heads count as everywhere
# A digit that starts a word: the character class first lets `re` skip to digits quickly.
_WORD_START_DIGIT = re.compile(r"\d(?<!\w\d)")


def head_matches(
    regex: re.Pattern[str], found_heads: tuple[Head, ...], text: str, words: frozenset[str]
) -> Iterator[str]:
    """The matches `whole_word_matches` gives, but trying the regex only where one of its
    heads starts a word. Heads whose first word is not in `words` cannot occur."""
    starts = _starts(found_heads, text, words, max(MIN_WORK, len(text) >> 6))
    if starts is None:  # the heads are everywhere: let `re` scan
        yield from whole_word_matches(regex, text)
        return
    position = 0  # matches may not start before this (they do not overlap)
    for start in sorted(starts):
        if start >= position and (match := regex.match(text, start)) is not None:
            yield match.group(0)
            position = max(match.end(), start + 1)


def _starts(
    found_heads: tuple[Head, ...], text: str, words: frozenset[str], work: int
) -> set[int] | None:
    """Where a head starts a word (and its first word is whole), or None when more than
    `work` occurrences have to be looked at."""
    starts: set[int] = set()
    end = len(text)
    for head in found_heads:
        token = head.token
        if head.text == DIGIT:
            found = digit_starts(text)
            work -= len(found)
            starts.update(found)
        elif token is None or token in words:
            size = len(token) if token is not None else 0
            at = text.find(head.text)
            while at >= 0:
                work -= 1
                if (not at or not _is_word_char(text[at - 1])) and (
                    not size or at + size >= end or not _is_word_char(text[at + size])
                ):
                    starts.add(at)
                at = text.find(head.text, at + 1)
                if work < 0:
                    return None
        if work < 0:
            return None
    return starts


# The last text asked about and its digit starts: every phrase set of a message asks about
# the same text. (One slot, replaced whole: safe to share between threads.)
_last_digits: list[tuple[str, list[int]]] = [("", [])]


def digit_starts(text: str) -> list[int]:
    """Where a word of `text` starts with a digit."""
    last_text, found = _last_digits[0]
    if last_text is not text:
        found = [match.start() for match in _WORD_START_DIGIT.finditer(text)]
        _last_digits[0] = (text, found)
    return found


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def whole_word_matches(regex: re.Pattern[str], text: str, position: int = 0) -> Iterator[str]:
    """Matches of `regex` from `position` that start at a word boundary. The boundary is
    checked here, not in the regex, so that `re` can still skip ahead to the pattern's
    literal prefix."""
    while (match := regex.search(text, position)) is not None:
        start = match.start()
        if start and _is_word_char(text[start - 1]):
            position = start + 1
            continue
        yield match.group(0)
        position = max(match.end(), start + 1)
