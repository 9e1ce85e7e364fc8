"""Text-based Office formats: RTF (fields, embedded OLE objects) and single-file Office
XML (Word 2003 XML, Flat OPC, Excel XML spreadsheets, SYLK)."""

from __future__ import annotations

import html
import io
import re

from phishloop.core.attachments import fields, ooxml, vba
from phishloop.core.attachments.libs import msodde, rtfobj
from phishloop.core.attachments.markup import decode_text
from phishloop.core.attachments.members import MEMBER_TYPE
from phishloop.core.attachments.tree import Node, Walk

MAX_RTF_OBJECTS = 50
MAX_XML_CHARS = 16 * 1024 * 1024
_WORD2003_LINK = re.compile(r"<w:hlink\b[^>]{0,300}?w:dest=\"([^\"]{1,4000})\"")


def analyze_rtf(walk: Walk, node: Node) -> None:
    """RTF: DDE and link fields, embedded OLE objects (Equation Editor exploits, packaged
    executables) extracted as children."""
    stream = io.BytesIO(node.data)
    stream.seek(4)  # msodde.process_rtf re-adds the "{\rt" it expects to have been read
    fields.classify_fields(walk, node, msodde.process_rtf(stream).splitlines())
    walk.ctx.deadline.check()
    parser = rtfobj.RtfObjParser(node.data)
    parser.parse()
    for obj in parser.objects[:MAX_RTF_OBJECTS]:
        _rtf_object(walk, node, obj)


def _rtf_object(walk: Walk, node: Node, obj: rtfobj.RtfObject) -> None:
    if not obj.is_ole:
        return
    class_name = (obj.class_name or b"").decode("latin-1", "replace").strip("\x00 ")
    node.flag("ole-object", f"OLE object {class_name or '(unnamed)'}", key="ole-object")
    if class_name.lower().startswith("equation"):
        node.detail("ole-object", "Equation Editor object (CVE-2017-11882 lure)")
    walk.take_member()
    if obj.is_package and obj.olepkgdata:
        name = str(obj.filename or "package")
        node.children.append(walk.child(node, bytes(obj.olepkgdata), name, MEMBER_TYPE))
    elif obj.oledata:
        node.children.append(
            walk.child(node, bytes(obj.oledata), class_name or "object", MEMBER_TYPE)
        )


def analyze_office_xml(walk: Walk, node: Node) -> None:
    """Single-file Office XML and SYLK: macros (olevba), DDE fields and formulas,
    external relationships (Flat OPC) and hyperlinks."""
    vba.scan_macros(walk, node)
    text = decode_text(node.data[:MAX_XML_CHARS])
    fields.classify_fields(walk, node, fields.word_fields(text))
    fields.scan_formula_dde(node, html.unescape(text))
    ooxml.scan_relationships(walk, node, text)
    for target in _WORD2003_LINK.findall(text):
        fields.add_urls(walk, node, html.unescape(target))
