"""Rules: bulk and list mail — list headers, mailing-service infrastructure, unsubscribe
footers, tracking. Bulk never lowers a threat score: the decision lets threats override it.

Weights are set so that a newsletter collects several (List-Unsubscribe 1.5 + one-click 0.5
+ Feedback-ID 1 + footer 1 ...) and clears the bulk threshold (2) easily, while a
person-to-person message reaches at most one weak hit (a footer word, a read-receipt pixel).
"""

from __future__ import annotations

from phishloop.core.classify import bulk_headers as headers
from phishloop.core.classify import bulk_signals as signals
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.types import Finding, Rule


def _footer(facts: Facts) -> Finding | None:
    found = signals.footer_match(facts)
    return Finding(f"unsubscribe/preferences wording: {found!r}") if found else None


def _pixel(facts: Facts) -> Finding | None:
    count = facts.analysis.body.html.tracking_pixels
    return Finding(f"{count} tracking pixel(s)") if count else None


def _tracked_links(facts: Facts) -> Finding | None:
    found = signals.tracked_link_host(facts)
    return Finding(f"{found[1]} links through {found[0]}") if found else None


def _role_sender(facts: Facts) -> Finding | None:
    address = headers.role_sender(facts)
    return Finding(f"From {address[:80]} is a bulk-sending role address") if address else None


def _bounce_address(facts: Facts) -> Finding | None:
    local = headers.bounce_local_part(facts)
    return Finding(f"Return-Path local part {local[:60]} handles bounces") if local else None


RULES: tuple[Rule, ...] = (
    Rule(
        "bulk.list-unsubscribe",
        "bulk",
        1.5,
        "The message offers a List-Unsubscribe link, as bulk senders must.",
        headers.list_unsubscribe,
    ),
    Rule(
        "bulk.one-click-unsubscribe",
        "bulk",
        0.5,
        "RFC 8058 one-click unsubscribe, required of bulk senders by large mailbox providers.",
        headers.one_click,
    ),
    Rule(
        "bulk.list-id",
        "bulk",
        1.0,
        "A List-Id header names the mailing list the message was sent through.",
        headers.list_id,
    ),
    Rule(
        "bulk.precedence",
        "bulk",
        1.0,
        "Precedence: bulk, list or junk marks mass mail.",
        headers.precedence,
    ),
    Rule(
        "bulk.feedback-id",
        "bulk",
        1.0,
        "A Feedback-ID header for mailbox providers' complaint loops, used by bulk senders.",
        headers.feedback_id,
    ),
    Rule(
        "bulk.mailing-service",
        "bulk",
        1.5,
        "Headers or the mailer of a mailing service (ESP) or bulk-mail software.",
        headers.mailing_service,
    ),
    Rule(
        "bulk.mailing-service-domain",
        "bulk",
        1.0,
        "The bounce, signing or Message-ID domain belongs to a mailing service.",
        headers.service_domain,
    ),
    Rule(
        "bulk.discussion-list",
        "bulk",
        1.0,
        "Headers written by mailing-list software (Mailman, Google Groups, ezmlm, public-inbox).",
        headers.discussion_list,
    ),
    Rule(
        "bulk.unsubscribe-footer",
        "bulk",
        1.0,
        "The text offers to unsubscribe or manage e-mail preferences.",
        _footer,
    ),
    Rule("bulk.tracking-pixel", "bulk", 0.5, "The HTML loads a 1x1 tracking image.", _pixel),
    Rule(
        "bulk.tracked-links",
        "bulk",
        1.0,
        "Most links go through one click-tracking host.",
        _tracked_links,
    ),
    Rule(
        "bulk.role-sender",
        "bulk",
        1.0,
        "The sender is a role address (noreply@, news@, a bulk-mail subdomain), never a person.",
        _role_sender,
    ),
    Rule(
        "bulk.bounce-address",
        "bulk",
        0.5,
        "The Return-Path is a bounce-processing (VERP) address.",
        _bounce_address,
    ),
    Rule(
        "bulk.list-discussion",
        "legit",
        1.0,
        "A reply in a discussion list with no active or deceptive content.",
        headers.list_discussion,
    ),
)
