"""Adding one container member to a node: extract it within the budgets and analyse it,
or list it by name and declared size when it cannot or must not be read."""

from __future__ import annotations

import dataclasses
import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial

from phishloop.core import errors
from phishloop.core.attachments.expand import Readable, read_capped, refuse_declared
from phishloop.core.attachments.names import name_flags
from phishloop.core.attachments.tree import Node, Walk
from phishloop.core.errors import DeadlineExceeded, LimitExceeded, describe_exception
from phishloop.core.model import Attachment

MEMBER_TYPE = "application/octet-stream"  # archives declare no content type for members
Opener = Callable[[], AbstractContextManager[Readable]]


def listed(node: Node, name: str, size: int, *flags: str, reason: str = "") -> Attachment:
    """A member known only by its entry (encrypted, refused by a limit, not extractable):
    name-based flags and declared size, no content hashes."""
    member = Node(
        data=b"",
        filename=name,
        content_type=MEMBER_TYPE,
        path=f"{node.path}/{name or 'unnamed'}",
        depth=node.depth + 1,
    )
    for flag in flags:
        member.flag(flag)
    if reason:
        member.detail("not-analysed", reason)
    name_flags(member, "unknown")
    frozen = member.freeze()
    return dataclasses.replace(frozen, size=size, md5=None, sha1=None, sha256=None)


def add_member(
    walk: Walk,
    node: Node,
    name: str,
    opener: Opener,
    *,
    declared: int,
    compressed: int | None,
    expands: bool = True,
) -> None:
    """Extract one member (refusing it up front when its declared size or ratio is too
    much), analyse it and append it to `node.children`. `expands=False` for members whose
    bytes were already counted (tar content, parts of a checked Office package)."""
    walk.take_member()
    try:
        refuse_declared(walk, name, declared, compressed)
        data, damage = _extract(walk, opener, name, expands)
    except DeadlineExceeded:
        raise
    except LimitExceeded as exc:
        walk.error(exc.code, f"{node.path}/{name}: {exc}")
        node.flag("limit-exceeded", exc.code, key="limit")
        node.children.append(listed(node, name, declared, "limit-exceeded", reason=str(exc)))
        return
    _attach(walk, node, name, declared=declared, data=data, damage=damage)


def _attach(walk: Walk, node: Node, name: str, *, declared: int, data: bytes, damage: str) -> None:
    if damage:
        walk.error(errors.ARCHIVE_PARSE, f"{node.path}/{name}: {damage}")
    if damage and not data:  # unsupported method (Deflate64, ...) or broken from the start
        node.children.append(listed(node, name, declared, "not-extracted", reason=damage))
        return
    child = walk.child(node, data, name, MEMBER_TYPE)
    if damage:
        child = dataclasses.replace(
            child,
            flags=(*child.flags, "truncated"),
            details=(*child.details, ("truncated", damage[:300])),
        )
    node.children.append(child)


def _extract(walk: Walk, opener: Opener, name: str, expands: bool) -> tuple[bytes, str]:
    """Member bytes and, when the stream broke part-way (bad CRC, cut data), why."""
    collected = _Partial()
    try:
        with opener() as stream:
            collected.data = read_capped(walk, _Tee(stream, collected), name, count=expands)
    except LimitExceeded:
        raise
    except Exception as exc:  # corrupt member: keep what was read before the damage
        return collected.so_far(), describe_exception(exc)
    return collected.data, ""


class _Partial:
    def __init__(self) -> None:
        self.data = b""
        self.chunks: list[bytes] = []

    def so_far(self) -> bytes:
        return b"".join(self.chunks)


class _Tee:
    """Keeps a reference to every chunk read, so a failure mid-stream loses nothing."""

    def __init__(self, stream: Readable, partial: _Partial) -> None:
        self._stream = stream
        self._partial = partial

    def read(self, size: int = -1, /) -> bytes:
        chunk = self._stream.read(size)
        self._partial.chunks.append(chunk)
        return chunk


def add_zip_member(
    walk: Walk, node: Node, archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, expands: bool = True
) -> None:
    """`add_member` for one zip entry (declared sizes from the central directory)."""
    add_member(
        walk,
        node,
        info.filename,
        partial(archive.open, info),
        declared=info.file_size,
        compressed=info.compress_size,
        expands=expands,
    )
