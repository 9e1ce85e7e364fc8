"""Charset handling for hostile mail: declared names are often wrong, misspelt or bogus.

`decode_bytes` never raises: it tries the declared charset, then UTF-8, then cp1252 with
replacement characters, and says what went wrong so the caller can record it.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

# Names mail clients use that Python does not know, or where a superset decodes more
# real-world text correctly (the WHATWG encoding standard makes the same substitutions).
_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-8-i": "iso8859-8",
    "iso-8859-6-i": "iso8859-6",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "windows-874": "cp874",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "cp950",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
    "tis-620": "cp874",
    "utf8mb4": "utf-8",
    "chinesebig5": "cp950",
    "gb2312_charset": "gb18030",
    "cn-gb": "gb18030",
    "x-euc-tw": "cp950",
}
# Declarations that mean "unknown": treated as undeclared, without an error.
_UNKNOWN = frozenset(
    {
        "",
        "unknown",
        "unknown-8bit",
        "x-unknown",
        "x-user-defined",
        "default",
        "none",
        "8bit",
        "us-ascii",
        "ascii",
        "ansi_x3.4-1968",
        "us",
        "charset",
        "auto",
        "default_charset",
    }
)
# Codecs whose ASCII bytes do not mean ASCII text, so the pure-ASCII fast path is wrong.
_ASCII_UNSAFE = (
    "utf-16",
    "utf-32",
    "utf-7",
    "iso2022",
    "hz",
    "cp037",
    "cp500",
    "cp1140",
    "cp273",
    "cp424",
    "cp875",
    "cp1026",
)
_NAME = re.compile(r"[a-z0-9_.:+-]{1,40}")


@lru_cache(maxsize=256)
def codec_for(charset: str | None) -> tuple[str | None, bool]:
    """(Python codec name or None when undeclared/unknown, whether the name was bogus)."""
    if charset is None:
        return None, False
    match = _NAME.search(charset.strip().strip("\"'").lower())
    name = match.group(0) if match else ""
    if name in _UNKNOWN:
        return None, False
    name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None, True
    if not getattr(info, "_is_text_encoding", True):
        return None, True  # base64, rot13, ...: not a text charset
    return info.name, False


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Decode `data`; return (text, problem) where problem explains a fallback, or None."""
    codec, bogus = codec_for(charset)
    problem = f"unknown charset {charset!r}" if bogus else None
    if data.isascii() and (codec is None or not codec.startswith(_ASCII_UNSAFE)):
        return data.decode("ascii"), problem
    if codec is not None:
        try:
            return data.decode(codec), problem
        except UnicodeDecodeError:
            if codec == "cp1252":  # bytes cp1252 leaves undefined: mislabelled UTF-8, or latin-1
                return _utf8_or(data, "latin-1"), problem
            problem = f"text does not match its charset {charset!r}"
            if codec == "utf-8":  # a few bad bytes in UTF-8 text: keep the rest readable
                return data.decode("utf-8", "replace"), problem
        except Exception:  # some codecs raise other errors on hostile bytes
            problem = f"charset {charset!r} failed to decode"
    return _utf8_or(data, "cp1252"), problem


def _utf8_or(data: bytes, fallback: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(fallback, "replace")


def surrogates_to_text(value: str) -> str:
    """Turn a str holding raw 8-bit bytes as surrogate escapes (what the stdlib parser makes
    of undeclared 8-bit header bytes) into text: UTF-8 when valid, else cp1252."""
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # surrogates that are not escapes: nothing to recover
        return value.encode("utf-8", "replace").decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")
