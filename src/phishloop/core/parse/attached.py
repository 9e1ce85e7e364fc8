"""Messages attached to a wrapper: message/rfc822 parts, .eml files and Outlook .msg files."""

from __future__ import annotations

import re
from dataclasses import dataclass

from phishloop.core.context import AnalysisContext
from phishloop.core.parse.detect import CFB_MAGIC
from phishloop.core.parse.msg import msg_to_rfc822
from phishloop.core.parse.parts import MimePart, ParsedMessage, part_payload

_EML_TYPES = frozenset({"message/rfc822", "message/global"})
_MSG_TYPES = frozenset({"application/vnd.ms-outlook", "application/x-msg"})
# An attached .eml sent as application/octet-stream must start like a message.
_LOOKS_LIKE_MAIL = re.compile(rb"\A(?:From [^\r\n]*\r?\n)?[!-9;-~]{1,76}:")


@dataclass(frozen=True, slots=True)
class AttachedMessage:
    part: MimePart
    data: bytes  # RFC 822 bytes (converted when the attachment was a .msg)
    kind: str  # "rfc822-attachment" | "eml-attachment" | "msg-attachment"


def has_attached_message(wrapper: ParsedMessage) -> bool:
    """Cheap: does any attachment claim to be a message? (No payload is decoded.)"""
    return any(_claimed_kind(part) is not None for part in wrapper.attachments)


def attached_messages(wrapper: ParsedMessage, ctx: AnalysisContext) -> list[AttachedMessage]:
    """Attached messages in document order, at most `limits.max_originals`."""
    found: list[AttachedMessage] = []
    for part in wrapper.attachments:
        if len(found) >= ctx.limits.max_originals:
            ctx.errors.add(
                "limit.originals",
                f"more than {ctx.limits.max_originals} attached messages; the rest not unwrapped",
            )
            break
        kind = _claimed_kind(part)
        if kind is None:
            continue
        data = part_payload(part, ctx)
        if kind == "msg-attachment":
            converted = msg_to_rfc822(data, ctx) if data.startswith(CFB_MAGIC) else None
            if converted is not None:
                found.append(AttachedMessage(part, converted, kind))
        elif data.strip() and (kind == "rfc822-attachment" or _LOOKS_LIKE_MAIL.match(data)):
            found.append(AttachedMessage(part, data, kind))
    return found


def _claimed_kind(part: MimePart) -> str | None:
    if part.content_type in _EML_TYPES:
        return "rfc822-attachment"
    name = (part.filename or "").lower()
    if part.content_type in _MSG_TYPES or name.endswith(".msg"):
        return "msg-attachment"
    if name.endswith(".eml") or part.content_type == "application/eml":
        return "eml-attachment"
    return None
