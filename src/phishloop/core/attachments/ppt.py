"""OLE objects embedded in legacy PowerPoint files: stored as (often zlib-compressed)
ExOleObjStg records, decompressed here within the expansion budget."""

from __future__ import annotations

import zlib

from phishloop.core import errors
from phishloop.core.attachments.libs import PptFile, PptRecordExOleVbaActiveXAtom
from phishloop.core.attachments.members import MEMBER_TYPE
from phishloop.core.attachments.tree import Node, Walk
from phishloop.core.errors import LimitExceeded

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_RECORDS = 100_000


def embedded_objects(walk: Walk, node: Node) -> None:
    """Extract every embedded OLE storage of a .ppt/.pps/.pot as a child (packaged files,
    linked shortcuts and VBA storages then show up in the tree)."""
    ppt = PptFile(node.data)
    try:
        records = 0
        for stream in ppt.iter_streams():
            for record in stream.iter_records():
                records += 1
                if records > MAX_RECORDS:
                    return
                if isinstance(record, PptRecordExOleVbaActiveXAtom):
                    _add_object(walk, node, record)
    finally:
        ppt.close()


def _add_object(walk: Walk, node: Node, record: PptRecordExOleVbaActiveXAtom) -> None:
    walk.take_member()
    data = bytes(record.data or b"")
    if record.is_compressed():
        data = _inflate(walk, data[4:])
    if not data.startswith(OLE_MAGIC):
        return
    index = sum(1 for child in node.children if child.filename and "object" in child.filename)
    node.flag("ole-object", f"embedded OLE storage #{index + 1}", key="ole-object")
    node.children.append(walk.child(node, data, f"ppt-object-{index + 1}", MEMBER_TYPE))


def _inflate(walk: Walk, compressed: bytes) -> bytes:
    room = walk.expansion_room()
    plain = zlib.decompressobj().decompress(compressed, room + 1)
    walk.count_expanded(len(plain))
    if len(plain) > room:
        raise LimitExceeded(
            errors.LIMIT_EXPANSION, f"embedded PowerPoint object expands beyond {room} bytes"
        )
    return plain
