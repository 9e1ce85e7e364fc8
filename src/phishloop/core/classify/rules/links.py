"""Rules: where the links go (checks in `link_checks`) and how the HTML body hides it."""

from __future__ import annotations

import re

from phishloop.core.classify import link_checks as checks
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.types import Finding, Rule

HIDDEN_TEXT_CHARS = 2000  # newsletter preheaders and accessibility text stay well below


def script_links(facts: Facts) -> Finding | None:
    html = facts.analysis.body.html
    if not (html.javascript_links or html.data_links):
        return None
    return Finding(f"{html.javascript_links} javascript: and {html.data_links} data: links")


def meta_refresh(facts: Facts) -> Finding | None:
    target = facts.analysis.body.html.meta_refresh
    if not target or not re.match(r"(?i)\s*(https?:)?//", target):
        return None
    return Finding(f"the HTML body redirects to {target[:120]}")


def credential_form(facts: Facts) -> Finding | None:
    html = facts.analysis.body.html
    if not html.password_inputs:
        return None
    return Finding(f"the message body asks for a password ({html.password_inputs} password fields)")


def hidden_text(facts: Facts) -> Finding | None:
    hidden = facts.analysis.body.html.hidden_text_chars
    if hidden < HIDDEN_TEXT_CHARS:
        return None
    return Finding(f"{hidden} characters of hidden text in the HTML body")


RULES: tuple[Rule, ...] = (
    Rule(
        "links.text-mismatch",
        "phish",
        1.5,
        "A link's visible text names another domain than the one it goes to.",
        checks.text_mismatch,
    ),
    Rule(
        "links.text-brand-mismatch",
        "phish",
        3.5,
        "A link's visible text shows a well-known brand's domain, but the link goes elsewhere.",
        checks.text_brand_mismatch,
    ),
    Rule("links.ip-host", "phish", 2.0, "A link goes to a raw IP address.", checks.ip_host),
    Rule(
        "links.shortener",
        "phish",
        0.8,
        "A link goes through a URL shortener that hides its destination.",
        checks.shortened,
    ),
    Rule(
        "links.free-hosting",
        "phish",
        0.8,
        "A link goes to a free hosting, form or file-sharing platform often used for "
        "phishing pages.",
        checks.free_hosted,
    ),
    Rule(
        "links.suspicious-tld",
        "phish",
        0.5,
        "A link goes to a top-level domain that is over-represented in abuse.",
        checks.bad_tld,
    ),
    Rule(
        "links.userinfo",
        "phish",
        2.5,
        "A link puts text before an @ in its address, so the real host is not what it seems.",
        checks.userinfo,
    ),
    Rule(
        "links.script-link",
        "phish",
        2.0,
        "The HTML body has javascript: or data: links.",
        script_links,
    ),
    Rule(
        "links.meta-refresh",
        "phish",
        2.5,
        "The HTML body redirects the reader to an external page by itself.",
        meta_refresh,
    ),
    Rule(
        "links.credential-form",
        "phish",
        4.0,
        "The message body itself contains a password field.",
        credential_form,
    ),
    Rule(
        "links.hidden-text",
        "spam",
        1.0,
        "The HTML body hides a lot of text (newsletters hide short preheaders only).",
        hidden_text,
    ),
)
