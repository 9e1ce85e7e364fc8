"""Values the content rules share, computed once per message: the normalised subject and
body, phrase look-ups, and whether the message carries links.

Each value is kept with `Facts.memo`, so it lives exactly as long as the message's facts.
"""

from __future__ import annotations

from functools import cache

from phishloop.core.classify.facts import MAX_RULE_TEXT, Facts
from phishloop.core.classify.phrases import anchor_words, lexicon, phrases
from phishloop.core.classify.textnorm import Normalized, normalize, normalize_tracked
from phishloop.core.classify.textwords import vocabulary_words
from phishloop.core.classify.types import Check, Finding
from phishloop.core.model import UrlRecord

_WEB_SCHEMES = ("http://", "https://", "hxxp://", "hxxps://")


def subject(facts: Facts) -> str:
    """The normalised subject (see `textnorm.normalize`)."""
    return facts.memo("content:subject", lambda f: normalize(f.subject))


def body(facts: Facts) -> str:
    """The normalised body text, bounded like `Facts.text`."""
    return _body(facts).text


def body_disguised(facts: Facts) -> bool:
    """Whether the body used look-alike letters or invisible characters."""
    return _body(facts).disguised


def _body(facts: Facts) -> Normalized:
    return facts.memo("content:body", _normalized_body)


def _normalized_body(facts: Facts) -> Normalized:
    raw = facts.analysis.body.text[:MAX_RULE_TEXT]
    if raw.isascii() and "&" not in raw:  # then normalising is lower-casing and folding,
        return Normalized(facts.text, False)  # which `Facts.text` has done already
    return normalize_tracked(raw)


def text(facts: Facts) -> str:
    """Normalised subject and body, the subject first."""
    return facts.memo("content:text", lambda f: f"{subject(f)} | {body(f)}")


LEXICONS = ("language", "bec", "extortion", "scam", "spam", "qr")


def words(facts: Facts) -> frozenset[str]:
    """The words of `text` that are anchor words of some lexicon (for the phrase gates)."""
    return facts.memo("content:words", _words)


def _words(facts: Facts) -> frozenset[str]:
    return vocabulary_words(text(facts), anchor_words(LEXICONS))


def find(facts: Facts, family: str, category: str) -> tuple[str, ...]:
    """The distinct phrases of `family`/`category` in the subject and body."""
    found_by_category = facts.memo("content:find", _new_finds)
    key = (family, category)
    found = found_by_category.get(key)
    if found is None:
        phrase_set = phrases(family, category)
        gated = _gated(facts).get(key, ()) if family in LEXICONS else None
        if gated == () and not phrase_set.ungated:
            found = ()  # no phrase of the category can match: skip the set-up
        else:
            found = phrase_set.find(text(facts), words(facts), gated=gated)
        found_by_category[key] = found
    return found


def _new_finds(facts: Facts) -> dict[tuple[str, str], tuple[str, ...]]:
    return {}


def _gated(facts: Facts) -> dict[tuple[str, str], list[int]]:
    """(family, category) -> the phrases whose first anchor set meets the message's words:
    one pass over the words for all phrase sets."""

    def compute(facts: Facts) -> dict[tuple[str, str], list[int]]:
        gated: dict[tuple[str, str], list[int]] = {}
        index = _anchor_index()
        for word in index.keys() & words(facts):
            for key, numbers in index[word]:
                if key in gated:
                    gated[key] += numbers
                else:
                    gated[key] = list(numbers)
        return gated

    return facts.memo("content:gated", compute)


@cache
def _anchor_index() -> dict[str, tuple[tuple[tuple[str, str], tuple[int, ...]], ...]]:
    """Anchor word -> ((family, category), the phrases it gates there) for LEXICONS."""
    index: dict[str, list[tuple[tuple[str, str], tuple[int, ...]]]] = {}
    for family in LEXICONS:
        for category, phrase_set in lexicon(family).items():
            for word, numbers in phrase_set.index.items():
                index.setdefault(word, []).append(((family, category), numbers))
    return {word: tuple(entries) for word, entries in index.items()}


def phrase_check(family: str, category: str, label: str, single: float = 0.6) -> Check:
    """A rule check that fires on the phrases of one lexicon category, graded by how many
    distinct phrases were found (see `strength`)."""

    def check(facts: Facts) -> Finding | None:
        found = find(facts, family, category)
        if not found:
            return None
        return Finding(f"{label}: {quoted(found)}", strength(len(found), single))

    return check


def web_urls(facts: Facts) -> tuple[UrlRecord, ...]:
    """The message's web links (http/https), wherever they were found."""
    return facts.memo(
        "content:web_urls",
        lambda f: tuple(u for u in f.analysis.urls if u.url.lower().startswith(_WEB_SCHEMES)),
    )


def strength(count: int, single: float = 0.6) -> float:
    """How strongly a phrase rule applies: `single` for one distinct phrase, halfway to
    full for two, full for three or more."""
    if count >= 3:
        return 1.0
    return single if count <= 1 else round((1.0 + single) / 2, 3)


def quoted(found: tuple[str, ...], limit: int = 3) -> str:
    """Phrases as evidence: '"within 24 hours", "final notice"'."""
    shown = ", ".join(f'"{phrase[:60]}"' for phrase in found[:limit])
    return shown + (f" (+{len(found) - limit} more)" if len(found) > limit else "")
