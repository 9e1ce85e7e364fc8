"""Where a phrase match can start: the literal heads of a compiled phrase regex.

`re` tries a pattern that opens with an alternation ("(account|mailbox|card) (will|may)
…") at every position of the text. Every match of such a pattern begins with one of a few
literal strings ("account", "mailbox", "card"), and `str.find` finds those far faster; the
regex is then only tried where one occurs. `heads` reads them off the parse tree,
conservatively: a pattern it cannot fully account for gets None and is searched as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _parser as sre_parse  # type: ignore[attr-defined]

from phishloop.core.classify.phrase_prefixes import DIGIT, END, prefixes_of

_LEAD = re.compile(r"\w*")


@dataclass(frozen=True, slots=True, order=True)
class Head:
    """Every match starting with this head begins with `text` (a digit when `text` is
    DIGIT); when `token` is set, the match's first word is exactly `token`."""

    text: str
    token: str | None


def heads(regex: re.Pattern[str]) -> tuple[Head, ...] | None:
    """The heads every match of `regex` starts with, or None when they are not known or
    too short to be worth looking for."""
    if regex.flags & ~re.UNICODE:  # case-insensitive, ASCII-only \w...: not analysed
        return None
    try:
        prefixes = prefixes_of(sre_parse.parse(regex.pattern))
    except Exception:  # `re`'s internals changed: search without heads
        return None
    if prefixes is None:
        return None
    found = {_head(text) for text, _ in prefixes}
    if any(head is None for head in found):
        return None
    return tuple(sorted(head for head in found if head is not None and not _covered(head, found)))


def _covered(head: Head, others: set[Head | None]) -> bool:
    """Another head finds every place `head` can start ("100" covers "100%")."""
    return any(
        other is not None
        and other != head
        and head.text.startswith(other.text)
        and other.token in (None, head.token)
        for other in others
    )


def _head(text: str) -> Head | None:
    complete = END in text
    text = text.split(END, 1)[0]
    if text.startswith(DIGIT):
        return Head(DIGIT, None)
    text = text.split(DIGIT, 1)[0]
    lead = _LEAD.match(text)
    word = lead.group(0) if lead else ""
    token = word if word and (complete or len(word) < len(text)) else None
    if len(text) < 2:
        return None  # a single letter occurs everywhere: not worth looking for
    return Head(text, token)


def worth_it(found_heads: tuple[Head, ...] | None) -> bool:
    """Whether looking for the heads can beat `re`'s own search: not for one literal head
    (`re` skips to a literal prefix quickly itself)."""
    return found_heads is not None and (len(found_heads) > 1 or found_heads[0].text == DIGIT)
