"""Bounded decompression: every byte expanded from a container goes through here, so zip
bombs stop at the configured limits with bounded memory and time."""

from __future__ import annotations

import zipfile
from typing import Protocol

from phishloop.core import errors
from phishloop.core.attachments.tree import RATIO_FLOOR_BYTES, Walk
from phishloop.core.errors import LimitExceeded

CHUNK = 256 * 1024


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def refuse_declared(walk: Walk, name: str, declared: int, compressed: int | None) -> None:
    """Raise before extracting a member whose declared size or ratio is already too much.
    (Declared sizes may lie low; `read_capped` catches that while streaming.)"""
    limits = walk.ctx.limits
    if declared > walk.expansion_room():
        raise LimitExceeded(
            errors.LIMIT_EXPANSION, f"{name}: declared size {declared} exceeds the expansion limit"
        )
    if compressed and declared > RATIO_FLOOR_BYTES:
        ratio = declared / compressed
        if ratio > limits.max_expansion_ratio:
            raise LimitExceeded(
                errors.LIMIT_EXPANSION,
                f"{name}: expansion ratio {ratio:.0f} exceeds {limits.max_expansion_ratio:g}",
            )


def refuse_package(walk: Walk, name: str, infos: list[zipfile.ZipInfo]) -> None:
    """Office packages are read part by part, whole: refuse one whose declared total is
    too much, and count the declared total as expanded."""
    declared = sum(info.file_size for info in infos)
    refuse_declared(walk, name, declared, sum(info.compress_size for info in infos))
    walk.count_expanded(declared)


def read_capped(walk: Walk, stream: Readable, name: str, *, count: bool = True) -> bytes:
    """Read `stream` to its end, counting the bytes against the walk's expansion budget
    (unless `count` is False: bytes already counted); raise `LimitExceeded`
    (limit.expansion) as soon as the budget is spent."""
    room = walk.expansion_room()
    parts: list[bytes] = []
    total = 0
    while True:
        walk.ctx.deadline.check()
        chunk = stream.read(min(CHUNK, room - total + 1))
        if not chunk:
            break
        total += len(chunk)
        if count:
            walk.count_expanded(len(chunk))
        if total > room:
            raise LimitExceeded(
                errors.LIMIT_EXPANSION, f"{name}: expands beyond {room} bytes; not analysed"
            )
        parts.append(chunk)
    return b"".join(parts)
