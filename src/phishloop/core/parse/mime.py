"""Bytes -> a safely parsed message: top-level headers, main text/HTML bodies, attachments.

Parsing uses the stdlib parser with the compat32 policy (raw header strings, several times
faster than `policy.default`), bounded by `feed.BoundedFeedParser`. Embedded messages are
attachments, not walked into: the pipeline analyses them separately.
"""

from __future__ import annotations

from phishloop.core import errors as codes
from phishloop.core.context import AnalysisContext
from phishloop.core.errors import DeadlineExceeded
from phishloop.core.parse.charset import surrogates_to_text
from phishloop.core.parse.feed import parse_bytes
from phishloop.core.parse.parts import MimePart, ParsedMessage, decode_text, part_payload
from phishloop.core.parse.structure import collect_parts, input_problem

__all__ = ["MimePart", "ParsedMessage", "decode_text", "parse_message", "part_payload"]


def parse_message(data: bytes, ctx: AnalysisContext) -> ParsedMessage:
    """Parse `data` within `ctx.limits`; never raises for bad input (problems become
    `ctx.errors`), and always returns a ParsedMessage, even for empty or non-email input."""
    limits = ctx.limits
    if len(data) > limits.max_message_bytes:
        ctx.errors.add(
            codes.LIMIT_MESSAGE_SIZE,
            f"message is {len(data)} bytes; analysed the first {limits.max_message_bytes}",
        )
        data = data[: limits.max_message_bytes]
    data = _strip_leading_noise(data)
    root, depth_cut, failure = parse_bytes(data, max(1, limits.max_mime_depth))
    if failure is not None:
        ctx.errors.add(
            codes.MIME_DEFECT,
            f"MIME structure unreadable ({type(failure).__name__});"
            " headers kept, body taken as one part",
        )
    if depth_cut:
        ctx.errors.add(
            codes.LIMIT_DEPTH,
            f"MIME nesting deeper than {limits.max_mime_depth} "
            "levels; deeper parts kept as opaque attachments",
        )
    all_headers: list[tuple[str, str]] = root._headers  # type: ignore[attr-defined]
    if len(all_headers) > limits.max_headers:
        ctx.errors.add(
            codes.LIMIT_HEADERS,
            f"{len(all_headers)} header fields; only the first {limits.max_headers} used",
        )
    # Undeclared 8-bit bytes arrive as surrogate escapes; turn them into text once, here,
    # so no consumer ever sees (or emits) a lone surrogate.
    headers = [
        (name, surrogates_to_text(value) if not value.isascii() else value)
        for name, value in all_headers[: limits.max_headers]
    ]
    problem = input_problem(data, headers)
    if problem is not None:
        ctx.errors.add(*problem)
    parsed = ParsedMessage(root, data, headers, "", "", [])
    try:
        collect_parts(parsed, ctx)
    except DeadlineExceeded:
        raise
    except Exception as exc:  # keep what was collected; never fail the analysis here
        ctx.errors.add(codes.INTERNAL, f"MIME walk stopped ({type(exc).__name__})")
    return parsed


def _strip_leading_noise(data: bytes) -> bytes:
    """A UTF-8 BOM or blank lines before the first header would hide every header."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data[:1] in (b"\r", b"\n"):
        data = data.lstrip(b"\r\n")
    return data
