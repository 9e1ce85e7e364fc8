"""Small sender facts shared by the technical rules: list mail, sibling domains."""

from __future__ import annotations

import re

from phishloop.core.classify.facts import Facts
from phishloop.core.domains import registered_domain

_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post", "mailing-list")
_LIST_ADDRESS_HEADERS = (
    "list-id", "list-post", "list-help", "list-unsubscribe", "list-subscribe", "mailing-list",
    "sender",
)  # fmt: skip
_LIST_DOMAIN = re.compile(r"(?:@|<)([a-z0-9][a-z0-9.-]{0,250}\.[a-z]{2,24})>?")


def is_list_mail(facts: Facts) -> bool:
    """Mailing-list or bulk mail: such mail legitimately rewrites Reply-To and Return-Path."""
    if any(name in facts.headers for name in _LIST_HEADERS):
        return True
    precedence = (facts.header("precedence") or "").strip().lower()
    return precedence in ("list", "bulk")


def registrable_label(domain: str) -> str:
    return (registered_domain(domain) or domain).split(".", 1)[0]


def are_siblings(first: str, second: str) -> bool:
    """Two domains that plausibly belong to one owner: same registered domain, same
    registrable label (acme.com, acme.de) or one label inside the other (acme-mail.com)."""
    first_reg, second_reg = registered_domain(first), registered_domain(second)
    if first_reg and first_reg == second_reg:
        return True
    a, b = registrable_label(first), registrable_label(second)
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 3 and shorter in longer


def list_domains(facts: Facts) -> frozenset[str]:
    """Registered domains of the mailing list itself (List-Id, List-Post, list mailto:)."""
    return facts.memo("senders:list-domains", _list_domains)


def _list_domains(facts: Facts) -> frozenset[str]:
    values = " ".join((facts.header(name) or "")[:500].lower() for name in _LIST_ADDRESS_HEADERS)
    found = (registered_domain(d) for d in _LIST_DOMAIN.findall(values))
    return frozenset(d for d in found if d)


def is_list_address(facts: Facts, domain: str) -> bool:
    """`domain` belongs to the mailing list that distributed the message."""
    return registered_domain(domain) in list_domains(facts) if is_list_mail(facts) else False
