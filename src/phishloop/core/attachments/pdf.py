"""PDF attachments: encryption, active content (JavaScript, Launch, automatic actions),
link URLs, embedded files (pypdf); QR codes and text URLs on rendered pages (pdfpages)."""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from phishloop.core.attachments import pdfactions, pdfpages
from phishloop.core.attachments.members import MEMBER_TYPE, listed
from phishloop.core.attachments.tree import Node, Walk

MAX_ANNOTATIONS = 500
MAX_TREE_ENTRIES = 200
MAX_TREE_NODES = 2000
MAX_TREE_DEPTH = 32


def analyze_pdf(walk: Walk, node: Node) -> None:
    """Flags `encrypted`, `pdf-javascript`, `autoopen`, `embedded-file`; URLs from link
    annotations and actions go to the collector with sources attachment:<path> and pdf."""
    reader = PdfReader(io.BytesIO(node.data), strict=False)
    if reader.is_encrypted and not _open_encrypted(node, reader):
        return
    actions = pdfactions.ActionScanner(walk, node)
    root = _dict(reader.trailer.get("/Root"))
    actions.scan(root.get("/OpenAction"), "OpenAction", automatic=True)
    actions.scan_additional(root.get("/AA"), "document")
    names = _dict(root.get("/Names"))
    for _name, action in _name_tree(names.get("/JavaScript")):
        actions.scan(action, "document JavaScript", automatic=True)
    if "/AcroForm" in root and "/XFA" in _dict(root.get("/AcroForm")):
        node.detail("pdf-xfa", "XFA form")
    _pages(walk, node, root, actions)
    _embedded_files(walk, node, _name_tree(names.get("/EmbeddedFiles")))
    pdfpages.scan_pages(walk, node)


def _open_encrypted(node: Node, reader: PdfReader) -> bool:
    """Many PDFs are encrypted with an empty user password (restrictions only): those
    open; anything else is a password-protected PDF."""
    try:
        opened = bool(reader.decrypt(""))
    except Exception:  # unsupported encryption handler
        opened = False
    if opened:
        node.detail("pdf-encryption", "empty user password (permissions only)")
    else:
        node.flag("encrypted", "password-protected PDF", key="encrypted")
    return opened


def _pages(
    walk: Walk, node: Node, root: DictionaryObject, actions: pdfactions.ActionScanner
) -> None:
    annotations = 0
    for number, page in enumerate(_first_pages(root, walk.ctx.limits.max_pdf_pages), 1):
        walk.ctx.deadline.check()
        actions.scan_additional(page.get("/AA"), f"page {number}")
        for ref in _array(page.get("/Annots")):
            annotations += 1
            if annotations > MAX_ANNOTATIONS:
                return
            annotation = _dict(ref)
            actions.scan(annotation.get("/A"), f"page {number} link", automatic=False)
            actions.scan_additional(annotation.get("/AA"), f"page {number} annotation")


def _first_pages(root: DictionaryObject, limit: int) -> list[DictionaryObject]:
    """The first `limit` pages, walking the page tree lazily (pypdf's own page list reads
    the whole tree first, which is slow on long documents and unbounded on hostile ones)."""
    pages: list[DictionaryObject] = []
    stack: list[tuple[object, int]] = [(root.get("/Pages"), 0)]
    visited = 0
    while stack and len(pages) < limit and visited < MAX_TREE_NODES:
        reference, depth = stack.pop()
        visited += 1
        tree_node = _dict(reference)
        kids = _array(tree_node.get("/Kids"))
        if not kids:
            if tree_node:
                pages.append(tree_node)
        elif depth < MAX_TREE_DEPTH:
            stack.extend((kid, depth + 1) for kid in reversed(kids[:MAX_TREE_NODES]))
    return pages


def _embedded_files(walk: Walk, node: Node, files: list[tuple[str, object]]) -> None:
    for name, spec_ref in files:
        spec = _dict(spec_ref)
        stream = _dict(spec.get("/EF")).get("/F")
        filename = str(spec.get("/UF") or spec.get("/F") or name or "embedded")
        node.flag("embedded-file", filename, key="embedded-file")
        walk.take_member()
        if stream is None:
            continue
        data = stream.get_object().get_data()
        if len(data) > walk.expansion_room():
            node.children.append(
                listed(
                    node,
                    filename,
                    len(data),
                    "limit-exceeded",
                    reason="embedded file exceeds the expansion limit",
                )
            )
            continue
        walk.count_expanded(len(data))
        node.children.append(walk.child(node, data, filename, MEMBER_TYPE))


def _name_tree(tree: object, depth: int = 0) -> list[tuple[str, object]]:
    """Entries of a PDF name tree (bounded in depth and size)."""
    node = _dict(tree)
    entries: list[tuple[str, object]] = []
    names = _array(node.get("/Names"))
    for index in range(0, min(len(names), 2 * MAX_TREE_ENTRIES) - 1, 2):
        entries.append((str(names[index]), names[index + 1]))
    if depth < 8:
        for kid in _array(node.get("/Kids"))[:MAX_TREE_ENTRIES]:
            entries.extend(_name_tree(kid, depth + 1))
    return entries[:MAX_TREE_ENTRIES]


def _dict(value: object) -> DictionaryObject:
    resolved = value.get_object() if hasattr(value, "get_object") else value
    return resolved if isinstance(resolved, DictionaryObject) else DictionaryObject()


def _array(value: object) -> ArrayObject:
    resolved = value.get_object() if hasattr(value, "get_object") else value
    return resolved if isinstance(resolved, ArrayObject) else ArrayObject()
