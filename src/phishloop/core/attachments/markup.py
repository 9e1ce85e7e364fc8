"""Text-based attachments: HTML/SVG (smuggling, credential forms), calendar invites and
plain text, handed to the URL extractors with source `attachment:<path>`."""

from __future__ import annotations

from phishloop.core import errors
from phishloop.core.attachments import fields
from phishloop.core.attachments.names import extension
from phishloop.core.attachments.tree import Node, Walk
from phishloop.core.urls.html import analyze_html
from phishloop.core.urls.ics import extract_ics_urls
from phishloop.core.urls.text import extract_text_urls

_SPREADSHEET_TEXT = frozenset({"csv", "tsv", "prn", "dif", "slk", "txt"})


def decode_text(data: bytes) -> str:
    """Best-effort text: UTF-16 when it says so with a BOM, else UTF-8 with replacement."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8-sig", "replace")


def _bounded(walk: Walk, node: Node, limit: int) -> bytes:
    if len(node.data) <= limit:
        return node.data
    walk.error(errors.LIMIT_TEXT, f"{node.path}: only the first {limit} bytes analysed")
    node.flag("truncated", f"first {limit} bytes analysed", key="truncated")
    return node.data[:limit]


def analyze_html_attachment(walk: Walk, node: Node) -> None:
    """HTML or SVG: URLs (links, forms, refreshes), HTML smuggling, password forms."""
    html = decode_text(_bounded(walk, node, walk.ctx.limits.max_html_bytes))
    facts = analyze_html(html, walk.urls, walk.ctx, node.source, visible_text=False).facts
    if facts.smuggling:
        node.flag("html-smuggling", "script assembles a file (Blob / atob / msSaveOrOpenBlob)")
    if facts.password_inputs:
        node.flag(
            "credential-form", f"{facts.password_inputs} password input(s), {facts.forms} form(s)"
        )
    if facts.meta_refresh:
        node.detail("meta-refresh", facts.meta_refresh)
    if facts.scripts:
        node.detail("scripts", str(facts.scripts))


def analyze_calendar(walk: Walk, node: Node) -> None:
    """Calendar invites (.ics): URLs in descriptions, locations, attachments."""
    data = _bounded(walk, node, walk.ctx.limits.max_text_scan_bytes)
    extract_ics_urls(data, walk.urls, walk.ctx, node.source, "ics")


def analyze_text(walk: Walk, node: Node) -> None:
    """Plain text: URLs; DDE formulas when a spreadsheet program would open it."""
    text = decode_text(_bounded(walk, node, walk.ctx.limits.max_text_scan_bytes))
    extract_text_urls(text, walk.urls, walk.ctx, node.source)
    if extension(node.filename) in _SPREADSHEET_TEXT:
        fields.scan_formula_dde(node, text)
