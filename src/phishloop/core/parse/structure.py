"""Walking a parsed MIME tree: body selection, attachments, defects, input sanity.

The walk is iterative with an explicit stack (`Message.walk()` recurses) and bounded by
`limits.max_parts`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from email.message import Message

from phishloop.core import errors as codes
from phishloop.core.context import AnalysisContext
from phishloop.core.parse.headers import decode_header_value
from phishloop.core.parse.parts import MimePart, ParsedMessage, decode_text, part_payload

_BODY_TYPES = ("text/plain", "text/html")
# Header names that show the input is meant as mail (one is enough).
_MAIL_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "subject",
        "date",
        "received",
        "message-id",
        "return-path",
        "mime-version",
        "content-type",
        "delivered-to",
        "reply-to",
        "sender",
        "x-mailer",
        "authentication-results",
        "dkim-signature",
        "x-original-to",
        "envelope-to",
        "bcc",
    }
)
_MAX_FILENAME = 255


def input_problem(data: bytes, headers: list[tuple[str, str]]) -> tuple[str, str] | None:
    """An (error code, message) when the input is empty or does not look like email."""
    if not data.strip():
        return codes.EMPTY_INPUT, "the input is empty"
    if not any(_is_mail_header(name) for name, _ in headers):  # stops at the first one
        return codes.NOT_EMAIL, "the input has no email headers; analysed as plain content"
    return None


def _is_mail_header(name: str) -> bool:
    name = name.strip().lower()
    return name in _MAIL_HEADERS or name.startswith(("x-", "arc-"))


def walk(root: Message, ctx: AnalysisContext) -> Iterator[tuple[Message, str, int]]:
    """Yield (part, path, depth) in document order, at most `limits.max_parts` parts."""
    stack: list[tuple[Message, str, int]] = [(root, "", 0)]
    seen = 0
    while stack:
        part, path, depth = stack.pop()
        seen += 1
        if seen > ctx.limits.max_parts:
            ctx.errors.add(
                codes.LIMIT_PARTS, f"more than {ctx.limits.max_parts} MIME parts; the rest ignored"
            )
            return
        if seen % 256 == 0:
            ctx.deadline.check()
        yield part, path, depth
        children = part.get_payload() if part.is_multipart() else None
        if isinstance(children, list):
            prefix = f"{path}." if path else ""
            stack.extend(
                (child, f"{prefix}{index}", depth + 1)
                for index, child in reversed(list(enumerate(children, 1)))
                if isinstance(child, Message)
            )


def collect_parts(parsed: ParsedMessage, ctx: AnalysisContext) -> None:
    """Fill parsed.text_body, .html_body and .attachments from the MIME tree."""
    texts: list[str] = []
    htmls: list[str] = []
    defects: Counter[str] = Counter()
    first_seen: dict[str, str] = {}
    for part, path, depth in walk(parsed.message, ctx):
        for defect in part.defects:
            name = type(defect).__name__
            defects[name] += 1
            first_seen.setdefault(name, path or "root")
        if part.is_multipart():
            continue
        mime_part = _describe(part, path, depth)
        if _is_body(mime_part):
            text = decode_text(part_payload(mime_part, ctx), part.get_content_charset(), ctx)
            (texts if mime_part.content_type == "text/plain" else htmls).append(text)
        elif len(parsed.attachments) < ctx.limits.max_attachments:
            parsed.attachments.append(mime_part)
        else:
            ctx.errors.add(
                codes.LIMIT_ATTACHMENTS,
                f"more than {ctx.limits.max_attachments} attachments; the rest ignored",
            )
    parsed.text_body = _bounded("\n".join(texts), ctx.limits.max_text_scan_bytes, "text", ctx)
    parsed.html_body = _bounded("\n".join(htmls), ctx.limits.max_html_bytes, "HTML", ctx)
    for name, count in defects.most_common():
        ctx.errors.add(codes.MIME_DEFECT, f"{name} x{count} (first in part {first_seen[name]})")


def _describe(part: Message, path: str, depth: int) -> MimePart:
    return MimePart(
        part=part,
        path=path,
        depth=depth,
        content_type=part.get_content_type(),
        filename=_filename(part),
        disposition=_disposition(part),
        content_id=_content_id(part),
    )


def _is_body(part: MimePart) -> bool:
    return (
        part.content_type in _BODY_TYPES
        and part.disposition != "attachment"
        and part.filename is None
    )


def _filename(part: Message) -> str | None:
    try:
        raw = part.get_filename()
    except (ValueError, TypeError, LookupError, IndexError):
        return None
    if not raw:
        return None
    name = decode_header_value(str(raw)) if "=?" in raw or not raw.isascii() else str(raw)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch >= " " and ch != "\x7f").strip()
    return name[:_MAX_FILENAME] or None


def _disposition(part: Message) -> str | None:
    value = part.get("content-disposition")
    if value is None:
        return None
    token = str(value).split(";", 1)[0].strip().lower()
    if token in ("inline", "attachment"):
        return token
    return "attachment" if token else None  # "attachement" and other misspellings


def _content_id(part: Message) -> str | None:
    value = part.get("content-id")
    if value is None:
        return None
    cid = decode_header_value(str(value)).strip().strip("<>").strip()
    return cid[:998] or None


def _bounded(text: str, limit: int, what: str, ctx: AnalysisContext) -> str:
    if len(text) <= limit:
        return text
    ctx.errors.add(codes.LIMIT_TEXT, f"{what} body longer than {limit} characters; truncated")
    return text[:limit]
