"""OOXML packages (docx/xlsx/pptx and macro-enabled variants): macros, DDE, external
relationships (remote templates, linked OLE objects), hyperlinks and embedded objects."""

from __future__ import annotations

import html
import io
import re
import zipfile

from phishloop.core.attachments import fields, vba
from phishloop.core.attachments.expand import refuse_package
from phishloop.core.attachments.libs import msodde
from phishloop.core.attachments.members import add_zip_member
from phishloop.core.attachments.tree import Node, Walk

_RELATIONSHIP = re.compile(r"<(?:\w{1,20}:)?Relationship\b([^>]{0,4000})>")
_ATTRIBUTE = re.compile(r"([\w:]{1,40})\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_MAIN_TYPES = {
    "word/": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-word.document.macroEnabled.12",
    ),
    "xl/": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel.sheet.macroEnabled.12",
    ),
    "ppt/": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
    ),
}
_WORD_PARTS = re.compile(
    r"word/(?:document|header\d{0,4}|footer\d{0,4}|footnotes|endnotes|comments)\.xml"
)
_DDE_LINK = re.compile(r"<(?:\w{1,20}:)?ddeLink\b([^>]{0,4000})>")


def analyze_package(
    walk: Walk, node: Node, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]
) -> None:
    """Analyse an OOXML package (docx/xlsx/pptx and their macro-enabled variants)."""
    node.kind = "ooxml"
    refuse_package(walk, node.path, infos)
    names = [info.filename for info in infos]
    has_vba = any(name.lower().endswith("vbaproject.bin") for name in names)
    macrosheets = any("/macrosheets/" in name.lower() for name in names)
    node.detected_type = _main_type(names, has_vba or macrosheets, node.detected_type)
    for info in infos:
        if info.filename.endswith(".rels"):
            scan_relationships(walk, node, archive.read(info).decode("utf-8", "replace"))
    if macrosheets:
        node.flag("macro", "Excel 4 (XLM) macro sheet", key="macro")
        _auto_open_names(node, archive, names)
    if has_vba:
        vba.scan_macros(walk, node)
    _dde(walk, node, archive, names)
    _embeddings(walk, node, archive, infos)


def _main_type(names: list[str], macros: bool, fallback: str) -> str:
    if any(name.endswith(".fdseq") for name in names):
        return "application/vnd.ms-xpsdocument"
    for prefix, (plain, macro_enabled) in _MAIN_TYPES.items():
        if any(name.startswith(prefix) for name in names):
            if prefix == "xl/" and "xl/workbook.bin" in names:
                return "application/vnd.ms-excel.sheet.binary.macroEnabled.12"
            return macro_enabled if macros else plain
    return fallback if fallback != "application/octet-stream" else "application/zip"


def scan_relationships(walk: Walk, node: Node, xml: str) -> None:
    """External relationships: hyperlinks feed the collector; anything else that loads
    from outside (remote template, linked OLE object, frame) is an `external-link`."""
    for match in _RELATIONSHIP.finditer(xml):
        attrs = _attributes(match.group(1))
        if attrs.get("TargetMode", "").lower() != "external":
            continue
        target = attrs.get("Target", "")
        kind = attrs.get("Type", "").rsplit("/", 1)[-1]
        if kind == "hyperlink":
            fields.add_urls(walk, node, target)
            continue
        fields.external_target(walk, node, target)
        node.flag("external-link", f"{kind}: {target}", key="external-link")
        if kind == "attachedTemplate":
            node.detail("remote-template", target)


def _attributes(tag: str) -> dict[str, str]:
    """The attributes of one XML start tag (the text between its name and `>`)."""
    return {
        m.group(1): html.unescape(m.group(2) or m.group(3) or "") for m in _ATTRIBUTE.finditer(tag)
    }


def _auto_open_names(node: Node, archive: zipfile.ZipFile, names: list[str]) -> None:
    for name in ("xl/workbook.xml", "xl/workbook.bin"):
        if name in names:
            part = archive.read(name)
            if b"Auto_Open" in part or "Auto_Open".encode("utf-16-le") in part:
                node.flag("autoopen", "Auto_Open defined name", key="autoopen")


def _dde(walk: Walk, node: Node, archive: zipfile.ZipFile, names: list[str]) -> None:
    """DDE and remote-content fields in Word parts; DDE links in Excel external links
    (the binary .xlsb form is left to oletools.msodde)."""
    for name in names:
        if _WORD_PARTS.match(name):
            xml = archive.read(name).decode("utf-8", "replace")
            fields.classify_fields(walk, node, fields.word_fields(xml))
        elif name.startswith("xl/externalLinks/") and name.endswith(".xml"):
            xml = archive.read(name).decode("utf-8", "replace")
            links = [_attributes(tag) for tag in _DDE_LINK.findall(xml)]
            fields.classify_dde_links(
                node, [f"{link.get('ddeService', '')} {link.get('ddeTopic', '')}" for link in links]
            )
        elif name.startswith("xl/externalLinks/") and name.endswith(".bin"):
            fields.classify_dde_links(node, msodde.process_xlsx(io.BytesIO(node.data)).splitlines())
            return


def _embeddings(
    walk: Walk, node: Node, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]
) -> None:
    for info in infos:
        lowered = info.filename.lower()
        if "/embeddings/" not in lowered or info.is_dir():
            continue
        is_ole = lowered.rsplit("/", 1)[-1].startswith("oleobject")
        node.flag(
            "ole-object" if is_ole else "embedded-file",
            info.filename,
            key="ole-object" if is_ole else "embedded-file",
        )
        add_zip_member(walk, node, archive, info, expands=False)
