"""What kind of input a file is: a single RFC 822 message, an Outlook .msg, or an mbox."""

from __future__ import annotations

from typing import Literal

from phishloop.core.parse.mbox import looks_like_mbox

InputKind = Literal["eml", "msg", "mbox"]
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file: Outlook .msg


def detect_input_kind(data: bytes, filename: str | None = None) -> InputKind:
    """Decide by content; the file name only breaks a tie (an mbox holding one message)."""
    if data.startswith(CFB_MAGIC):
        return "msg"
    if looks_like_mbox(data):
        return "mbox"
    name = (filename or "").lower()
    if name.endswith((".mbox", ".mbx")) and data.startswith(b"From "):
        return "mbox"
    return "eml"
