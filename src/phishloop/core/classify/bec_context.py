"""Circumstances the BEC rules weigh: is there BEC wording at all, and is the sender a
free-mail address, a diverging Reply-To or a VIP's display name."""

from __future__ import annotations

from dataclasses import dataclass

from phishloop.core.classify.content import find
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.hostlists import is_freemail
from phishloop.core.classify.vips import matching_vip
from phishloop.core.domains import registered_domain

REQUESTS = ("gift_card", "payment_request", "payroll", "bank_change", "tax_forms")
PRETEXT_ONLY = 0.5  # strength of the context rules when only a pretext was seen


@dataclass(frozen=True, slots=True)
class BecContext:
    label: str  # "W-2 request", "BEC pretext"
    request: bool  # a concrete ask (gift cards, wire, payroll, bank details, W-2)

    @property
    def strength(self) -> float:
        return 1.0 if self.request else PRETEXT_ONLY


_LABELS = {
    "gift_card": "gift-card request",
    "payment_request": "payment request",
    "payroll": "payroll change",
    "bank_change": "bank-detail change",
    "tax_forms": "W-2 request",
}


def bec_context(facts: Facts) -> BecContext | None:
    """The strongest BEC wording in the message, or None."""
    return facts.memo("bec:context", _context)


def _context(facts: Facts) -> BecContext | None:
    for category in REQUESTS:
        if find(facts, "bec", category):
            return BecContext(_LABELS[category], request=True)
    if find(facts, "bec", "pretext"):
        return BecContext("BEC pretext", request=False)
    return None


def freemail_address(facts: Facts) -> str | None:
    """The From or Reply-To address when it is at a free-mail provider."""
    if is_freemail(facts.sender_domain):
        return facts.sender_address
    for address in facts.analysis.message.reply_to:
        domain = address.address.rpartition("@")[2].lower()
        if is_freemail(domain):
            return address.address.lower()
    return None


def diverging_reply_to(facts: Facts) -> str | None:
    """A Reply-To domain registered to someone else than the From domain."""
    sender = facts.sender_registered_domain
    for domain in facts.reply_to_domains:
        if sender and (registered_domain(domain) or domain) != sender:
            return domain
    return None


def vip_match(facts: Facts) -> str | None:
    """The configured VIP whose name the display name carries."""
    vips = facts.config.organisation.vip_names
    return matching_vip(facts.display_name, vips) if vips and facts.display_name else None
