"""Fast paths of the text helpers and of the chain give exactly what the straightforward
code gives: normalisation, obfuscation counts, word sets, service patterns, enabled rules."""

from __future__ import annotations

import html
import random
import re
import unicodedata
from fnmatch import fnmatchcase

import pytest

from phishloop.core.classify import textnorm
from phishloop.core.classify.chain import CHAIN, enabled_rules, run_chain
from phishloop.core.classify.mailing_services import mailing_services
from phishloop.core.classify.spam_signals import shouting_subject
from phishloop.core.classify.textwords import text_words, vocabulary_words
from phishloop.core.classify.types import Finding, Rule
from phishloop.core.config import RulesConfig

PIECES = [
    "Verify", "yоur", "аccount", "V\u200berify", "P\u200bay\u200bPal", "café", "Straße", "ﬁnal",
    "don’t", "e–mail", "&amp;", "&#1072;", "ᴀᴄᴄᴏᴜɴᴛ", "Привет", "Ölby", "İ", "\u0301", "x",
    "1", " ", "\n", "\u00a0", "\u200b", "Ａ", "𝐏𝐚𝐲", "_", "ΑΒΓ", "!",
]  # fmt: skip


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30))) for _ in range(count)]


def _reference_normalize(text: str) -> textnorm.Normalized:
    if "&" in text:
        text = html.unescape(text)
    disguised = False
    if not text.isascii():
        undisguised = text.translate(textnorm._disguise_table())
        disguised = undisguised != text
        text = textnorm._COMBINING.sub("", unicodedata.normalize("NFKD", undisguised))
        text = text.casefold().translate(textnorm._table())
    return textnorm.Normalized(" ".join(text.casefold().split()), disguised)


def _reference_obfuscation(text: str) -> textnorm.Obfuscation:
    if "&" in text:
        text = html.unescape(text)
    if text.isascii():
        return textnorm.Obfuscation(0, 0)
    mixed = textnorm._mixed_script().findall(text)
    return textnorm.Obfuscation(len(mixed), len(textnorm._SPLIT_WORD.findall(text)))


def test_tables_leave_ascii_alone() -> None:
    """Normalising only the non-ASCII runs relies on it."""
    assert all(code >= 0x80 for code in textnorm._table())


def test_normalize_and_obfuscation() -> None:
    for text in _texts(seed=1, count=2000):
        assert textnorm.normalize_tracked(text) == _reference_normalize(text), text
        assert textnorm.obfuscation_marks(text) == _reference_obfuscation(text), text


def test_word_sets() -> None:
    vocabulary = frozenset({"verify", "your", "account", "paypal", "x", "1", "привет"})
    for raw in _texts(seed=2, count=500):
        text = textnorm.normalize(raw)
        words = frozenset(re.findall(r"\w+", text))
        assert text_words(text) == words
        assert vocabulary_words(text, vocabulary) == words & vocabulary
        assert vocabulary_words(raw.lower(), vocabulary) == text_words(raw.lower()) & vocabulary


@pytest.mark.parametrize(
    "subject", ["URGENT ACTION REQUIRED NOW", "RE: FW: Hello there friend", "ÉTÉ À VENIR!!", ""]
)
def test_shouting_subject(subject: str) -> None:
    letters = [c for c in subject if c.isalpha()]
    result = shouting_subject(subject)
    if result is not None:
        assert result == pytest.approx(sum(c.isupper() for c in letters) / len(letters))


def test_service_domain_patterns_match_like_fnmatch() -> None:
    services = mailing_services()
    names = ["mkto-x1.com", "cmail20.com", "createsend9.com", "rsys3.net", "rsys3.com", "a.b"]
    names += [pattern.replace("*", "zz") for pattern, _ in services.domain_patterns]
    for name in names:
        if name in services.domains:
            continue
        expected = next((s for p, s in services.domain_patterns if fnmatchcase(name, p)), None)
        assert services.domain_service(name) == expected, name


def test_enabled_rules_follow_the_configuration() -> None:
    first, second = CHAIN[0], CHAIN[1]
    family = second.name.split(".", 1)[0]
    settings = RulesConfig(disabled=(first.name,), weights=((second.name, 9.5),))
    enabled = {rule.name: weight for rule, weight in enabled_rules(settings, CHAIN)}
    assert first.name not in enabled
    assert enabled[second.name] == 9.5
    assert len(enabled_rules(RulesConfig(disabled=(f"{family}.*",)), CHAIN)) < len(CHAIN)
    assert enabled_rules(settings, CHAIN) is enabled_rules(settings, CHAIN)  # worked out once
    part = CHAIN[:5]
    assert [rule for rule, _ in enabled_rules(settings, part)] == list(part[1:])


def test_run_chain_weighs_hits_with_the_configured_weight() -> None:
    rule = Rule("t.always", "spam", 1.0, "Always.", lambda facts: Finding("yes", 0.5))
    settings = RulesConfig(weights=(("t.always", 3.0),))
    hits, failures = run_chain(None, settings, (rule,))  # type: ignore[arg-type]
    assert [(hit.rule, hit.weight, hit.evidence) for hit in hits] == [("t.always", 1.5, "yes")]
    assert failures == []
    assert run_chain(None, RulesConfig(disabled=("t.*",)), (rule,)) == ([], [])  # type: ignore[arg-type]
