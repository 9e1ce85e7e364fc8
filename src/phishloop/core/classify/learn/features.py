"""Features of one analysed message for the trained model: the words and adjacent word pairs
of the body text, the words of the subject, and a few structural facts (links, HTML forms,
attachments).

Deliberately absent: header names and values, dates, mailer strings, Received hops and
authentication results. Those mostly tell old mail from new (the training corpora's ham is
from 2002, most modern threats from the 2020s) and would teach the model that every modern
message is suspicious. URLs and e-mail addresses are cut out of the text for the same reason
("https" and tracking paths are era artefacts), and every number becomes "#".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from phishloop.core.classify.learn import tokenize
from phishloop.core.model import Analysis, Attachment

FEATURES_VERSION = 1
MAX_TEXT_CHARS = 6_000  # of the body: the opening carries the lure; bounds the cost
MAX_SUBJECT_CHARS = 300
# Gateway banners ("This email originated from outside the organization…") are added by the
# recipient's system to legitimate and malicious mail alike: they say nothing about the sender.
_BANNER = re.compile(
    r"(?:(?:caution|warning|external)\W{1,3})?(?:this\s)?(?:e-?mail|message)\s"
    r"(?:originated|came|was\ssent|is)\sfrom\s(?:outside|an\sexternal)[^\n]{0,400}",
    re.IGNORECASE,
)
# Function words say more about genre (list chatter vs. business letter) than about intent,
# and the genres of the training corpora differ by era: alone they are no features.
_STOP_TEXT = """a about after all also am an and any are as at be been before but by can
    could did do does for from had has have he her here him his how i if in into is it its
    just me more my no not now of on only or our out so some than that the their them then
    there these they this those to too up us very was we were what when where which who will
    with would you your yours #"""
# The commonest function words of the other languages reported mail often comes in: the
# corpora's non-English mail is nearly all spam, so the language itself must not count.
_STOP_OTHER = """aber als auch auf aus bei bitte das dass dem den der des die ein eine einen
    er es für hat ich ihr ihre ihnen im ist mit nach nicht noch oder sehr sie sind uns und
    vom von vor wie wir wird zu zum zur au aux avec ce ces dans du elle en est et il je la
    le les leur mais ne nous ou par pas pour qui que se son sur un une vous al como con del
    el es las lo los para por se su sus una com da das do dos em na no os ou seu sua um
    uma het een en op te van voor zijn niet ook maar"""
STOP_WORDS = frozenset(_STOP_TEXT.split()) | frozenset(_STOP_OTHER.split())
SUBJECT_MARKERS = frozenset({"re", "fw", "fwd", "aw", "wg", "sv", "vs", "tr", "rv", "antw"})
RISKY_FLAGS = frozenset(
    {"executable", "double-extension", "macro", "autoopen", "dde", "html-smuggling",
     "credential-form", "encrypted", "pdf-javascript", "extension-mismatch"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class MessageFeatures:
    """What the model sees of one message. `terms`: body words and "word word" pairs;
    `subject`: subject words; `structure`: named structural values in (0, 1]."""

    terms: frozenset[str]
    subject: frozenset[str]
    structure: tuple[tuple[str, float], ...]

    @property
    def text_count(self) -> int:
        """How many text features the message has (the text block is scaled by 1/sqrt)."""
        return len(self.terms) + len(self.subject)


def tokens(text: str) -> list[str]:
    """Lower-case words of `text` without URLs and addresses; every number becomes "#"."""
    return tokenize.words(tokenize.without_links(text.lower()))


def body_terms(body: str) -> frozenset[str]:
    """Words (except function words) and adjacent pairs (except pairs of function words)."""
    return _terms(_body_words(body)[0])


def _terms(words: list[str]) -> frozenset[str]:
    stop = STOP_WORDS
    pairs = [f"{a} {b}" for a, b in pairwise(words) if a not in stop or b not in stop]
    return frozenset(words).difference(stop).union(pairs)


def _body_words(body: str) -> tuple[list[str], int | None]:
    """The tokens of the body and, when it comes for free, how many TOKEN matches the raw
    body has (ASCII text without a gateway banner: lower-casing and cutting links out
    change no token then, the links' tokens are counted apart)."""
    raw = body[:MAX_TEXT_CHARS]
    text = raw
    if "outside" in text or "external" in text:
        text = _BANNER.sub(" ", text)
    kept, links = tokenize.split_links(text.lower())
    words = tokenize.words(kept)
    if text != raw or not raw.isascii():
        return words, None
    return words, len(words) + tokenize.count(links)


def subject_terms(subject: str) -> frozenset[str]:
    """Subject words, without reply/forward markers (anyone can write "RE:")."""
    return frozenset(tokens(subject[:MAX_SUBJECT_CHARS])).difference(SUBJECT_MARKERS)


def extract(analysis: Analysis) -> MessageFeatures:
    subject = analysis.message.subject or ""
    words, count = _body_words(analysis.body.text)
    return MessageFeatures(
        terms=_terms(words),
        subject=subject_terms(subject),
        structure=structure_features(analysis, count),
    )


def structure_features(
    analysis: Analysis, word_count: int | None = None
) -> tuple[tuple[str, float], ...]:
    """Structural facts in (0, 1], zeros omitted. Link counts, hidden text, tracking pixels and
    scripts are left out on purpose: in the training corpora they mostly separate 2019
    newsletters from 2002 spam, which says nothing about today's mail. `word_count` is the
    number of TOKEN matches in the body's first MAX_TEXT_CHARS, when known."""
    html, urls = analysis.body.html, analysis.urls
    words = (
        tokenize.count(analysis.body.text[:MAX_TEXT_CHARS]) if word_count is None else word_count
    )
    flags = {flag for node in walk(analysis.attachments) for flag in node.flags}
    values = (
        ("links-per-word", min(len(urls) / max(words, 1) * 10, 1.0)),
        ("link-text-mismatch", float(any(u.mismatch for u in urls))),
        ("qr-link", float(any("qr" in u.sources for u in urls))),
        ("little-text", float(words < 10)),
        ("html-form", float(html.forms > 0)),
        ("html-password", float(html.password_inputs > 0)),
        ("html-smuggling", float(html.smuggling or html.data_links > 0)),
        ("attachment", float(bool(analysis.attachments))),
        ("attachment-risky", float(bool(flags & RISKY_FLAGS))),
    )
    return tuple((name, value) for name, value in values if value)


STRUCTURE_NAMES = (
    "links-per-word", "link-text-mismatch", "qr-link", "little-text", "html-form",
    "html-password", "html-smuggling", "attachment", "attachment-risky",
)  # fmt: skip


def walk(nodes: tuple[Attachment, ...]) -> Iterator[Attachment]:
    for node in nodes:
        yield node
        yield from walk(node.children)
