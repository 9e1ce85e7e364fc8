"""Matching display names against the organisation's VIPs, tolerant of case, accents,
look-alike letters, "Last, First" order, roles in brackets and one-letter typos."""

from __future__ import annotations

import re
from functools import lru_cache

from phishloop.core.classify.editdistance import osa_distance
from phishloop.core.classify.homoglyphs import skeleton

_BRACKETS = re.compile(r"[(\[{<][^)\]}>]{0,80}[)\]}>]")
_NOT_NAME = re.compile(r"[^a-z\s]+")
_ROLES = re.compile(
    r"\b(ceo|cfo|coo|cto|cio|ciso|president|chairman|chair|director|founder|owner|vp|"
    r"md|managing|executive|office of|dr|mr|mrs|ms|prof|jr|sr)\b"
)


def name_tokens(name: str) -> tuple[str, ...]:
    """The words of a person's name in comparison form, sorted (order-insensitive)."""
    text = _BRACKETS.sub(" ", skeleton(name[:200]))
    text = _ROLES.sub(" ", _NOT_NAME.sub(" ", text))
    return tuple(sorted(token for token in text.split() if len(token) > 1))


@lru_cache(maxsize=64)
def _vip_forms(vips: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((vip, tokens) for vip in vips if len(tokens := name_tokens(vip)) >= 2)


def matching_vip(display_name: str, vips: tuple[str, ...]) -> str | None:
    """The configured VIP the display name names (all of the VIP's name words present,
    each exactly or with one typo for words of 5+ letters), or None."""
    shown = name_tokens(display_name)
    if len(shown) < 2 or len(shown) > 6:
        return None
    for vip, tokens in _vip_forms(vips):
        if all(_has_word(shown, token) for token in tokens):
            return vip
    return None


def _has_word(shown: tuple[str, ...], word: str) -> bool:
    if word in shown:
        return True
    return len(word) >= 5 and any(osa_distance(word, s, 1) <= 1 for s in shown)
