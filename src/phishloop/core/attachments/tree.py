"""The mutable state of one attachment analysis: the walk over a tree of containers
(`Walk`) and the facts gathered about one node before it is frozen (`Node`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from phishloop.core import errors
from phishloop.core.context import AnalysisContext
from phishloop.core.errors import LimitExceeded
from phishloop.core.model import Attachment, MessageInfo
from phishloop.core.urls.collector import UrlCollector

NestedEmailAnalyzer = Callable[[bytes, str, int], tuple[MessageInfo | None, tuple[Attachment, ...]]]
"""(raw email or .msg bytes, path of the attachment, nesting depth) ->
(summary of the nested mail, its attachments). Provided by the pipeline."""

# Below this many expanded bytes the expansion ratio is not enforced: a 100-byte zip of a
# 30 kB text file is a ratio of 300 and perfectly harmless.
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_DETAILS = 64
MAX_ERRORS_PER_CODE = 5
MAX_DETAIL_CHARS = 300


@dataclass
class Node:
    """Facts about one attachment (or archive member) while it is being analysed."""

    data: bytes
    filename: str | None
    content_type: str
    path: str
    depth: int
    detected_type: str = "application/octet-stream"
    kind: str = "unknown"
    flags: list[str] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)
    children: list[Attachment] = field(default_factory=list)
    message: MessageInfo | None = None
    _sha256: str | None = field(default=None, repr=False)

    def sha256(self) -> str:
        """The hex SHA-256 of `data`, computed once."""
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self.data).hexdigest()
        return self._sha256

    @property
    def source(self) -> str:
        """The URL source naming this attachment, e.g. "attachment:invoice.zip/a.html"."""
        return f"attachment:{self.path or self.filename or 'unnamed'}"

    def flag(self, name: str, evidence: str | None = None, key: str | None = None) -> None:
        if name not in self.flags:
            self.flags.append(name)
        if evidence is not None:
            self.detail(key or name, evidence)

    def detail(self, key: str, value: str) -> None:
        item = (key, value[:MAX_DETAIL_CHARS])
        if len(self.details) < MAX_DETAILS and item not in self.details:
            self.details.append(item)

    def freeze(self) -> Attachment:
        return Attachment(
            filename=self.filename,
            content_type=self.content_type,
            detected_type=self.detected_type,
            size=len(self.data),
            md5=hashlib.md5(self.data, usedforsecurity=False).hexdigest(),
            sha1=hashlib.sha1(self.data, usedforsecurity=False).hexdigest(),
            sha256=self.sha256(),
            flags=tuple(self.flags),
            children=tuple(self.children),
            path=self.path,
            details=tuple(self.details),
            message=self.message,
        )


NodeAnalyzer = Callable[["Walk", Node], Attachment]


@dataclass
class Walk:
    """Budgets shared by every node under one top-level attachment."""

    ctx: AnalysisContext
    urls: UrlCollector
    nested: NestedEmailAnalyzer | None
    analyze_node: NodeAnalyzer
    root_size: int
    members: int = 0
    expanded: int = 0
    error_counts: dict[str, int] = field(default_factory=dict)

    def error(self, code: str, message: str) -> None:
        """Record an error; a bomb can trip one limit a thousand times, so only the first
        few per code are kept, then a single note that more were dropped."""
        count = self.error_counts.get(code, 0) + 1
        self.error_counts[code] = count
        if count <= MAX_ERRORS_PER_CODE:
            self.ctx.errors.add(code, message)
        elif count == MAX_ERRORS_PER_CODE + 1:
            self.ctx.errors.add(code, f"more {code} errors in this attachment not listed")

    def child(self, node: Node, data: bytes, name: str | None, content_type: str) -> Attachment:
        """Analyse `data` found inside `node` (an archive member, an embedded object)."""
        child = Node(
            data=data,
            filename=name,
            content_type=content_type,
            path=f"{node.path}/{name or 'unnamed'}",
            depth=node.depth + 1,
        )
        return self.analyze_node(self, child)

    def take_member(self) -> None:
        """Count one more container member; raises once the tree has too many."""
        self.ctx.deadline.check()
        self.members += 1
        if self.members > self.ctx.limits.max_archive_members:
            raise LimitExceeded(
                errors.LIMIT_ARCHIVE_MEMBERS,
                f"more than {self.ctx.limits.max_archive_members} archive members; rest skipped",
            )

    def expansion_room(self) -> int:
        """How many more bytes may be expanded from containers under this attachment."""
        limits = self.ctx.limits
        by_total = limits.max_expanded_bytes - self.ctx.expanded_bytes
        by_ratio = max(RATIO_FLOOR_BYTES, int(limits.max_expansion_ratio * self.root_size))
        return max(0, min(limits.max_member_bytes, by_total, by_ratio - self.expanded))

    def count_expanded(self, size: int) -> None:
        self.expanded += size
        self.ctx.expanded_bytes += size
