"""Header value decoding: RFC 5322 unfolding and RFC 2047 encoded words, tolerant of the
8-bit bytes, bad charsets and broken encodings found in real mail."""

from __future__ import annotations

import binascii
import re
from functools import lru_cache

from phishloop.core.parse.charset import decode_bytes, surrogates_to_text
from phishloop.core.parse.cte import decode_base64

MAX_HEADER_CHARS = 64 * 1024  # longer values are cut before decoding
# charset, encoding, text; '?' cannot occur inside a part, so matching is linear.
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,75})\?([bBqQ])\?([^?]*)\?=")
_FWS = " \t\r\n"  # the only characters allowed between two joined words


def unfold(raw: str) -> str:
    """RFC 5322 unfolding; stray line breaks become spaces."""
    if "\n" not in raw and "\r" not in raw:
        return raw
    # str.replace chains are several times faster than a regex here (every header passes).
    value = raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw
    return value.replace("\n ", " ").replace("\n\t", "\t").replace("\n", " ")


def decode_header_value(raw: str) -> str:
    """Unfold and decode a raw header value (RFC 2047 words, raw 8-bit UTF-8 or cp1252)."""
    if "=?" not in raw and raw.isascii():
        # Most values (trace headers, ids): nothing to decode, and too unique to cache.
        return unfold(raw[:MAX_HEADER_CHARS]).strip()
    # Short values repeat a lot across messages (names, subjects of a campaign): cache them.
    return _decode_cached(raw) if len(raw) <= 512 else _decode(raw)


@lru_cache(maxsize=8192)
def _decode_cached(raw: str) -> str:
    return _decode(raw)


def _decode(raw: str) -> str:
    value = unfold(raw[:MAX_HEADER_CHARS])
    if not value.isascii():
        value = surrogates_to_text(value)
    if "=?" not in value:
        return value.strip()
    return _decode_words(value).strip()


def _decode_words(value: str) -> str:
    """Decode encoded words; whitespace between adjacent words is dropped (RFC 2047 6.2),
    and adjacent words in one charset are joined before decoding so multi-byte characters
    split across words survive."""
    pieces = _ENCODED_WORD.split(value)  # text, (charset, encoding, text) per word, text
    if _one_run(pieces):
        data = b"".join(map(_word_bytes, pieces[2::4], pieces[3::4]))
        charset = pieces[-4].split("*", 1)[0]  # the last word's, as `_decode_each` flushes
        return pieces[0] + (decode_bytes(data, charset)[0] if data else "") + pieces[-1]
    return _decode_each(value)


def _decode_each(value: str) -> str:
    """`_decode_words` word by word: flushes the bytes gathered whenever text other than
    folding whitespace, or another charset, comes between two words."""
    out: list[str] = []
    pending = bytearray()
    pending_charset: str | None = None
    pending_key = ""  # pending_charset lower-cased
    position = 0
    # Antispam headers carry ~60 words each: this loop is kept lean.
    for match in _ENCODED_WORD.finditer(value):
        start = match.start()
        charset, encoding, text = match.groups()
        if "*" in charset:
            charset = charset.split("*", 1)[0]
        key = charset.lower()
        if start != position and (pending_charset is None or value[position:start].strip(_FWS)):
            out.append(_flush(pending, pending_charset))
            out.append(value[position:start])
            pending_charset = None
        elif pending_charset is not None and key != pending_key:
            out.append(_flush(pending, pending_charset))
        pending += _word_bytes(encoding, text)
        pending_charset, pending_key = charset, key
        position = match.end()
    out.append(_flush(pending, pending_charset))
    out.append(value[position:])
    return "".join(out)


def _one_run(pieces: list[str]) -> bool:
    """True when the encoded words are one run: only folding whitespace between them, all
    in one charset (antispam headers carry ~60 such words). `_decode_words` then decodes
    them in one go, with the result of `_decode_each`."""
    if len(pieces) < 5 or any(gap.strip(_FWS) for gap in pieces[4:-1:4]):
        return False
    charsets = {charset.split("*", 1)[0].lower() for charset in pieces[1::4]}
    return len(charsets) == 1


def _word_bytes(encoding: str, text: str) -> bytes:
    data = text.encode("ascii", "replace")
    if encoding in "bB":
        return decode_base64(data)[0]
    try:
        return binascii.a2b_qp(data, header=True)
    except (binascii.Error, ValueError):
        return data


def _flush(pending: bytearray, charset: str | None) -> str:
    if charset is None or not pending:
        pending.clear()
        return ""
    text = decode_bytes(bytes(pending), charset)[0]
    pending.clear()
    return text
