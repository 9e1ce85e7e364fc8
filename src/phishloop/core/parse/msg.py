"""Outlook .msg (CFB/MAPI) -> RFC 822 bytes, so the rest of the core sees one format.

extract-msg reads the compound file from memory (nothing is written to disk as long as its
`save*` methods are never called, and they are not). Its loggers are silenced: problems
are recorded as `msg.*` errors instead.
"""

from __future__ import annotations

import logging
from typing import Any

from phishloop.core import errors as codes
from phishloop.core.context import AnalysisContext
from phishloop.core.errors import DeadlineExceeded
from phishloop.core.parse.msg_render import MSG_NOT_MAIL, render_msg

__all__ = ["MSG_NOT_MAIL", "msg_to_rfc822"]

for _name in ("extract_msg", "RTFDE"):
    _logger = logging.getLogger(_name)
    _logger.addHandler(logging.NullHandler())
    _logger.propagate = False
    _logger.setLevel(logging.CRITICAL + 1)


def msg_to_rfc822(data: bytes, ctx: AnalysisContext) -> bytes | None:
    """Convert an Outlook .msg file to RFC 822 bytes (transport headers when stored, else
    headers synthesised from MAPI properties; bodies; attachments; embedded .msg files as
    message/rfc822 parts). None, with an `msg.parse` error, when the file is unreadable."""
    msg = _open(data, ctx)
    if msg is None:
        return None
    try:
        return render_msg(msg, ctx, depth=0)
    except DeadlineExceeded:
        raise
    except Exception as exc:  # extract-msg raises many kinds on hostile files
        ctx.errors.add(codes.MSG_PARSE, f"Outlook .msg not converted ({type(exc).__name__})")
        return None
    finally:
        _close(msg)


def _open(data: bytes, ctx: AnalysisContext) -> Any | None:
    # Imported on first use: extract-msg pulls in bs4, RTFDE and lark (~0.3 s), and only
    # .msg inputs need it.
    import extract_msg  # noqa: PLC0415
    from extract_msg.enums import ErrorBehavior  # noqa: PLC0415

    try:
        return extract_msg.openMsg(
            data, strict=False, delayAttachments=True, errorBehavior=ErrorBehavior.SUPPRESS_ALL
        )
    except Exception as exc:
        ctx.errors.add(codes.MSG_PARSE, f"not a readable Outlook .msg file ({type(exc).__name__})")
        return None


def _close(msg: Any) -> None:
    try:
        msg.close()
    except Exception:  # closing an in-memory file cannot lose data; ignore its errors
        return
