"""Structural signals in HTML: hidden text, tracking pixels, HTML smuggling."""

from __future__ import annotations

import re
from typing import Literal

from selectolax.lexbor import LexborHTMLParser, LexborNode

# One cheap C-side query; a selector list of substrings costs more and repeats nodes.
_STYLED = "[style], [hidden]"
_ROOT_TAGS = frozenset({"html", "head", "body"})
_HIDDEN_STYLE = re.compile(
    r"(?=[dDvVfFoO])(?:"  # lets the engine skip to possible first letters
    r"display\s*:\s*none|visibility\s*:\s*hidden"
    r"|(?:font-size|opacity)\s*:\s*0*\.?0+(?:px|pt|em|rem|%)?\s*(?:;|!|$))",
    re.IGNORECASE,
)
_PIXEL_STYLE = re.compile(r"(?<![\w-])(width|height)\s*:\s*(\d{1,6})", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^\s*(\d{1,6})")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]+")  # "+" not "{n,}": runs are maximal, no rescans
LARGE_BASE64_CHARS = 20_000  # ~15 KB of file: more than any inline script needs
_MAX_SCRIPT_SCAN = 4 * 1024 * 1024

ImageKind = Literal["pixel", "external"]


def hidden_elements(tree: LexborHTMLParser) -> list[LexborNode]:
    """Outermost elements hidden by inline style (display:none, visibility:hidden,
    font-size:0, opacity:0) or the `hidden` attribute; nested ones are left out so
    their text is not counted twice."""
    hidden: list[LexborNode] = []
    ids: set[int] = set()
    for node in tree.css(_STYLED):
        if node.tag in _ROOT_TAGS:
            continue  # a hidden <body> still has text to show in other clients
        attrs = node.attributes
        if "hidden" not in attrs and not _HIDDEN_STYLE.search(attrs.get("style") or ""):
            continue
        if node.mem_id in ids:
            continue  # listed twice: it has both attributes
        ids.add(node.mem_id)
        if not _has_ancestor_in(node, ids):
            hidden.append(node)
    return hidden


def _has_ancestor_in(node: LexborNode, ids: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


def image_kind(attrs: dict[str, str | None], remote: bool) -> ImageKind | None:
    """ "pixel" for a remote image of at most 1x1 (or hidden), "external" for any other
    remote image, None for embedded (cid:, data:) ones."""
    if not remote:
        return None
    width = _dimension(attrs.get("width"))
    height = _dimension(attrs.get("height"))
    style = attrs.get("style") or ""
    for name, value in _PIXEL_STYLE.findall(style):
        if name.lower() == "width":
            width = int(value)
        else:
            height = int(value)
    tiny = (width is not None and height is not None and width <= 1 and height <= 1) or 0 in (
        width,
        height,
    )
    return "pixel" if tiny or _HIDDEN_STYLE.search(style) else "external"


def _dimension(value: str | None) -> int | None:
    match = _LEADING_NUMBER.match(value or "")
    return int(match.group(1)) if match else None


def script_smuggles(code: str) -> bool:
    """True for script that assembles a file in the browser: a Blob saved with
    msSaveOrOpenBlob, or turned into an object URL / download, from decoded data; or a
    large base64 payload."""
    code = code[:_MAX_SCRIPT_SCAN]
    low = code.lower()
    builds_blob = "blob(" in low or "blob (" in low
    decodes = "atob(" in low or "base64" in low or "uint8array" in low or "fromcharcode" in low
    saves = "mssaveoropenblob" in low or "mssaveblob" in low
    object_url = "createobjecturl" in low
    downloads = "download" in low
    if saves and (builds_blob or decodes):
        return True
    if builds_blob and (object_url or downloads) and (decodes or downloads):
        return True
    return has_large_base64(code)


def has_large_base64(code: str) -> bool:
    """A single base64 run of at least LARGE_BASE64_CHARS (linear: runs are maximal)."""
    return any(len(run) >= LARGE_BASE64_CHARS for run in _BASE64_RUN.findall(code))


def smuggling_data_url(data_url: str, download: bool) -> bool:
    """A data: link that delivers a file: marked for download, or of an application type."""
    media_type = data_url[5:80].partition(",")[0].partition(";")[0].strip().lower()
    return download or media_type.startswith("application/")
