"""7z members extracted in memory by py7zr, with a writer that stops at the budget."""

from __future__ import annotations

import io

import py7zr
from py7zr.io import Py7zIO, WriterFactory

from phishloop.core import errors
from phishloop.core.attachments.expand import refuse_declared
from phishloop.core.attachments.members import MEMBER_TYPE, listed
from phishloop.core.attachments.tree import Node, Walk
from phishloop.core.errors import LimitExceeded


def extract_members(walk: Walk, node: Node, archive: py7zr.SevenZipFile) -> None:
    """List every file; extract them all in one pass (7z blocks are solid) when the
    archive is not password-protected and its declared sizes fit the budget."""
    files = [info for info in archive.list() if not info.is_directory]
    for _ in files:
        walk.take_member()
    encrypted = archive.needs_password()
    declared = sum(info.uncompressed or 0 for info in files)
    refusal = "password-protected" if encrypted else _refusal(walk, node, archive, declared)
    if encrypted:
        node.flag("encrypted", "password-protected 7z", key="encrypted")
    if refusal:
        flag = "encrypted" if encrypted else "limit-exceeded"
        node.children.extend(
            listed(node, info.filename, info.uncompressed or 0, flag, reason=refusal)
            for info in files
        )
        return
    factory = _CappedFactory(walk, walk.expansion_room())
    archive.extractall(factory=factory)
    for info in files:
        product = factory.products.get(info.filename)
        data = product.getvalue() if product is not None else b""
        node.children.append(walk.child(node, data, info.filename, MEMBER_TYPE))


def _refusal(walk: Walk, node: Node, archive: py7zr.SevenZipFile, declared: int) -> str:
    compressed = sum(info.compressed or 0 for info in archive.list()) or len(node.data)
    try:
        refuse_declared(walk, node.path, declared, compressed)
    except LimitExceeded as exc:
        walk.error(exc.code, f"{node.path}: {exc}")
        node.flag("limit-exceeded", exc.code, key="limit")
        return str(exc)
    return ""


class _CappedFactory(WriterFactory):
    """Collects extracted members in memory; raises once the budget is spent, which
    stops py7zr's (single-threaded, in-memory) extraction at once."""

    def __init__(self, walk: Walk, room: int) -> None:
        self.walk = walk
        self.room = room
        self.used = 0
        self.products: dict[str, _CappedIO] = {}

    def create(self, filename: str) -> Py7zIO:
        product = _CappedIO(self)
        self.products[filename] = product
        return product


class _CappedIO(Py7zIO):
    def __init__(self, factory: _CappedFactory) -> None:
        self._factory = factory
        self._buffer = io.BytesIO()

    def write(self, s: bytes | bytearray) -> int:
        factory = self._factory
        factory.used += len(s)
        factory.walk.count_expanded(len(s))
        if factory.used > factory.room:
            raise LimitExceeded(
                errors.LIMIT_EXPANSION, f"7z content expands beyond {factory.room} bytes"
            )
        factory.walk.ctx.deadline.check()
        return self._buffer.write(s)

    def read(self, size: int | None = None) -> bytes:
        return self._buffer.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._buffer.seek(offset, whence)

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self._buffer.getbuffer().nbytes

    def getvalue(self) -> bytes:
        return self._buffer.getvalue()
