"""Text normalisation for campaign fingerprints: what stays equal between two copies of one
campaign sent to different people (greetings, names, numbers and tracking tokens removed)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from phishloop.core.extract.text_spans import (
    blank,
    cached_email_spans,
    email_spans,
    url_spans,
    without_urls,
)
from phishloop.core.model import Address

_FOLD = bytes(
    byte
    if (65 <= byte <= 90 or 97 <= byte <= 122 or byte >= 128)
    else 48
    if 48 <= byte <= 57
    else 32
    for byte in range(256)
)
_NAME_PART = re.compile(r"[^\W\d_]{2,}")
# Greetings that open per-recipient copies; the name after them runs to punctuation.
_GREETING_WORDS = (
    "dear|hi|hello|hey|hallo|greetings|good morning|good afternoon|good evening|good day|attn|"
    "attention|bonjour|bonsoir|hola|estimado|estimada|querido|querida|sehr geehrte|liebe|ciao|"
    "gentile|beste|geachte|caro|cara|prezado|prezada"
)
_GREETINGS = tuple(_GREETING_WORDS.split("|"))
_GREETING_NAME = re.compile(r"[^\n,:;!?]{0,40}[\n,:;!?]")
GREETING_WINDOW = 500  # characters from the top where a greeting is looked for
_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|tr|rv|rif|antw|odp|res|enc|vb|vl)\s*(?:\[\d{1,4}\]|\(\d{1,4}\))?"
    r"\s*[:：]|\[[^\]]{0,30}\]|\*{1,3}[^*]{0,20}\*{1,3})",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_PUNCTUATION = ".,;:!?-_#*()[]{}<>\"'|/\\"
# Recipient name parts that are also everyday words or role mailboxes: removing them from
# one copy's text and not another's would split a campaign instead of joining it.
_NOT_NAME_WORDS = (
    "info admin support sales contact office billing accounts account service help team mail "
    "noreply webmaster abuse security marketing finance hello user users staff will mark bill "
    "may june rose grant hope joy dawn frank ray guy jack pat sue amber faith grace max rob"
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
_ZERO = ord("0")
MAX_LONG_TOKEN = 24  # longer letter runs are encoded tokens, not words
MAX_SUBJECT_PREFIXES = 20


def recipient_words(addresses: Iterable[Address]) -> frozenset[str]:
    """Lower-case name parts of the recipients (display names and local parts), which
    per-recipient copies of a campaign put into their text."""
    words: set[str] = set()
    for address in addresses:
        local = address.address.partition("@")[0]
        for text in (address.display_name, local):
            words.update(part.lower() for part in _NAME_PART.findall(text))
    return frozenset(word for word in words if len(word) >= 3 and word not in _NOT_NAMES)


def fold_styles(text: str) -> str:
    """NFKC: styled look-alike letters ("𝐈𝐦𝐩𝐨𝐫𝐭𝐚𝐧𝐭", full-width, ligatures) become plain ones,
    so copies that vary the styling still match. Skipped cheaply when nothing would change."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def normalize_body(text: str, names: frozenset[str]) -> str:
    """The words of `text`, lower-case, joined by single spaces, without what differs between
    copies of one campaign: URLs, e-mail addresses, a greeting line near the top, recipient
    names, punctuation, and tokens holding digits (numbers, codes) or over-long (blobs)."""
    text = without_urls(text)
    text = blank(text, cached_email_spans(text))
    text = _without_greeting(fold_styles(text)).lower()
    # One byte table turns digits into '0' and punctuation into spaces; then tokens with a
    # '0' are dropped. Non-ASCII bytes (letters of other scripts) are kept as they are.
    tokens = text.encode("utf-8", "surrogatepass").translate(_FOLD).split()
    # One pass: an int test is memchr-fast, and over-long tokens are blobs, not words.
    longest = MAX_LONG_TOKEN
    kept = [token for token in tokens if _ZERO not in token and len(token) <= longest]
    if names and any(name in text for name in names):  # substring test first: it is cheap
        encoded = {name.encode() for name in names}
        kept = [token for token in kept if token not in encoded]
    return b" ".join(kept).decode("utf-8", "surrogatepass")


def _without_greeting(text: str) -> str:
    """`text` without its first greeting ("Dear John,") that starts a line near the top."""
    window = text[:GREETING_WINDOW].lower()
    if len(window) != min(len(text), GREETING_WINDOW):
        return text  # a few characters lower-case to two; offsets would not line up
    offset = 0
    for line in window.split("\n"):
        stripped = line.lstrip(" \t\r")
        if stripped.startswith(_GREETINGS):  # one C-level test per line
            start = offset + len(line) - len(stripped)
            for greeting in _GREETINGS:
                end = start + len(greeting)
                if stripped.startswith(greeting) and not text[end : end + 1].isalpha():
                    name = _GREETING_NAME.match(text, end)
                    return text[:start] + " " + text[name.end() if name else end :]
        offset += len(line) + 1
    return text


def normalize_subject(subject: str, names: frozenset[str]) -> str | None:
    """The subject without reply/forward prefixes and gateway tags, lower-case, with URLs,
    addresses, words holding digits (numbers, tracking references) and recipient names dropped."""
    text = fold_styles(subject)
    for _ in range(MAX_SUBJECT_PREFIXES):
        stripped = _SUBJECT_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    text = blank(text, url_spans(text))
    text = blank(text, email_spans(text))
    kept = []
    for token in text.lower().split():
        if len(token) > MAX_LONG_TOKEN or _DIGIT.search(token):
            continue
        word = token.strip(_PUNCTUATION)
        if word and word not in names:
            kept.append(word)
    return " ".join(kept) or None
