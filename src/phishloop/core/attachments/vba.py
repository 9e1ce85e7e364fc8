"""VBA and Excel 4 (XLM) macros, through oletools.olevba (in memory, nothing executed)."""

from __future__ import annotations

from phishloop.core.attachments.libs import olevba
from phishloop.core.attachments.tree import Node, Walk

MAX_KEYWORDS = 40


def scan_macros(walk: Walk, node: Node) -> None:
    """Flag `macro` (VBA or XLM) and `autoopen`; suspicious keywords go to `details`, URLs
    found in macro code to the collector with source "macro"."""
    parser = olevba.VBA_Parser(node.filename or "attachment", data=node.data)
    try:
        if parser.type == "Text":  # olevba reads any text file as VBA source: not a macro
            return
        has_vba = bool(parser.detect_vba_macros())
        has_xlm = bool(parser.detect_xlm_macros())
        if not (has_vba or has_xlm):
            return
        node.flag("macro", "VBA" if has_vba else "Excel 4 (XLM)", key="macro")
        walk.ctx.deadline.check()
        _keywords(walk, node, parser)
    finally:
        parser.close()


def _keywords(walk: Walk, node: Node, parser: olevba.VBA_Parser) -> None:
    results = parser.analyze_macros() or []
    for kind, keyword, _description in list(results)[:MAX_KEYWORDS]:
        text = str(keyword)
        if kind == "AutoExec":
            node.flag("autoopen", text, key="autoopen")
        elif kind == "Suspicious":
            node.detail("macro-suspicious", text)
        elif kind == "IOC":
            node.detail("macro-ioc", text)
            if "://" in text:
                walk.urls.add(text, node.source, "macro")
