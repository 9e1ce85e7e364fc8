"""Rules: junk-mail content — shouting subjects, classic spam phrasing, health/pharma,
adult and gambling offers (data/lexicon/spam.toml), unsubscribe footers in mail that is
not sent as list mail, image-only or link-only bodies, and words hidden from filters.

Legitimate marketing is recognised as bulk by rules/bulk.py; these rules look for what
separates junk from it.
"""

from __future__ import annotations

from phishloop.core.classify.content import (
    body,
    body_disguised,
    find,
    phrase_check,
    quoted,
    web_urls,
)
from phishloop.core.classify.facts import MAX_RULE_TEXT, Facts
from phishloop.core.classify.spam_signals import emoji_count, obfuscation, shouting_subject
from phishloop.core.classify.types import Finding, Rule

FAMILY = "spam"
LIST_HEADERS = ("list-unsubscribe", "list-id")
SHORT_TEXT = 80  # characters of normalised body text below which a body "says nothing"


def caps_subject(facts: Facts) -> Finding | None:
    share = shouting_subject(facts.subject)
    return Finding(f"subject is {share:.0%} capitals: {facts.subject[:80]!r}") if share else None


def subject_punctuation(facts: Facts) -> Finding | None:
    subject = facts.subject
    emoji = emoji_count(subject)
    marks = [m for m in ("!!", "$$", "€€", "?!", "!?") if m in subject]
    if emoji < 3 and not marks:
        return None
    shown = ", ".join(marks + ([f"{emoji} emoji"] if emoji >= 3 else []))
    return Finding(f"subject punctuation: {shown}")


def unsubscribe_without_list_headers(facts: Facts) -> Finding | None:
    wording = find(facts, FAMILY, "footer")
    if not wording or any(facts.header(name) for name in LIST_HEADERS):
        return None
    return Finding(f"unsubscribe wording {quoted(wording, 1)} but no List-Unsubscribe header")


def obfuscated_text(facts: Facts) -> Finding | None:
    """Counts the tricks in the raw text, but reads the body only when normalisation
    already saw a disguised letter in it (most bodies have none)."""
    raw = facts.subject
    if body_disguised(facts):
        raw = f"{raw} {facts.analysis.body.text[:MAX_RULE_TEXT]}"
    evidence = obfuscation(raw)
    return Finding(evidence) if evidence else None


def image_only(facts: Facts) -> Finding | None:
    html = facts.analysis.body.html
    images = html.external_images + sum(
        1 for a in facts.attachments if a.detected_type.startswith("image/")
    )
    text = body(facts)
    if not html.present or not images or len(text) >= SHORT_TEXT:
        return None
    return Finding(f"HTML body of {images} image(s) and {len(text)} characters of text")


def link_only(facts: Facts) -> Finding | None:
    links, text = web_urls(facts), body(facts)
    if not links or len(links) > 3 or facts.attachments or len(text) >= SHORT_TEXT // 2:
        return None
    return Finding(f"{len(links)} link(s) and {len(text)} characters of text")


RULES: tuple[Rule, ...] = (
    Rule("spam.caps-subject", "spam", 1.0, "The subject is written in capitals.", caps_subject),
    Rule(
        "spam.subject-punctuation",
        "spam",
        0.5,
        "The subject shouts with repeated punctuation, money signs or many emoji.",
        subject_punctuation,
    ),
    Rule(
        "spam.phrases",
        "spam",
        1.5,
        "Classic junk-mail phrasing (100% free, risk-free, one weird trick, work from home).",
        phrase_check(FAMILY, "phrases", "spam phrasing", single=0.5),
    ),
    Rule(
        "spam.health",
        "spam",
        2.0,
        "Pharmacy, weight-loss or miracle-health offers.",
        phrase_check(FAMILY, "health", "health offer", single=0.5),
    ),
    Rule(
        "spam.adult",
        "spam",
        2.0,
        "Adult, dating or hook-up offers.",
        phrase_check(FAMILY, "adult", "adult or dating wording", single=0.5),
    ),
    Rule(
        "spam.gambling",
        "spam",
        2.0,
        "Casino, betting or free-spins offers.",
        phrase_check(FAMILY, "gambling", "gambling offer", single=0.5),
    ),
    Rule(
        "spam.unsubscribe-without-list-headers",
        "spam",
        0.5,
        "An unsubscribe footer in mail without List-Unsubscribe or List-Id headers (list "
        "mail and legitimate senders have them).",
        unsubscribe_without_list_headers,
    ),
    Rule(
        "spam.obfuscated-text",
        "spam",
        2.0,
        "Words are disguised with look-alike letters from other scripts or invisible "
        "characters, to slip past keyword filters.",
        obfuscated_text,
    ),
    Rule(
        "spam.image-only",
        "spam",
        1.0,
        "The HTML body is images with almost no text.",
        image_only,
    ),
    Rule(
        "spam.link-only",
        "spam",
        0.5,
        "The body is little more than a link.",
        link_only,
    ),
)
