"""Phrase heads: where a phrase match can start, and the head-based search, which must find
exactly what a plain regex scan finds (same matches, same order) for every shipped phrase."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from phishloop.core.classify.content import LEXICONS
from phishloop.core.classify.content import text as content_text
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.phrase_heads import Head, heads
from phishloop.core.classify.phrase_prefixes import DIGIT
from phishloop.core.classify.phrase_scan import digit_starts, head_matches, whole_word_matches
from phishloop.core.classify.phrases import Phrase, compile_phrase, expand, lexicon
from phishloop.core.classify.textnorm import normalize
from phishloop.core.classify.textwords import text_words
from phishloop.core.config import DEFAULT_CONFIG
from phishloop.core.pipeline import analyze

MAX_PHISHING_POT_SAMPLE = 5274  # newer samples are held back for blind evaluation


def _scan(regex: re.Pattern[str], text: str) -> list[str]:
    """The reference: every position tried by `re` (the search before heads existed)."""
    found, position = [], 0
    while (match := regex.search(text, position)) is not None:
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            position = start + 1
            continue
        found.append(match.group(0))
        position = max(match.end(), start + 1)
    return found


def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{expand(pattern)})(?!\w)")


def _all_phrases() -> list[Phrase]:
    return [p for family in LEXICONS for s in lexicon(family).values() for p in s.phrases]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (
            "(account|mailbox) (will|may) be closed",
            {("account", "account"), ("mailbox", "mailbox")},
        ),
        (
            "gift ?cards? for me",
            {("gift", "gift"), ("giftcard", "giftcard"), ("giftcards", "giftcards")},
        ),
        ("100 ?% free", {("100", "100")}),  # "100%" is covered by "100"
        ("(re-)?activate now", {("re-activate", "re"), ("activate", "activate")}),
        ("(\\d+|twenty) ?% of", {(DIGIT, None), ("twenty", "twenty")}),
    ],
)
def test_heads_of_patterns(pattern: str, expected: set[tuple[str, str | None]]) -> None:
    found = heads(_compiled(pattern))
    assert found is not None
    assert {(head.text, head.token) for head in found} == expected


@pytest.mark.parametrize(
    "pattern",
    ["(i|we) have access", "a partage (un|une) document", "(\\w+ )?won", "[a-z]+ prize"],
)
def test_unanalysable_or_single_letter_heads_give_none(pattern: str) -> None:
    assert heads(_compiled(pattern)) is None


def test_case_insensitive_regexes_are_not_analysed() -> None:
    assert heads(re.compile("(foo|bar) baz", re.IGNORECASE)) is None


def test_heads_skip_words_that_only_contain_a_head() -> None:
    regex = _compiled("(account|mailbox) (will|may) be closed")
    text = "accounting will be closed; my account may be closed. mailboxes will be closed"
    found = heads(regex)
    assert found is not None
    assert list(head_matches(regex, found, text, text_words(text))) == ["account may be closed"]


def test_digit_heads_start_only_at_words() -> None:
    text = "a1 22 x333 4,5"
    assert digit_starts(text) == [3, 11, 13]
    regex = _compiled("\\d[\\d,.]* euros")
    found = heads(regex)
    assert found == (Head(DIGIT, None),)
    assert list(head_matches(regex, found, "ab12 euros, 3,000 euros", frozenset())) == [
        "3,000 euros"
    ]


def test_heads_everywhere_fall_back_to_the_scan() -> None:
    regex = _compiled("(account|mailbox) closed")
    text = "account " * 500 + "mailbox closed"
    found = heads(regex)
    assert found is not None
    assert list(head_matches(regex, found, text, text_words(text))) == ["mailbox closed"]


def _texts(seed: int, count: int) -> Iterator[str]:
    """Texts made of the lexicons' own words, digits and punctuation: many near-misses."""
    words = sorted({w for p in _all_phrases() for w in re.findall(r"[a-z]+", p.source)})
    extra = ["1", "24", "3,000", "%", "$", "-", "'", ".", ",", "!", "é", "_x", "re-"]
    rng = random.Random(seed)
    for _ in range(count):
        yield normalize(" ".join(rng.choice(words + extra) for _ in range(rng.randint(5, 60))))


def test_every_shipped_phrase_finds_what_the_scan_finds() -> None:
    phrases = _all_phrases()
    assert sum(p.heads is not None for p in phrases) > len(phrases) // 2
    for text in _texts(seed=7, count=60):
        words = text_words(text)
        for phrase in phrases:
            assert list(phrase.matches(text, words)) == _scan(phrase.regex, text), phrase.source


def test_phrases_found_in_their_own_examples() -> None:
    """Each pattern's heads, written out, lead to the same matches as the scan."""
    for phrase in _all_phrases():
        for head in phrase.heads or ():
            sample = head.text.replace(DIGIT, "7")
            text = f"x {sample} {phrase.source} {sample}s {sample}"
            assert list(phrase.matches(text, text_words(text))) == _scan(phrase.regex, text)


def test_plain_scan_is_the_reference() -> None:
    regex = _compiled("final notice")
    text = "semifinal notice, final notice"
    assert list(whole_word_matches(regex, text)) == _scan(regex, text) == ["final notice"]


def test_compile_phrase_keeps_heads_only_when_they_help() -> None:
    assert compile_phrase("final notice").heads is None  # one literal head: `re` is as fast
    assert compile_phrase("(final|last) notice").heads is not None


@pytest.mark.corpus
def test_corpus_texts_give_the_same_matches(corpora: Path) -> None:
    """Every phrase the gates let through, on (a sample of) real mail, normalised."""
    paths = sorted((corpora / "spamassassin_public").rglob("*"))[::40]
    pot = sorted((corpora / "phishing_pot" / "email").glob("sample-*.eml"))
    paths += [p for p in pot if int(p.stem.split("-")[1]) <= MAX_PHISHING_POT_SAMPLE][::20]
    phrases = _all_phrases()
    checked = 0
    for path in paths:
        if not path.is_file() or path.suffix in (".md", ".csv"):
            continue
        for analysis in analyze(path.read_bytes(), path=str(path), verdict=False):
            text = content_text(Facts(analysis, DEFAULT_CONFIG))
            words = text_words(text)
            for phrase in phrases:
                if phrase.may_match(words):
                    assert list(phrase.matches(text, words)) == _scan(phrase.regex, text)
                    checked += 1
    assert checked > 1000
