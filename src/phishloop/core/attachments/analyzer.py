"""Entry point: the bytes of one attachment in, an `Attachment` tree out."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import lru_cache

from phishloop.core import errors
from phishloop.core.attachments.detect import detect
from phishloop.core.attachments.names import content_family, name_flags
from phishloop.core.attachments.tree import NestedEmailAnalyzer, Node, Walk
from phishloop.core.context import AnalysisContext
from phishloop.core.errors import LimitExceeded, describe_exception
from phishloop.core.model import Attachment
from phishloop.core.urls.collector import UrlCollector

Handler = Callable[[Walk, Node], None]

# (module of this package, function) by kind. A handler's module is imported when the first
# attachment of its kind arrives: PDF, Office, OLE and archive libraries take longer to
# import than most messages take to analyse, and many runs never meet one of them.
_HANDLERS: dict[str, tuple[str, str]] = {
    "zip": ("zips", "analyze_zip"),
    "gzip": ("archives", "analyze_compressed"),
    "bzip2": ("archives", "analyze_compressed"),
    "xz": ("archives", "analyze_compressed"),
    "tar": ("archives", "analyze_tar"),
    "7z": ("archives", "analyze_7z"),
    "rar": ("archives", "analyze_rar"),
    "ole": ("ole", "analyze_ole"),
    "office-xml": ("office", "analyze_office_xml"),
    "rtf": ("office", "analyze_rtf"),
    "pdf": ("pdf", "analyze_pdf"),
    "image": ("qr", "analyze_image"),
    "html": ("markup", "analyze_html_attachment"),
    "calendar": ("markup", "analyze_calendar"),
    "text": ("markup", "analyze_text"),
    "email": ("documents", "analyze_email"),
    "onenote": ("documents", "analyze_onenote"),
}
_PARSE_ERRORS = {
    **dict.fromkeys(("zip", "gzip", "bzip2", "xz", "tar", "7z", "rar"), errors.ARCHIVE_PARSE),
    **dict.fromkeys(("ole", "ooxml", "odf", "rtf", "office-xml"), errors.OFFICE_PARSE),
    "msg": errors.MSG_PARSE,
    "pdf": errors.PDF_PARSE,
    "image": errors.IMAGE_PARSE,
    "html": errors.HTML_PARSE,
    "calendar": errors.ICS_PARSE,
}
_CONTAINER_KINDS = frozenset(
    {"zip", "gzip", "bzip2", "xz", "tar", "7z", "rar", "ole", "email", "onenote", "pdf"}
)


def analyze_attachment(
    data: bytes,
    *,
    filename: str | None,
    content_type: str,
    ctx: AnalysisContext,
    urls: UrlCollector,
    path: str,
    depth: int = 0,
    nested: NestedEmailAnalyzer | None = None,
) -> Attachment:
    """Analyse one attachment: detected type, hashes, flags with evidence in `details`,
    containers opened recursively within `ctx.limits`, URLs added to `urls` with source
    `attachment:<path>`. Never raises for hostile input; problems go to `ctx.errors`."""
    walk = Walk(ctx=ctx, urls=urls, nested=nested, analyze_node=_analyze_node, root_size=len(data))
    node = Node(
        data=data,
        filename=filename,
        content_type=content_type or "application/octet-stream",
        path=path,
        depth=depth,
    )
    return _analyze_node(walk, node)


def _analyze_node(walk: Walk, node: Node) -> Attachment:
    if walk.ctx.on_attachment_bytes is not None:
        walk.ctx.on_attachment_bytes(node.data, node.path)
    node.detected_type, node.kind = detect(node.data, node.filename, node.content_type)
    if node.kind == "executable":
        node.flag("executable", node.detected_type, key="executable")
    handler = _handler_for(node.kind)
    if handler is not None and _may_open(walk, node):
        _run(handler, walk, node)
    name_flags(node, content_family(node))
    return node.freeze()


@lru_cache(maxsize=64)  # keyed on the few kinds `detect` names
def _handler_for(kind: str) -> Handler | None:
    """The function that opens attachments of `kind` (None for kinds only hashed)."""
    target = _HANDLERS.get(kind)
    if target is None:
        return None
    module = importlib.import_module(f"{__package__}.{target[0]}")
    handler: Handler = getattr(module, target[1])
    return handler


def _may_open(walk: Walk, node: Node) -> bool:
    if node.kind not in _CONTAINER_KINDS or node.depth <= walk.ctx.limits.max_archive_depth:
        return True
    node.flag("limit-exceeded", "archive depth", key="limit")
    walk.error(
        errors.LIMIT_ARCHIVE_DEPTH,
        f"{node.path}: nested deeper than {walk.ctx.limits.max_archive_depth}",
    )
    return False


def _run(handler: Handler, walk: Walk, node: Node) -> None:
    """Run one handler; limits and library failures become errors, never exceptions."""
    try:
        handler(walk, node)
    except LimitExceeded as exc:
        node.flag("limit-exceeded", exc.code, key="limit")
        walk.error(exc.code, f"{node.path}: {exc}")
    except RecursionError:
        walk.error(_parse_error(node.kind), f"{node.path}: structure nested too deeply")
    except Exception as exc:  # third-party parsers fail in countless ways on hostile bytes
        message = f"{node.path}: {describe_exception(exc)}"
        walk.error(_parse_error(node.kind), message)


def _parse_error(kind: str) -> str:
    return _PARSE_ERRORS.get(kind, errors.ATTACHMENT_PARSE)
