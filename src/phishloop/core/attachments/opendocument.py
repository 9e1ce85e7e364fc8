"""OpenDocument files (odt/ods/odp): Basic and script macros, embedded objects and
hyperlinks."""

from __future__ import annotations

import html
import re
import zipfile

from phishloop.core.attachments import fields
from phishloop.core.attachments.expand import refuse_package
from phishloop.core.attachments.members import add_zip_member
from phishloop.core.attachments.tree import Node, Walk

# Basic modules (Basic/<library>/<module>.xml, not the library indexes) and script files
_ODF_MACRO = re.compile(r"Basic/[^/]{1,200}/(?!script-lb|dialog-lb)[^/]{1,200}\.xml$|Scripts/.")
_ODF_HREF = re.compile(r"xlink:href=\"([^\"]{1,4000})\"")
_ODF_TYPE = re.compile(r"application/vnd\.oasis\.opendocument\.[a-z.-]{1,60}")
_EMBEDDED_OBJECT = re.compile(r"Object \d{1,6}")


def analyze_opendocument(
    walk: Walk, node: Node, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]
) -> None:
    """OpenDocument: Basic/script macros, embedded objects and hyperlinks."""
    node.kind = "odf"
    refuse_package(walk, node.path, infos)
    declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
    node.detected_type = declared if _ODF_TYPE.fullmatch(declared) else "application/zip"
    names = [info.filename for info in infos]
    scripts = [n for n in names if _ODF_MACRO.match(n)]
    if scripts:
        node.flag("macro", f"OpenDocument scripts: {', '.join(scripts[:5])}", key="macro")
    if "content.xml" in names:
        content = archive.read("content.xml").decode("utf-8", "replace")
        for href in _ODF_HREF.findall(content):
            fields.add_urls(walk, node, html.unescape(href))
    for info in infos:
        if _EMBEDDED_OBJECT.fullmatch(info.filename):
            node.flag("ole-object", info.filename, key="ole-object")
            add_zip_member(walk, node, archive, info, expands=False)
