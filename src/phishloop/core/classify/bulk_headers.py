"""Bulk checks on headers: list headers (RFC 2369/2919/8058), complaint-loop ids and the
fingerprints of mailing services and list servers."""

from __future__ import annotations

import re

from phishloop.core.classify import bulk_signals as signals
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.mailing_services import mailing_services
from phishloop.core.classify.types import Finding

MAX_SHOWN = 100
PRECEDENCE_RE = re.compile(r"^\s*(bulk|list|junk)\b", re.IGNORECASE)
ONE_CLICK_RE = re.compile(r"list-unsubscribe\s*=\s*one-click", re.IGNORECASE)
UNSUBSCRIBE_URI_RE = re.compile(r"<\s*(?:mailto:|https?://)", re.IGNORECASE)
REPLY_RE = re.compile(r"\s*(?:\[[^\]]{0,80}\]\s*)?(?:re|aw|sv|vs|antw|r|rif|odp)\s*:", re.I)
# Senders that never are a person: role local parts and bulk-sending subdomains.
ROLE_LOCAL_RE = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|newsletters?|news|notify|notifications?"
    r"|alerts?|mailer|mailings?|mailing[-_.]?list|mailinglist|lists?|updates?|announce"
    r"|announcements?|digest|marketing|promos?|promotions?|offers|deals|subscribers?"
    r"|campaigns?|bulletin)(?:[-_.+]|$)"
)
ROLE_HOST_RE = re.compile(
    r"(?:^|\.)(?:lists?|news|newsletters?|mailer|mailings?|e?mail\d+|email\d*|em\d*|e\d*|mkt"
    r"|marketing|campaigns?|promo|offers|updates?|alerts?|notify|notifications?)\."
)
BOUNCE_RE = re.compile(r"(?:^|[-_.+])(?:bounces?|bnc|return|verp)(?:[-_.+=]|$)|=")


def _shown(name: str, value: str) -> str:
    return f"{name}: {' '.join(value.split())[:MAX_SHOWN]}"


def list_unsubscribe(facts: Facts) -> Finding | None:
    value = facts.header("list-unsubscribe")
    if value is None or not UNSUBSCRIBE_URI_RE.search(value):
        return None
    return Finding(_shown("List-Unsubscribe", value))


def one_click(facts: Facts) -> Finding | None:
    post = facts.header("list-unsubscribe-post")
    if post is None or not ONE_CLICK_RE.search(post) or facts.header("list-unsubscribe") is None:
        return None
    return Finding("RFC 8058 one-click unsubscribe (List-Unsubscribe-Post)")


def list_id(facts: Facts) -> Finding | None:
    value = facts.header("list-id")
    return Finding(_shown("List-Id", value)) if value and value.strip() else None


def precedence(facts: Facts) -> Finding | None:
    value = facts.header("precedence")
    return Finding(_shown("Precedence", value)) if value and PRECEDENCE_RE.match(value) else None


def feedback_id(facts: Facts) -> Finding | None:
    for name in ("feedback-id", "x-feedback-id"):
        value = facts.header(name)
        if value and value.strip():
            return Finding(_shown("Feedback-ID", value))
    return None


def mailing_service(facts: Facts) -> Finding | None:
    catalogue = mailing_services()
    for name in facts.headers:
        service = catalogue.header_service(name)
        if service is not None:
            return Finding(f"{name} header ({service})")
    mailer = facts.analysis.message.user_agent
    service = catalogue.mailer_service(mailer) if mailer else None
    if mailer and service is not None:
        return Finding(f"X-Mailer {mailer[:60]} ({service})")
    generic = sorted(catalogue.generic_headers.intersection(facts.headers))
    return Finding(f"bulk-mailer headers: {', '.join(generic[:3])}") if generic else None


def service_domain(facts: Facts) -> Finding | None:
    catalogue = mailing_services()
    for where, domain in signals.infrastructure_domains(facts):
        service = catalogue.domain_service(domain)
        if service is not None:
            return Finding(f"{where} domain {domain} ({service})")
    return None


def discussion_list(facts: Facts) -> Finding | None:
    found = signals.discussion_list_marks(facts)
    return Finding(f"list-server headers: {', '.join(found[:3])}") if found else None


def list_discussion(facts: Facts) -> Finding | None:
    """A reply ("Re:" with In-Reply-To) inside one discussion list (List-Id, list-server
    headers) that carries nothing active or deceptive."""
    message = facts.analysis.message
    if not message.in_reply_to or not REPLY_RE.match(facts.subject):
        return None
    if facts.header("list-id") is None or len(facts.headers.get("x-beenthere", ())) > 1:
        return None  # several lists relaying one message: a spam technique, not a thread
    if discussion_list(facts) is None or not signals.looks_harmless(facts):
        return None
    return Finding("a reply within a discussion list, without risky content")


def role_sender(facts: Facts) -> str | None:
    """The From address when its local part or subdomain is a bulk-sending role."""
    address = facts.sender_address
    domain = facts.sender_domain
    if not domain or "@" not in address:
        return None
    local = address.rsplit("@", 1)[0][:100]
    registered = facts.sender_registered_domain or domain
    host = domain[: -len(registered)] if domain.endswith(registered) else ""
    if ROLE_LOCAL_RE.match(local) or (host and ROLE_HOST_RE.search(host)):
        return address
    return None


def bounce_local_part(facts: Facts) -> str | None:
    """The Return-Path local part when it has the shape of a bounce-handling address."""
    path = (facts.analysis.message.return_path or "").strip("<> ").lower()
    if "@" not in path:
        return None
    local = path.rsplit("@", 1)[0][:200]
    if local.startswith(("srs0=", "srs1=")) or "+caf_=" in local:
        return None  # forwarding (SRS, Gmail auto-forward) of any mail, not bulk handling
    if BOUNCE_RE.search(local) or (len(local) >= 24 and sum(c.isdigit() for c in local) >= 6):
        return local
    return None
