"""Rendering one feedback message (subject, text and HTML) from a `FeedbackRequest`.

Every value from the reported mail passes `shown()` (cleaned, defanged) and, for HTML,
`html.escape`; templates never see raw attacker text. Nothing from the reported mail
becomes a link; the only address repeated verbatim is a safe List-Unsubscribe target
for bulk mail, and even that is text for the reporter to copy, never an <a>.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from string import Template

from phishloop.core.feedback.model import FeedbackRequest, Outcome, RenderedFeedback
from phishloop.core.feedback.safety import clean_text, shown
from phishloop.core.feedback.templates import LanguageTemplates, TemplateSet
from phishloop.core.feedback.unsubscribe import safe_unsubscribe

MAX_SUBJECT_CHARS = 200
_DEFAULT_SET: TemplateSet | None = None


def default_templates() -> TemplateSet:
    """The shipped templates without overrides (built once)."""
    global _DEFAULT_SET  # noqa: PLW0603 - a lazily built, immutable module-level cache
    if _DEFAULT_SET is None:
        _DEFAULT_SET = TemplateSet()
    return _DEFAULT_SET


def render_feedback(
    request: FeedbackRequest, templates: TemplateSet | None = None
) -> RenderedFeedback:
    """The feedback for one reporter; pure and deterministic."""
    lang = (templates or default_templates()).for_language(request.language)
    values = _values(request, lang)
    correction = request.previous_outcome not in (None, request.outcome)
    section = request.outcome.value
    subject_template = lang.get("correction" if correction else section, "subject")
    subject = clean_text(_fill(subject_template, values), MAX_SUBJECT_CHARS)
    escaped = {key: html.escape(value) for key, value in values.items()}
    text_body = _fill(lang.get(section, "text"), values)
    html_body = _fill(lang.get(section, "html"), escaped)
    frame = _Frame(lang, request, correction, subject)
    return RenderedFeedback(
        f"correction+{section}" if correction else section,
        lang.language,
        subject,
        _layout(frame, "text", values, text_body),
        _layout(frame, "html", escaped, html_body),
    )


@dataclass(frozen=True)
class _Frame:
    lang: LanguageTemplates
    request: FeedbackRequest
    correction: bool
    subject: str


def _layout(frame: _Frame, kind: str, values: Mapping[str, str], body: str) -> str:
    lang, request = frame.lang, frame.request
    escape = html.escape if kind == "html" else str
    strings = _strings(lang, request)
    reference = _fill(lang.get("strings", "reference"), values) if request.reference else ""
    return _fill(
        lang.get("layout", kind),
        {
            "greeting": escape(strings["greeting"]),
            "correction": _fill(lang.get("correction", kind), values) if frame.correction else "",
            "body": body,
            "reported": values["reported"],
            "reference_line": reference,
            "signature": escape(clean_text(request.organisation) or strings["signature"]),
            "title": escape(frame.subject),
        },
    )


def _strings(lang: LanguageTemplates, request: FeedbackRequest) -> dict[str, str]:
    name = clean_text(request.reporter_name, 80)
    greeting = (
        _fill(lang.get("strings", "greeting_named"), {"name": name})
        if name
        else lang.get("strings", "greeting")
    )
    return {"greeting": greeting, "signature": lang.get("strings", "signature")}


def _values(request: FeedbackRequest, lang: LanguageTemplates) -> dict[str, str]:
    subject = shown(request.subject) or lang.get("strings", "no_subject")
    sender = shown(request.sender) or lang.get("strings", "unknown_sender")
    date = _date(request, lang)
    values = {
        "subject": subject,
        "sender": sender,
        "date": date,
        "reference": clean_text(request.reference, 80),
        "organisation": clean_text(request.organisation, 80),
        "removal": _removal(request, lang),
        "unsubscribe": _unsubscribe(request, lang),
        "previous": _label(lang, request.previous_outcome),
        "current": _label(lang, request.outcome),
    }
    values["reported"] = _fill(
        lang.get("strings", "reported"), {"subject": subject, "sender": sender, "date": date}
    )
    return values


def _date(request: FeedbackRequest, lang: LanguageTemplates) -> str:
    if request.reported_at is None:
        return lang.get("strings", "unknown_date")
    moment = request.reported_at
    if moment.tzinfo is not None:  # a naive Date header is shown as written
        moment = moment.astimezone(request.timezone)
    zone = clean_text(moment.tzname() or "", 10)
    text = _fill(
        lang.get("strings", "date"),
        {
            "day": str(moment.day),
            "month": lang.months()[moment.month - 1],
            "year": str(moment.year),
            "time": moment.strftime("%H:%M"),
            "zone": zone,
        },
    )
    return text.strip()


def _removal(request: FeedbackRequest, lang: LanguageTemplates) -> str:
    if request.outcome is not Outcome.MALICIOUS:
        return ""
    count = max(0, request.removed_count)
    if count == 0:
        return lang.get("strings", "removed_none")
    key = "mailboxes_one" if count == 1 else "mailboxes_many"
    mailboxes = _fill(lang.get("strings", key), {"count": str(count)})
    return _fill(lang.get("strings", "removed"), {"mailboxes": mailboxes})


def _unsubscribe(request: FeedbackRequest, lang: LanguageTemplates) -> str:
    if request.outcome is not Outcome.BULK:
        return ""
    target = safe_unsubscribe(request.list_unsubscribe)
    if target is None:
        return lang.get("strings", "unsubscribe_none")
    if target.kind == "https":
        return _fill(lang.get("strings", "unsubscribe_https"), {"target": target.target})
    if target.subject:
        subject = clean_text(target.subject, 120)
        return _fill(
            lang.get("strings", "unsubscribe_mailto"), {"target": target.target, "subject": subject}
        )
    return _fill(lang.get("strings", "unsubscribe_mailto_plain"), {"target": target.target})


def _label(lang: LanguageTemplates, outcome: Outcome | None) -> str:
    return lang.get("strings", f"label_{outcome.value}") if outcome else ""


def _fill(template: str, values: Mapping[str, str]) -> str:
    # safe_substitute: templates were checked for unknown names when loaded, and a
    # value containing "$" (a subject, say) must never be expanded a second time.
    return Template(template).safe_substitute(values)
