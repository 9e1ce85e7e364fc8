"""Archives other than zip: gzip/bzip2/xz streams, tar, 7z (py7zr, in memory) and rar
(rarfile: listing in pure Python; only stored members are read, never an external tool)."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from typing import IO

import py7zr
import rarfile

from phishloop.core.attachments import sevenzip
from phishloop.core.attachments.expand import Readable
from phishloop.core.attachments.members import add_member, listed
from phishloop.core.attachments.names import extension
from phishloop.core.attachments.tree import Node, Walk

_STREAMS: dict[str, Callable[[IO[bytes]], AbstractContextManager[Readable]]] = {
    "gzip": gzip.open,
    "bzip2": bz2.open,
    "xz": lzma.open,
}
_INNER_EXTENSIONS = {"tgz": ".tar", "tbz": ".tar", "tbz2": ".tar", "txz": ".tar"}


def analyze_compressed(walk: Walk, node: Node) -> None:
    """A single compressed stream: its content is one child (often a tar)."""
    node.flag("archive")
    opener = _STREAMS[node.kind]
    name = node.filename or "data"
    ext = extension(name)
    inner = name[: -len(ext) - 1] + _INNER_EXTENSIONS.get(ext, "") if ext else name + ".out"
    add_member(
        walk,
        node,
        inner,
        lambda: opener(io.BytesIO(node.data)),
        declared=0,
        compressed=len(node.data),
    )


def analyze_tar(walk: Walk, node: Node) -> None:
    """A tar archive (already decompressed, so sizes are bounded by the input)."""
    node.flag("archive")
    with tarfile.open(fileobj=io.BytesIO(node.data), mode="r:") as archive:
        for member in archive:
            walk.ctx.deadline.check()
            if member.isfile():
                opener = partial(_tar_member, archive, member)
                add_member(
                    walk,
                    node,
                    member.name,
                    opener,
                    declared=member.size,
                    compressed=None,
                    expands=False,
                )
            elif member.issym() or member.islnk():
                node.detail("link", f"{member.name} -> {member.linkname}")


def _tar_member(
    archive: tarfile.TarFile, member: tarfile.TarInfo
) -> AbstractContextManager[Readable]:
    stream = archive.extractfile(member)
    return nullcontext(stream if stream is not None else io.BytesIO())


def analyze_7z(walk: Walk, node: Node) -> None:
    """7z: members listed; unless password-protected, extracted in memory within limits."""
    node.flag("archive")
    try:
        archive = py7zr.SevenZipFile(io.BytesIO(node.data), mode="r")
    except py7zr.exceptions.PasswordRequired:
        node.flag("encrypted", "7z with encrypted headers (names hidden)", key="encrypted")
        return
    with archive:
        sevenzip.extract_members(walk, node, archive)


def analyze_rar(walk: Walk, node: Node) -> None:
    """rar: members listed from the headers; stored (uncompressed) members are read
    directly, compressed ones would need an external tool and stay unread."""
    node.flag("archive")
    archive = rarfile.RarFile(io.BytesIO(node.data))
    if archive.needs_password():
        node.flag("encrypted", "password-protected rar", key="encrypted")
    for info in archive.infolist():
        if info.is_dir():
            continue
        if _readable_in_python(info):
            add_member(
                walk,
                node,
                info.filename,
                partial(archive.open, info),
                declared=info.file_size,
                compressed=info.compress_size,
            )
            continue
        walk.take_member()
        encrypted = bool(info.needs_password())
        flags = ("encrypted",) if encrypted else ("not-extracted",)
        reason = "password-protected" if encrypted else "compressed rar member needs unrar"
        node.children.append(
            listed(node, info.filename, info.file_size or 0, *flags, reason=reason)
        )


def _readable_in_python(info: rarfile.RarInfo) -> bool:
    """Stored, unencrypted, plain members are copied out by rarfile itself; anything else
    would make it start an external unrar process, which the core never does."""
    return (
        not rarfile.FORCE_TOOL
        and info.compress_type == rarfile.RAR_M0
        and not info.needs_password()
        and info.file_redir is None
        and not (info.flags & rarfile.RAR_FILE_SPLIT_BEFORE)
    )
