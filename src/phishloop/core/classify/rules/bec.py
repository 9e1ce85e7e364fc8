"""Rules: business e-mail compromise — requests for gift cards, wire transfers, payroll or
bank-detail changes and W-2 forms (data/lexicon/bec.toml), weighed up by the classic
circumstances: a free-mail sender, a diverging Reply-To, a VIP's display name, and no
links or attachments at all (the ask is the payload).
"""

from __future__ import annotations

from phishloop.core.classify.bec_context import (
    bec_context,
    diverging_reply_to,
    freemail_address,
    vip_match,
)
from phishloop.core.classify.content import find, phrase_check, quoted, web_urls
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.types import Finding, Rule

FAMILY = "bec"


def from_freemail(facts: Facts) -> Finding | None:
    context, address = bec_context(facts), freemail_address(facts)
    if context is None or address is None:
        return None
    return Finding(f"{context.label} from free-mail address {address}", context.strength)


def reply_to_elsewhere(facts: Facts) -> Finding | None:
    context, reply_to = bec_context(facts), diverging_reply_to(facts)
    if context is None or reply_to is None:
        return None
    evidence = f"{context.label}; replies go to {reply_to}, not {facts.sender_domain}"
    return Finding(evidence, context.strength)


def vip_display_name(facts: Facts) -> Finding | None:
    context, vip = bec_context(facts), vip_match(facts)
    if context is None or vip is None or (facts.sender_is_internal and facts.authenticated):
        return None
    return Finding(f"{context.label} under VIP name {vip!r} from {facts.sender_address}")


def no_links(facts: Facts) -> Finding | None:
    """A link-free request is BEC's signature, but also how colleagues write: only for mail
    not authenticated as the organisation's own."""
    context = bec_context(facts)
    if context is None or web_urls(facts) or facts.attachments:
        return None
    if facts.sender_is_internal and facts.authenticated:
        return None
    return Finding(f"{context.label} with no links or attachments", context.strength)


def executive_from_freemail(facts: Facts) -> Finding | None:
    context, address = bec_context(facts), freemail_address(facts)
    if context is None or address is None or not context.request:
        return None
    titles = find(facts, FAMILY, "executive")
    if not titles:
        return None
    return Finding(f"executive title {quoted(titles, 1)} signed from {address}")


def _request(category: str, label: str, description: str, weight: float) -> Rule:
    check = phrase_check(FAMILY, category, label, single=0.8)
    return Rule(f"bec.{category.replace('_', '-')}", "bec", weight, description, check)


RULES: tuple[Rule, ...] = (
    _request(
        "gift_card", "gift-card request", "The message asks for gift cards or their codes.", 2.5
    ),
    _request(
        "payment_request",
        "payment request",
        "The message asks for an urgent wire transfer or payment.",
        2.0,
    ),
    _request(
        "payroll",
        "payroll change",
        "The message asks to change a salary or direct-deposit account.",
        2.5,
    ),
    _request(
        "bank_change",
        "bank-detail change",
        "The message announces new bank details for payments.",
        2.0,
    ),
    _request("tax_forms", "W-2 request", "The message asks for employees' W-2 or tax forms.", 2.5),
    Rule(
        "bec.pretext",
        "bec",
        1.0,
        "The message opens like a BEC approach: are you at your desk, I need a quick favour, "
        "keep this confidential.",
        phrase_check(FAMILY, "pretext", "BEC pretext"),
    ),
    Rule(
        "bec.freemail-sender",
        "bec",
        1.5,
        "BEC wording from (or replying to) a free-mail address.",
        from_freemail,
    ),
    Rule(
        "bec.reply-to-elsewhere",
        "bec",
        1.5,
        "BEC wording with replies diverted to another domain than the sender's.",
        reply_to_elsewhere,
    ),
    Rule(
        "bec.vip-display-name",
        "bec",
        2.0,
        "BEC wording under the display name of a configured VIP, not sent by the organisation.",
        vip_display_name,
    ),
    Rule(
        "bec.no-links",
        "bec",
        1.0,
        "BEC wording in a message without links or attachments (the request is the payload).",
        no_links,
    ),
    Rule(
        "bec.executive-freemail",
        "bec",
        1.0,
        "A money or data request signed with an executive title from a free-mail address.",
        executive_from_freemail,
    ),
)
