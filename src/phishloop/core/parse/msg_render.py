"""Rendering an opened extract-msg object as MIME bytes."""

from __future__ import annotations

import base64
import hashlib
import re
from email.utils import encode_rfc2231, format_datetime
from typing import Any

from phishloop.core import errors as codes
from phishloop.core.context import AnalysisContext
from phishloop.core.parse.msg_bodies import html_body, plain_body

MAX_MSG_DEPTH = 5
MAX_HEADER_BLOCK = 1024 * 1024
# Item classes that are mail (or arrive as mail); anything else gets `msg.not-mail`.
MSG_NOT_MAIL = "msg.not-mail"  # the .msg holds a contact, task, note, appointment, ...
_MAIL_CLASSES = (
    "ipm.note",
    "report.",
    "ipm.schedule.meeting",
    "ipm.sharing",
    "ipm.outlook.recall",
    "ipm.recall",
    "ipm.skypeteams.message",
)
_DROPPED_TRANSPORT = ("content-", "mime-version")
_FIELD_NAME = re.compile(r"[!-9;-~]{1,200}")


def render_msg(msg: Any, ctx: AnalysisContext, depth: int) -> bytes:
    """MIME bytes for one .msg item (embedded items recursively, up to MAX_MSG_DEPTH)."""
    ctx.deadline.check()
    item_class = str(_safe(lambda: msg.classType) or "")
    if not item_class.lower().startswith(_MAIL_CLASSES):
        ctx.errors.add(MSG_NOT_MAIL, f"the .msg item is not an email: {item_class or 'unknown'}")
    header_block = _header_block(msg)
    # Deterministic (same .msg, same bytes). No raw line we emit can start with "--": bodies
    # and files are base64, headers are filtered, embedded items are rendered here too.
    digest = hashlib.sha256(f"{depth}\n{header_block}".encode("utf-8", "replace")).hexdigest()
    boundary = f"=_phishloop_{depth}_{digest[:24]}"
    parts = [_body_part(msg, ctx)]
    parts.extend(_attachment_parts(msg, ctx, depth))
    lines = [
        header_block,
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
        "",
    ]
    for part in parts:
        lines += [f"--{boundary}", part]
    lines += [f"--{boundary}--", ""]
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def _header_block(msg: Any) -> str:
    text = _safe(lambda: msg.headerText)
    if isinstance(text, str) and text.strip():
        return _transport_headers(text)
    fields = [
        ("From", _safe(lambda: msg.sender)),
        ("To", _safe(lambda: msg.to)),
        ("Cc", _safe(lambda: msg.cc)),
        ("Subject", _safe(lambda: msg.subject)),
        ("Date", _format_date(_safe(lambda: msg.date))),
        ("Message-ID", _safe(lambda: msg.messageId)),
    ]
    return "\n".join(f"{name}: {_one_line(value)}" for name, value in fields if value)


