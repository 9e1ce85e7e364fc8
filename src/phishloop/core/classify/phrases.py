"""Phrase lists of the content rules (data/lexicon/<family>.toml), compiled once.

A lexicon file has one table per category; each key is a language code holding a list of
patterns. Patterns are written in the form `textnorm.normalize` gives the text (lower
case; accents may be written, they are folded) and use a small regex dialect:

- a space matches any run of spaces and punctuation (`\\W+`), `" ?"` an optional one;
- `" ~ "` matches a gap of up to three words, `" ~6 "` up to six;
- otherwise Python regex syntax; keep patterns free of unbounded `.*`.

A phrase only matches as whole words. Each pattern is gated by its anchor words (see
`anchors`): it is only tried on texts that contain one of them, and only where one of its
heads (see `phrase_heads`) starts a word.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from phishloop.core.classify.anchors import Gate, gate
from phishloop.core.classify.phrase_heads import Head, heads, worth_it
from phishloop.core.classify.phrase_scan import head_matches, whole_word_matches
from phishloop.core.classify.textnorm import normalize_phrase
from phishloop.core.classify.textwords import text_words

MAX_FINDINGS = 6  # distinct phrases reported per category
_GAP = re.compile(r" ~(\d?) ")


@dataclass(frozen=True, slots=True)
class Phrase:
    """One compiled pattern, the anchor-word sets that gate it and where its matches can
    start (see `phrase_heads`)."""

    source: str
    regex: re.Pattern[str]
    gate: Gate
    heads: tuple[Head, ...] | None = None

    def may_match(self, words: frozenset[str]) -> bool:
        return all(not anchor.isdisjoint(words) for anchor in self.gate)

    def matches(self, text: str, words: frozenset[str]) -> Iterator[str]:
        """Whole-word matches in `text` (whose words, or those in the gates and heads,
        are `words`)."""
        if self.heads is None:
            return whole_word_matches(self.regex, text)
        return head_matches(self.regex, self.heads, text, words)

    def head_words(self) -> frozenset[str]:
        return frozenset(head.token for head in self.heads or () if head.token)


@dataclass(frozen=True, slots=True)
class PhraseSet:
    """One category of phrases (e.g. "urgency") in every language, indexed by the first
    (rarest) anchor set of each phrase."""

    name: str
    phrases: tuple[Phrase, ...]
    index: dict[str, tuple[int, ...]]  # anchor word -> phrases it gates
    ungated: tuple[int, ...]  # phrases without anchors, always tried
    keys: frozenset[str]  # the anchor words of `index`
    vocabulary: frozenset[str]  # every word of every gate (what `find` needs of `words`)

    @classmethod
    def build(cls, name: str, phrases: tuple[Phrase, ...]) -> PhraseSet:
        index: dict[str, list[int]] = {}
        for number, phrase in enumerate(phrases):
            for word in phrase.gate[0] if phrase.gate else ():
                index.setdefault(word, []).append(number)
        ungated = tuple(n for n, phrase in enumerate(phrases) if not phrase.gate)
        frozen = {word: tuple(numbers) for word, numbers in index.items()}
        vocabulary = frozenset(w for phrase in phrases for words in phrase.gate for w in words)
        vocabulary = vocabulary.union(*(phrase.head_words() for phrase in phrases))
        return cls(name, phrases, frozen, ungated, frozenset(frozen), vocabulary)

    def find(
        self,
        text: str,
        words: frozenset[str] | None = None,
        limit: int = MAX_FINDINGS,
        gated: Iterable[int] | None = None,
    ) -> tuple[str, ...]:
        """Distinct phrases of this category in normalised `text`. `words` (the set of
        `\\w+` tokens of `text`, or at least those in `vocabulary`) lets patterns whose
        anchors or heads are absent be skipped; `gated` (the phrases `index` names for
        `words`) saves looking them up."""
        words = text_words(text) if words is None else words
        if gated is None:
            present = words & self.keys if len(words) > len(self.keys) else self.keys & words
            gated = (n for word in present for n in self.index[word])
        numbers = set(gated).union(self.ungated)
        found: dict[str, None] = {}
        for number in sorted(numbers):
            phrase = self.phrases[number]
            for anchor in phrase.gate:  # `may_match`, inline: it runs for every candidate
                if anchor.isdisjoint(words):
                    break
            else:
                for match in phrase.matches(text, words):
                    found.setdefault(match, None)
                    if len(found) >= limit:
                        return tuple(found)
        return tuple(found)


def expand(pattern: str) -> str:
    """A lexicon pattern in plain Python regex syntax."""
    pattern = _GAP.sub(
        lambda m: rf"\W+(?:\w+\W+){{0,{m.group(1) or 3}}}", normalize_phrase(pattern)
    )
    return pattern.replace(" ?", r"\W*").replace(" ", r"\W+")


def compile_phrase(pattern: str) -> Phrase:
    """A dialect pattern compiled to match whole words only, with its anchor words."""
    regex = re.compile(rf"(?:{expand(pattern)})(?!\w)")
    found = heads(regex)
    return Phrase(
        pattern, regex, gate(normalize_phrase(pattern)), found if worth_it(found) else None
    )


def compile_phrases(name: str, patterns: list[str]) -> PhraseSet:
    return PhraseSet.build(name, tuple(compile_phrase(p) for p in patterns))


@cache
def lexicon(family: str) -> dict[str, PhraseSet]:
    """The phrase sets of data/lexicon/<family>.toml by category."""
    path = resources.files("phishloop.core.classify").joinpath("data", "lexicon", f"{family}.toml")
    tables = tomllib.loads(path.read_text("utf-8"))
    return {
        category: compile_phrases(
            category, [p for patterns in by_language.values() for p in patterns]
        )
        for category, by_language in tables.items()
    }


def phrases(family: str, category: str) -> PhraseSet:
    return lexicon(family)[category]


@cache
def anchor_words(families: tuple[str, ...]) -> frozenset[str]:
    """Every anchor word of the given lexicons: a message's words can be cut down to these
    once, and every phrase set then looks at the few that remain."""
    return frozenset().union(*(s.vocabulary for f in families for s in lexicon(f).values()))
