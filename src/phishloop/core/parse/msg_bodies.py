"""The bodies of an Outlook item: plain text, and HTML (stored, or de-encapsulated from RTF)."""

from __future__ import annotations

import codecs
from typing import Any

from phishloop.core import errors as codes
from phishloop.core.context import AnalysisContext

# RTFDE (the RTF de-encapsulator) takes about 10 µs per byte and cannot be interrupted:
# larger RTF bodies are left alone and the plain-text body is used.
MAX_RTF_BYTES = 256 * 1024
_PLAIN_STREAM = "__substg1.0_1000"
_HTML_STREAM = "__substg1.0_10130102"
_INTERNET_CODEPAGE = "3FDE0003"
_CODEPAGES = {
    65001: "utf-8",
    20127: "us-ascii",
    28591: "iso-8859-1",
    1200: "utf-16-le",
    50220: "iso-2022-jp",
    50221: "iso-2022-jp",
    51932: "euc-jp",
    936: "gb18030",
    949: "ks_c_5601-1987",
    950: "big5",
    932: "shift_jis",
    20866: "koi8-r",
    21866: "koi8-u",
    54936: "gb18030",
}


def plain_body(msg: Any, ctx: AnalysisContext) -> str | None:
    text = _call(msg.getStringStream, _PLAIN_STREAM) if hasattr(msg, "getStringStream") else None
    if isinstance(text, str):
        return text
    encapsulated = _deencapsulated(msg, ctx)
    if encapsulated is not None and getattr(encapsulated, "content_type", None) == "text":
        value = getattr(encapsulated, "text", None)
        return value if isinstance(value, str) else None
    return None


def html_body(msg: Any, ctx: AnalysisContext) -> tuple[bytes, str | None] | None:
    """(HTML bytes, charset) from the HTML stream, else from RTF-encapsulated HTML."""
    data = _call(msg.getStream, _HTML_STREAM) if hasattr(msg, "getStream") else None
    if isinstance(data, bytes) and data.strip():
        return data, _codepage_charset(msg)
    encapsulated = _deencapsulated(msg, ctx)
    if encapsulated is not None and getattr(encapsulated, "content_type", None) == "html":
        html = getattr(encapsulated, "html", None)
        if isinstance(html, str):
            return html.encode("utf-8"), "utf-8"
        if isinstance(html, bytes):
            return html, None
    return None


def _deencapsulated(msg: Any, ctx: AnalysisContext) -> Any | None:
    rtf = _call(lambda: msg.rtfBody)
    if not isinstance(rtf, bytes) or not rtf:
        return None
    if len(rtf) > MAX_RTF_BYTES:
        ctx.errors.add(
            codes.MSG_PARSE,
            f"RTF body of {len(rtf)} bytes not converted to HTML "
            f"(limit {MAX_RTF_BYTES}); plain text used",
        )
        return None
    ctx.deadline.check()
    return _call(lambda: msg.deencapsulatedRtf)


def _codepage_charset(msg: Any) -> str | None:
    value = (
        _call(msg.getPropertyVal, _INTERNET_CODEPAGE) if hasattr(msg, "getPropertyVal") else None
    )
    if not isinstance(value, int):
        return None
    if value in _CODEPAGES:
        return _CODEPAGES[value]
    try:
        return codecs.lookup(f"cp{value}").name
    except LookupError:
        return None


def _call(function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except Exception:  # a damaged property reads as missing
        return None
