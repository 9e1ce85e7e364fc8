"""Making reported-mail text safe to repeat to a reporter.

Subjects and senders are attacker-controlled: they lose control characters (no header
injection, no bidi tricks), get truncated, and have every URL and host name defanged
(hxxps://example[.]com) so no mail client turns them into a link.
"""

from __future__ import annotations

import re

MAX_SHOWN_CHARS = 160
# C0/C1 controls (CR, LF, TAB included), bidi embeddings/overrides/isolates, zero-width.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+")
_SPACES = re.compile(r"\s{2,}")
_SCHEME = re.compile(r"(?i)\b(h)tt(ps?)(?=:|\[:\])|\bftp(?=:)")
# A host: labels and a final alphabetic label of 2+ letters (z.B., e.g. stay as they are).
_HOST = re.compile(r"(?i)(?<![\w.-])(?:[a-z0-9\u00a1-\uffff-]{1,63}\.)+[a-z\u00a1-\uffff]{2,63}\b")
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")


def clean_text(value: str | None, limit: int = MAX_SHOWN_CHARS) -> str:
    """One line of printable text, at most `limit` characters."""
    text = _SPACES.sub(" ", _UNSAFE.sub(" ", value or "")).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def defang(text: str) -> str:
    """hxxps://example[.]com/path for URLs, example[.]com for host names, 192[.]0[.]2[.]1."""
    text = _SCHEME.sub(_defang_scheme, text)
    text = _HOST.sub(lambda match: match.group(0).replace(".", "[.]"), text)
    return _IPV4.sub(lambda match: match.group(0).replace(".", "[.]"), text)


def _defang_scheme(match: re.Match[str]) -> str:
    if match.group(1):
        return f"hxx{match.group(2).lower()}"
    return "fxp"


def shown(value: str | None) -> str:
    """Reported-mail text as the reporter sees it: cleaned, then defanged."""
    return defang(clean_text(value))
