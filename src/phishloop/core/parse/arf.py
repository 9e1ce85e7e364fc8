"""Abuse Reporting Format (ARF, RFC 5965): multipart/report; report-type=feedback-report,
with a human-readable part, a message/feedback-report part and the reported message as
message/rfc822 (full) or text/rfc822-headers (headers only)."""

from __future__ import annotations

from dataclasses import dataclass

from phishloop.core.context import AnalysisContext
from phishloop.core.parse.mime import parse_message
from phishloop.core.parse.parts import ParsedMessage, part_payload

MAX_FEEDBACK_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class ArfReport:
    original: ParsedMessage
    raw: bytes | None  # None when only the headers were returned
    feedback_type: str | None  # abuse, fraud, virus, other, not-spam, ...


def is_arf(wrapper: ParsedMessage) -> bool:
    root = wrapper.message
    if root.get_content_type() != "multipart/report":
        return False
    report_type = root.get_param("report-type")
    return isinstance(report_type, str) and report_type.strip().lower() == "feedback-report"


def arf_report(wrapper: ParsedMessage, ctx: AnalysisContext) -> ArfReport | None:
    """The reported message of an ARF report, or None when it carries none."""
    feedback_type = None
    for part in wrapper.attachments:
        if part.content_type == "message/feedback-report" and feedback_type is None:
            feedback_type = _feedback_type(part_payload(part, ctx)[:MAX_FEEDBACK_BYTES])
    for part in wrapper.attachments:
        if part.content_type in ("message/rfc822", "message/global"):
            data = part_payload(part, ctx)
            return ArfReport(parse_message(data, ctx), data, feedback_type)
    for part in wrapper.attachments:
        if part.content_type == "text/rfc822-headers":
            headers = part_payload(part, ctx).rstrip(b"\r\n") + b"\n\n"
            return ArfReport(parse_message(headers, ctx), None, feedback_type)
    return None


def _feedback_type(data: bytes) -> str | None:
    for line in data.decode("ascii", "replace").splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "feedback-type":
            return value.strip().lower()[:40] or None
    return None
