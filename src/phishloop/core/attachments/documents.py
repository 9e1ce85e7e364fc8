"""Attachments that contain other documents: nested emails (.eml, message/rfc822,
Outlook .msg) and OneNote notebooks with embedded files."""

from __future__ import annotations

from phishloop.core.attachments.tree import Node, Walk

# FileDataStoreObject: a file embedded in a OneNote section ([MS-ONESTORE] 2.6.13).
_ONENOTE_FILE = bytes.fromhex("e716e3bd65261145a4c48d4d0b7a9eac")
_ONENOTE_HEADER = 16 + 8 + 4 + 8  # guid, cbLength, unused, reserved


def analyze_email(walk: Walk, node: Node) -> None:
    """Hand a nested email to the pipeline's analyser, which parses it, adds its URLs to
    the same collector and analyses its attachments through us again."""
    if walk.nested is None:
        node.detail("nested-email", "not analysed: no nested-email analyser given")
        return
    message, attachments = walk.nested(node.data, node.path, node.depth + 1)
    node.message = message
    node.children.extend(attachments)


def analyze_onenote(walk: Walk, node: Node) -> None:
    """OneNote sections carry embedded files (2023's favourite malware lure): extract each
    as a child."""
    node.detected_type = "application/onenote"
    data = node.data
    start = 0
    index = 0
    while (position := data.find(_ONENOTE_FILE, start)) >= 0:
        walk.take_member()
        size = int.from_bytes(data[position + 16 : position + 24], "little")
        begin = position + _ONENOTE_HEADER
        payload = data[begin : begin + size]
        index += 1
        node.flag("embedded-file")
        node.children.append(
            walk.child(node, payload, f"embedded-{index}", "application/octet-stream")
        )
        start = begin + len(payload)
    if index:
        node.detail("embedded-file", f"{index} file(s) embedded in the notebook")
