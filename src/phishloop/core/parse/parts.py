"""The parse layer's data: MIME parts and parsed messages, and decoding their content.

`phishloop.core.parse.mime` re-exports everything here; import from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message

from phishloop.core import errors as codes
from phishloop.core.context import AnalysisContext
from phishloop.core.parse.charset import decode_bytes
from phishloop.core.parse.cte import decode_transfer, normalize_cte


@dataclass
class MimePart:
    part: Message  # the part object
    path: str  # position, e.g. "2.1" ("" = root)
    depth: int
    content_type: str  # lower-case "type/subtype"
    filename: str | None  # decoded (RFC 2231 / 2047), path components stripped
    disposition: str | None  # "attachment" | "inline" | None
    content_id: str | None
    _payload: bytes | None = field(default=None, repr=False, compare=False)


@dataclass
class ParsedMessage:
    message: Message  # root
    raw: bytes | None  # the bytes parsed (None if synthesised)
    headers: list[tuple[str, str]]  # top-level headers, raw values, in order
    text_body: str  # decoded main text/plain body (alternatives/inline parts joined)
    html_body: str  # decoded main text/html body
    attachments: list[MimePart]  # non-body leaves and message/* parts (not walked into)


def part_payload(part: MimePart, ctx: AnalysisContext) -> bytes:
    """The part's content with its transfer encoding undone; for message/rfc822 the
    embedded message's bytes. Cached on the part."""
    if part._payload is not None:
        return part._payload
    # The raw payload: get_payload() would already decode 8-bit text with the declared
    # charset (and 'replace'), losing the bytes.
    payload = part.part._payload  # type: ignore[attr-defined]
    if not isinstance(payload, str | bytes):
        part._payload = b""
        return b""
    cte = normalize_cte(part.part.get("content-transfer-encoding"))
    decoded, damaged = decode_transfer(_to_bytes(payload), cte)
    if damaged:
        where = part.filename or part.path or "root"
        ctx.errors.add(
            codes.MIME_DECODE, f"damaged {cte} content in part {where}; decoded what could be read"
        )
    part._payload = decoded
    return decoded


def decode_text(payload: bytes, charset: str | None, ctx: AnalysisContext) -> str:
    """Decode body text with charset fallbacks; records `mime.charset` on problems."""
    text, problem = decode_bytes(payload, charset)
    if problem is not None:
        ctx.errors.add(codes.CHARSET, problem)
    return text


def _to_bytes(payload: str | bytes) -> bytes:
    if isinstance(payload, bytes):
        return payload
    try:
        return payload.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:  # a synthesised part holding real text
        return payload.encode("utf-8", "surrogateescape")
