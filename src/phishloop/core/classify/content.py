"""Values the content rules share, computed once per message: the normalised subject and
body, phrase look-ups, and whether the message carries links.

Each value is kept with `Facts.memo`, so it lives exactly as long as the message's facts.
"""

from __future__ import annotations

from phishloop.core.classify.facts import MAX_RULE_TEXT, Facts
from phishloop.core.classify.phrases import anchor_words, phrases, text_words
from phishloop.core.classify.textnorm import Normalized, normalize, normalize_tracked
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
    return facts.memo(
        "content:body", lambda f: normalize_tracked(f.analysis.body.text[:MAX_RULE_TEXT])
    )


def text(facts: Facts) -> str:
    """Normalised subject and body, the subject first."""
    return facts.memo("content:text", lambda f: f"{subject(f)} | {body(f)}")


LEXICONS = ("language", "bec", "extortion", "scam", "spam", "qr")


def words(facts: Facts) -> frozenset[str]:
    """The words of `text` that are anchor words of some lexicon (for the phrase gates)."""
    return facts.memo("content:words", lambda f: text_words(text(f)) & anchor_words(LEXICONS))


def find(facts: Facts, family: str, category: str) -> tuple[str, ...]:
    """The distinct phrases of `family`/`category` in the subject and body."""
    return facts.memo(
        f"content:find:{family}:{category}",
        lambda f: phrases(family, category).find(text(f), words(f)),
    )


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
