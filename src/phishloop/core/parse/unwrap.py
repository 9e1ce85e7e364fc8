"""Report unwrapping: from an employee's report to the reported original(s).

Recognised: forward-as-attachment (message/rfc822, .eml, .msg), report-button formats
(Microsoft's reporting-mailbox format, Proofpoint PhishAlarm, Cofense, KnowBe4), ARF
(RFC 5965) and inline forwards (Outlook, Gmail, Apple Mail, Thunderbird; several
languages). A message is taken as a report only with evidence beyond an attachment (see
`report_signals`): a phishing mail carrying an .eml is not a report.
"""

from __future__ import annotations

from dataclasses import dataclass

from phishloop.core import errors as codes
from phishloop.core.context import AnalysisContext
from phishloop.core.errors import DeadlineExceeded
from phishloop.core.model import ReportInfo
from phishloop.core.parse.arf import arf_report, is_arf
from phishloop.core.parse.attached import attached_messages, has_attached_message
from phishloop.core.parse.forward_vocab import FORWARD_SUBJECT
from phishloop.core.parse.headers import decode_header_value
from phishloop.core.parse.inline import inline_original
from phishloop.core.parse.mime import parse_message
from phishloop.core.parse.parts import ParsedMessage
from phishloop.core.parse.report_signals import Signals, gather_signals

MAX_COMMENT_CHARS = 2000
# DMARC failure reports (RFC 6591) use ARF but are machine-made samples, not user reports.
NOT_USER_REPORTS = frozenset({"auth-failure"})


@dataclass
class Original:
    parsed: ParsedMessage
    raw: bytes | None  # original bytes when attached in full
    report: ReportInfo


def find_originals(wrapper: ParsedMessage, ctx: AnalysisContext) -> list[Original]:
    """The reported originals inside `wrapper`; [] when it is not a report."""
    try:
        return _find(wrapper, ctx)
    except DeadlineExceeded:
        raise
    except Exception as exc:  # unwrapping must never take the analysis down
        ctx.errors.add(codes.INTERNAL, f"report unwrapping failed ({type(exc).__name__})")
        return []


def _find(wrapper: ParsedMessage, ctx: AnalysisContext) -> list[Original]:
    if is_arf(wrapper):
        return _from_arf(wrapper, ctx)
    if wrapper.message.get_content_type() == "multipart/report":
        return []  # bounces and read receipts carry the original message, but report nothing
    attached = has_attached_message(wrapper)
    if not attached and not _may_be_inline_report(wrapper, ctx):
        return []  # the common case, decided without parsing addresses
    signals = gather_signals(wrapper, ctx)
    if attached and signals.accepts_attached():
        originals = _from_attachments(wrapper, signals, ctx)
        if originals:
            return originals
    if signals.accepts_inline():
        original = inline_original(wrapper, signals)
        if original is not None:
            parsed, fmt, comment = original
            return [Original(parsed, None, _info(signals, "reconstructed", fmt, comment))]
    return []


def _from_attachments(
    wrapper: ParsedMessage, signals: Signals, ctx: AnalysisContext
) -> list[Original]:
    comment = _comment(wrapper.text_body)
    originals = []
    for attached in attached_messages(wrapper, ctx):
        fmt = signals.button or attached.kind
        parsed = parse_message(attached.data, ctx)
        originals.append(Original(parsed, attached.data, _info(signals, "full", fmt, comment)))
    return originals


def _from_arf(wrapper: ParsedMessage, ctx: AnalysisContext) -> list[Original]:
    report = arf_report(wrapper, ctx)
    if report is not None and report.feedback_type in NOT_USER_REPORTS:
        return []
    if report is None:
        ctx.errors.add("report.arf", "ARF report without the reported message")
        return []
    signals = gather_signals(wrapper, ctx)
    fidelity = "full" if report.raw is not None else "reconstructed"
    fmt = f"arf/{report.feedback_type}" if report.feedback_type else "arf"
    info = _info(signals, fidelity, fmt, _comment(wrapper.text_body))
    return [Original(report.original, report.raw, info)]


def _may_be_inline_report(wrapper: ParsedMessage, ctx: AnalysisContext) -> bool:
    if ctx.config.organisation.report_addresses:
        return True
    subject = next((v for n, v in wrapper.headers if n.strip().lower() == "subject"), "")
    return FORWARD_SUBJECT.match(decode_header_value(subject)) is not None


def _info(signals: Signals, fidelity: str, fmt: str, comment: str | None) -> ReportInfo:
    return ReportInfo(
        reporter=signals.reporter,
        fidelity="full" if fidelity == "full" else "reconstructed",
        format=fmt,
        subject=signals.subject or None,
        date=signals.date,
        comment=comment,
    )


def _comment(text: str) -> str | None:
    comment = text.strip()[:MAX_COMMENT_CHARS].strip()
    return comment or None
