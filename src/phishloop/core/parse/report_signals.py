"""Evidence that a message is an employee's report rather than the suspicious mail itself."""

from __future__ import annotations

from dataclasses import dataclass

from phishloop.core.context import AnalysisContext
from phishloop.core.domains import host_in_domains
from phishloop.core.parse.forward_vocab import (
    FORWARD_SUBJECT,
    MICROSOFT_SUBJECT,
    REPORT_SUBJECT,
)
from phishloop.core.parse.headers import decode_header_value, parse_addresses, parse_date
from phishloop.core.parse.parts import ParsedMessage

# Report-button add-ins recognised by headers they put on the report they send. Proofpoint
# PhishAlarm's X-PhishAlarm-* headers are seen in the field; the Cofense and KnowBe4 prefixes
# are their vendor names and are a best effort.
_BUTTON_HEADERS = (
    ("x-phishalarm", "proofpoint-phishalarm"),
    ("x-cofense", "cofense-reporter"),
    ("x-phishme", "cofense-reporter"),
    ("x-knowbe4", "knowbe4-pab"),
    ("x-phishalert", "knowbe4-pab"),
    ("x-phish-alert", "knowbe4-pab"),
)
_LIST_HEADERS = frozenset({"list-id", "list-unsubscribe", "list-post", "list-help"})


@dataclass(frozen=True, slots=True)
class Signals:
    subject: str  # the wrapper's decoded subject
    date: str | None
    reporter: str | None  # the reporting employee's address
    forward_prefix: bool  # FW:, Fwd:, WG:, TR:, RV:, I:, ...
    report_words: bool  # "phishing", "spam", "suspicious", ... in the subject
    button: str | None  # a report-button format recognised from headers or subject
    bulk: bool  # list or bulk traffic: newsletters and lists are not reports
    org_configured: bool
    org_sender: bool  # the wrapper's sender is in organisation.domains
    to_report_address: bool  # a recipient is one of organisation.report_addresses

    def accepts_attached(self) -> bool:
        """May an attached message be taken as the reported original?"""
        if self.button or self.to_report_address:
            return True
        if self.bulk or (self.org_configured and not self.org_sender):
            return False
        return self.forward_prefix or self.report_words or self.org_sender

    def accepts_inline(self) -> bool:
        """May an inline forward at the top of the body be taken as the reported original?
        (A phisher's fake "FW:" from outside is not, once the organisation is configured.)"""
        if self.to_report_address:
            return True
        if self.bulk or (self.org_configured and not self.org_sender):
            return False
        return self.forward_prefix or self.button is not None


def gather_signals(wrapper: ParsedMessage, ctx: AnalysisContext) -> Signals:
    first: dict[str, str] = {}
    recipients: list[str] = []
    names: set[str] = set()
    for name, value in wrapper.headers:
        key = name.strip().lower()
        names.add(key)
        first.setdefault(key, value)
        if key in ("to", "cc", "bcc", "delivered-to", "x-original-to", "envelope-to"):
            recipients.extend(a.address.lower() for a in parse_addresses(value))
    subject = decode_header_value(first.get("subject", ""))
    org = ctx.config.organisation
    reporter = _reporter(first)
    return Signals(
        subject=subject,
        date=parse_date(first["date"]) if "date" in first else None,
        reporter=reporter,
        forward_prefix=FORWARD_SUBJECT.match(subject) is not None,
        report_words=REPORT_SUBJECT.search(subject) is not None,
        button=_button(names, subject, first),
        bulk=_is_bulk(names, first),
        org_configured=bool(org.domains or org.report_addresses),
        org_sender=bool(
            reporter and org.domains and host_in_domains(reporter.rpartition("@")[2], org.domains)
        ),
        to_report_address=bool(set(recipients) & set(org.report_addresses)),
    )


def _reporter(first: dict[str, str]) -> str | None:
    for key in ("x-phishalarm-reporter", "from", "sender"):
        if key in first:
            found = parse_addresses(first[key])
            if found and "@" in found[0].address:
                return found[0].address.lower()
    return None


def _button(names: set[str], subject: str, first: dict[str, str]) -> str | None:
    for prefix, fmt in _BUTTON_HEADERS:
        if any(name.startswith(prefix) for name in names):
            return fmt
    agent = decode_header_value(first.get("x-mailer", first.get("user-agent", ""))).lower()
    if "phish alert" in agent or "knowbe4" in agent:
        return "knowbe4-pab"
    if MICROSOFT_SUBJECT.match(subject):
        return "microsoft-report"
    return None


def _is_bulk(names: set[str], first: dict[str, str]) -> bool:
    if names & _LIST_HEADERS:
        return True
    precedence = first.get("precedence", "").strip().lower()
    return precedence in ("bulk", "list", "junk")
