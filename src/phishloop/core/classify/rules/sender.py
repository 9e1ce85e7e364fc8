"""Rules: the sender's addresses — From, Reply-To, Return-Path and the display name."""

from __future__ import annotations

import re

from phishloop.core.classify.facts import Facts
from phishloop.core.classify.hostlists import is_freemail
from phishloop.core.classify.impostors import brands
from phishloop.core.classify.senders import are_siblings, is_list_address, is_list_mail
from phishloop.core.classify.types import Finding, Rule
from phishloop.core.domains import registered_domain

# An address inside a display name: "service@paypal.com <x@evil.example>".
_NAME_ADDRESS = re.compile(r"[\w.+-]{1,64}@([\w-]{1,63}(?:\.[\w-]{1,63}){1,8})")
# Display-name words that make a free-mail sender look like an organisation.
_CORPORATE = re.compile(
    r"\b(support|service|services|team|security|billing|admin|administrator|helpdesk|"
    r"help desk|account|accounts|department|notification|notifications|bank|inc|ltd|llc|"
    r"gmbh|corp|customer|payroll|hr|it desk|webmaster|mailbox|postmaster|finance|invoice|"
    r"invoices|accounting|compliance|official|online|verification|delivery|shipping)\b"
)


def _same_owner(facts: Facts, first: str, second: str) -> bool:
    if are_siblings(first, second):
        return True
    book = brands(facts)
    owner = book.owner(registered_domain(first))
    return owner is not None and owner is book.owner(registered_domain(second))


def _foreign_reply_to(facts: Facts) -> str | None:
    """A Reply-To domain unrelated to From; mailing lists that put themselves (or, after
    rewriting From to the list, the author) in Reply-To do not count."""
    return facts.memo("sender:foreign-reply-to", _find_foreign_reply_to)


def _find_foreign_reply_to(facts: Facts) -> str | None:
    sender = facts.sender_domain
    if not sender or is_list_address(facts, sender):
        return None
    return next(
        (
            d
            for d in facts.reply_to_domains
            if not _same_owner(facts, sender, d) and not is_list_address(facts, d)
        ),
        None,
    )


def reply_to_mismatch(facts: Facts) -> Finding | None:
    reply_to = _foreign_reply_to(facts)
    if reply_to is None or is_freemail(reply_to):
        return None  # free-mail Reply-To has its own rule
    strength = 0.3 if is_list_mail(facts) else 1.0
    return Finding(f"Reply-To domain {reply_to} differs from From {facts.sender_address}", strength)


def reply_to_freemail(facts: Facts) -> Finding | None:
    """Answers go to a free-mail box while From shows another domain: a BEC classic."""
    reply_to = _foreign_reply_to(facts)
    if reply_to is None or not is_freemail(reply_to) or is_freemail(facts.sender_domain):
        return None
    strength = 0.3 if is_list_mail(facts) else 1.0
    return Finding(
        f"Reply-To is free-mail ({reply_to}) but From is {facts.sender_address}", strength
    )


def return_path_mismatch(facts: Facts) -> Finding | None:
    """Weak: sending services use their own bounce domains; counts only beside a
    mismatched Reply-To or a free-mail From."""
    bounce, sender = facts.return_path_domain, facts.sender_domain
    if not bounce or not sender or _same_owner(facts, sender, bounce) or is_list_mail(facts):
        return None
    if _foreign_reply_to(facts) is None and not is_freemail(sender):
        return None
    return Finding(f"Return-Path domain {bounce} differs from From domain {sender}")


def freemail_corporate_name(facts: Facts) -> Finding | None:
    if not is_freemail(facts.sender_domain) or not facts.display_name:
        return None
    name = facts.display_name.lower()
    brand = brands(facts).named_in(facts.display_name)
    found = brand.name if brand else (m.group(1) if (m := _CORPORATE.search(name)) else None)
    if found is None:
        return None
    return Finding(
        f'free-mail sender {facts.sender_address} uses the name "{facts.display_name}" ({found})'
    )


def display_name_address(facts: Facts) -> Finding | None:
    """The display name shows an address of another domain than the real one."""
    found = _NAME_ADDRESS.search(facts.display_name[:300])
    sender = facts.sender_domain
    if not found or not sender or is_list_mail(facts):
        return None
    shown = found.group(1).lower()
    if _same_owner(facts, shown, sender):
        return None
    return Finding(f"display name shows {found.group(0)} but the address is {facts.sender_address}")


def missing_from(facts: Facts) -> Finding | None:
    """Only for mail that travelled (Received headers): drafts and Outlook .msg files of
    internal senders carry no SMTP address."""
    if "@" in facts.sender_address or "received" not in facts.headers:
        return None
    raw = facts.header("from")
    shown = f"From: {raw[:80]}" if raw else "no From header"
    return Finding(f"no usable From address ({shown})")


RULES: tuple[Rule, ...] = (
    Rule(
        "sender.reply-to-mismatch",
        "phish",
        1.5,
        "Reply-To points to an unrelated domain (weaker for mailing-list mail).",
        reply_to_mismatch,
    ),
    Rule(
        "sender.reply-to-freemail",
        "bec",
        2.0,
        "Replies go to a free-mail address while From shows another domain.",
        reply_to_freemail,
    ),
    Rule(
        "sender.return-path-mismatch",
        "phish",
        0.5,
        "The bounce address is unrelated to From, alongside a foreign Reply-To or a "
        "free-mail From.",
        return_path_mismatch,
    ),
    Rule(
        "sender.freemail-corporate-name",
        "phish",
        1.5,
        "A free-mail sender uses a display name that looks like a company, brand or department.",
        freemail_corporate_name,
    ),
    Rule(
        "sender.display-name-address",
        "phish",
        2.5,
        "The display name shows an email address of another domain than the real sender.",
        display_name_address,
    ),
    Rule(
        "sender.missing-from",
        "spam",
        1.0,
        "The message has no usable From address.",
        missing_from,
    ),
)