def _transport_headers(text: str) -> str:
    """The stored transport headers without the original MIME structure fields (the body
    is rebuilt below) and without Outlook's 'Microsoft Mail Internet Headers' banner."""
    text = text[:MAX_HEADER_BLOCK].replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("Microsoft Mail Internet Headers"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    kept: list[str] = []
    keep = True
    for line in text.split("\n"):
        if not line.strip():
            continue
        if line[:1] not in (" ", "\t"):
            name, colon, _ = line.partition(":")
            # Lines that are not fields would end the header section early: drop them.
            keep = (
                bool(colon)
                and _FIELD_NAME.fullmatch(name.strip()) is not None
                and not name.strip().lower().startswith(_DROPPED_TRANSPORT)
            )
        if keep:
            kept.append(line)
    return "\n".join(kept)


def _body_part(msg: Any, ctx: AnalysisContext) -> str:
    plain = plain_body(msg, ctx)
    html = html_body(msg, ctx)
    alternatives = []
    if plain is not None or html is None:
        alternatives.append(_text_part("plain", (plain or "").encode("utf-8"), "utf-8"))
    if html is not None:
        alternatives.append(_text_part("html", html[0], html[1]))
    boundary = "=_phishloop_alt"  # only base64 text sits inside: it cannot collide
    out = [f'Content-Type: multipart/alternative; boundary="{boundary}"', ""]
    for alternative in alternatives:
        out += [f"--{boundary}", alternative]
    out.append(f"--{boundary}--")
    return "\n".join(out)


def _text_part(subtype: str, data: bytes, charset: str | None) -> str:
    declared = f"; charset={charset}" if charset else ""
    return (
        f"Content-Type: text/{subtype}{declared}\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(data).decode("ascii")
    )


def _attachment_parts(msg: Any, ctx: AnalysisContext, depth: int) -> list[str]:
    attachments = _safe(lambda: list(msg.attachments)) or []
    parts: list[str] = []
    for attachment in attachments[: ctx.limits.max_attachments]:
        part = _attachment_part(attachment, ctx, depth)
        if part is not None:
            parts.append(part)
    if len(attachments) > ctx.limits.max_attachments:
        ctx.errors.add(
            codes.LIMIT_ATTACHMENTS,
            f"more than {ctx.limits.max_attachments} attachments in the .msg; the rest ignored",
        )
    return parts


def _attachment_part(attachment: Any, ctx: AnalysisContext, depth: int) -> str | None:
    name = _attachment_name(attachment)
    data = _safe(lambda: attachment.data)
    if data is not None and not isinstance(data, bytes | bytearray):
        return _embedded_part(data, name, ctx, depth)
    if data is None:
        ctx.errors.add(
            codes.MSG_PARSE, f"attachment {name or '(unnamed)'} in the .msg has no readable data"
        )
        return None
    mimetype = str(_safe(lambda: attachment.mimetype) or "application/octet-stream").strip()
    if mimetype.count("/") != 1 or any(c in mimetype for c in ";\r\n\"' "):
        mimetype = "application/octet-stream"
    disposition = "inline" if _safe(lambda: attachment.hidden) else "attachment"
    headers = [
        f"Content-Type: {mimetype}",
        f"Content-Disposition: {disposition}{_filename_param(name)}",
    ]
    content_id = _safe(lambda: attachment.contentId)
    if content_id:
        headers.append(f"Content-ID: <{_one_line(str(content_id)).strip('<>')}>")
    headers += ["Content-Transfer-Encoding: base64", "", base64.encodebytes(bytes(data)).decode()]
    return "\n".join(headers)


def _embedded_part(item: Any, name: str | None, ctx: AnalysisContext, depth: int) -> str | None:
    if depth + 1 > min(MAX_MSG_DEPTH, ctx.limits.max_nested_messages):
        ctx.errors.add(
            codes.LIMIT_NESTED, f"embedded .msg items deeper than {MAX_MSG_DEPTH} levels ignored"
        )
        return None
    inner = render_msg(item, ctx, depth + 1)
    if name and name.lower().endswith(".msg"):
        name = name[:-4] + ".eml"  # the part now holds RFC 822, not CFB
    return (
        f"Content-Type: message/rfc822\nContent-Disposition: attachment"
        f"{_filename_param(name)}\n"
        f"Content-Transfer-Encoding: 8bit\n\n" + inner.decode("utf-8", "surrogateescape")
    )


def _attachment_name(attachment: Any) -> str | None:
    for getter in (
        lambda: attachment.longFilename,
        lambda: attachment.name,
        lambda: attachment.shortFilename,
    ):
        value = _safe(getter)
        if isinstance(value, str) and value.strip():
            return _one_line(value).strip()
    return None


def _filename_param(name: str | None) -> str:
    if not name:
        return ""
    if name.isascii() and not any(c in name for c in '"\\'):
        return f'; filename="{name}"'
    return f"; filename*={encode_rfc2231(name, 'utf-8')}"


def _format_date(value: Any) -> str | None:
    try:
        return format_datetime(value) if value is not None else None
    except (TypeError, ValueError, AttributeError):
        return None


def _one_line(value: Any) -> str:
    """One header-safe line: no CR/LF (header injection), no NULs (MAPI string padding)."""
    return " ".join(str(value).replace("\x00", " ").split())[:4096]


def _safe(getter: Any) -> Any:
    """Read one extract-msg property; a damaged property reads as None."""
    try:
        return getter()
    except Exception:
        return None
