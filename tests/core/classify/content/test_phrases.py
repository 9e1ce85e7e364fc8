"""The phrase dialect, its anchor-word gates, and the shipped lexicons."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from phishloop.core.classify.anchors import gate
from phishloop.core.classify.phrases import compile_phrases, expand, lexicon, text_words
from phishloop.core.classify.textnorm import normalize, normalize_phrase

FAMILIES = ("language", "bec", "extortion", "scam", "spam", "qr")
LANGUAGES = {"en", "de", "fr", "es", "pt", "it", "nl"}
UNGATED_ALLOWED = 1  # patterns the gate cannot analyse (always run, still correct)


def _tables(family: str) -> dict[str, dict[str, list[str]]]:
    path = resources.files("phishloop.core.classify").joinpath("data", "lexicon", f"{family}.toml")
    return tomllib.loads(path.read_text("utf-8"))


def test_space_matches_punctuation_and_optional_space() -> None:
    regex = re.compile(expand("sign ?in to verify"))
    assert regex.fullmatch("sign-in to, verify")
    assert regex.fullmatch("signin to verify")
    assert not regex.fullmatch("signing to verify")


def test_gap_of_up_to_three_words() -> None:
    regex = re.compile(expand("claim your ~ tokens"))
    assert regex.fullmatch("claim your free scr tokens")
    assert not regex.fullmatch("claim your one two three four tokens")


def test_phrases_match_whole_words_only() -> None:
    phrases = compile_phrases("t", ["final notice"])
    assert phrases.find("this is your final notice.") == ("final notice",)
    assert phrases.find("semifinal notices") == ()


def test_distinct_findings_are_reported_once() -> None:
    phrases = compile_phrases("t", ["act now", "final notice"])
    assert phrases.find("act now! final notice. act now!") == ("act now", "final notice")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("final (notice|warning)", ({"final"}, {"notice", "warning"})),
        ("(has )?failed", ({"failed"},)),
        ("suspens[oa]s?", ({"suspenso", "suspensa", "suspensos", "suspensas"},)),
        ("(re-)?activate now", ({"now"},)),
        ("sign ?in", ()),
    ],
)
def test_anchor_words(pattern: str, expected: tuple[set[str], ...]) -> None:
    assert {frozenset(words) for words in gate(pattern)} == {frozenset(w) for w in expected}


def test_gate_skips_texts_without_anchor_words() -> None:
    phrases = compile_phrases("t", ["final (notice|warning)"])
    text = "your final notice"
    assert phrases.find(text, frozenset({"your"})) == ()  # gated out
    assert phrases.find(text, text_words(text)) == ("final notice",)


def test_text_words_match_the_regex_tokeniser() -> None:
    text = normalize("Ünïcödé café—naïve: don’t stop e-mail_x 2fa ﬁnal ПРИВЕТ")
    assert text_words(text) == frozenset(re.findall(r"\w+", text))


@pytest.mark.parametrize("family", FAMILIES)
def test_lexicon_patterns_are_lower_case_and_compile(family: str) -> None:
    for category, by_language in _tables(family).items():
        assert set(by_language) <= LANGUAGES, category
        for patterns in by_language.values():
            for pattern in patterns:
                assert pattern == pattern.lower(), pattern
                re.compile(expand(pattern))


@pytest.mark.parametrize("family", FAMILIES)
def test_no_repeated_class_can_swallow_separators(family: str) -> None:
    """A repeated character class holding a space would overlap the separators around it
    and backtrack quadratically on long runs of digits and spaces."""
    risky = re.compile(r"\[[^\]]*(?: |\\W|\\s)[^\]]*\][*+]")
    for by_language in _tables(family).values():
        for patterns in by_language.values():
            assert not [p for p in patterns if risky.search(p)]


@pytest.mark.parametrize("family", FAMILIES)
def test_nearly_every_pattern_is_gated(family: str) -> None:
    ungated = [
        pattern
        for by_language in _tables(family).values()
        for patterns in by_language.values()
        for pattern in patterns
        if not gate(normalize_phrase(pattern))
    ]
    assert len(ungated) <= UNGATED_ALLOWED, ungated


def test_language_family_covers_seven_languages() -> None:
    for category, by_language in _tables("language").items():
        assert set(by_language) == LANGUAGES, category


def test_lexicons_load_with_their_categories() -> None:
    assert set(lexicon("language")) == {"urgency", "credential", "payment"}
    assert {"claims", "demand"} <= set(lexicon("extortion"))
