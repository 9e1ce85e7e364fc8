"""Rules: authentication results (SPF, DKIM, DMARC). Only results written by one of the
organisation's own authserv-ids count: anyone can forge an Authentication-Results header."""

from __future__ import annotations

from phishloop.core.classify.facts import Facts
from phishloop.core.classify.impostors import sender_brand
from phishloop.core.classify.types import Finding, Rule
from phishloop.core.domains import registered_domain

OTHER_DOMAIN_DMARC_STRENGTH = 0.35  # p=none domains and list forwarding fail DMARC innocently


def _where(facts: Facts) -> str:
    return f"(authserv-id {facts.analysis.authentication.authserv_id})"


def _dmarc_passed(facts: Facts) -> bool:
    return facts.analysis.authentication.dmarc == "pass"


def dmarc_fail(facts: Facts) -> Finding | None:
    auth = facts.analysis.authentication
    if not facts.trusted_auth or auth.dmarc != "fail":
        return None
    domain = auth.dmarc_domain or facts.sender_domain or "?"
    brand = sender_brand(facts)
    if facts.sender_is_internal:
        return Finding(f"DMARC fail for our own domain {domain} {_where(facts)}")
    if brand is not None:
        return Finding(f"DMARC fail for {domain}, a {brand.name} domain {_where(facts)}")
    return Finding(f"DMARC fail for {domain} {_where(facts)}", OTHER_DOMAIN_DMARC_STRENGTH)


def spf_fail(facts: Facts) -> Finding | None:
    auth = facts.analysis.authentication
    if not facts.trusted_auth or _dmarc_passed(facts) or auth.spf not in ("fail", "softfail"):
        return None
    strength = 1.0 if auth.spf == "fail" else 0.5
    domain = auth.spf_domain or facts.sender_domain or "?"
    return Finding(f"SPF {auth.spf} for {domain} {_where(facts)}", strength)


def dkim_fail(facts: Facts) -> Finding | None:
    auth = facts.analysis.authentication
    if not facts.trusted_auth or _dmarc_passed(facts) or auth.dkim != "fail":
        return None
    domains = ", ".join(auth.dkim_domains) or "?"
    return Finding(f"DKIM signature of {domains} does not verify {_where(facts)}")


def _aligned_spf_pass(facts: Facts) -> bool:
    auth = facts.analysis.authentication
    spf_domain = registered_domain(auth.spf_domain) if auth.spf_domain else None
    return auth.spf == "pass" and spf_domain == facts.sender_registered_domain


def _exchange_internal(facts: Facts) -> bool:
    """Exchange marks mail its own users sent (and strips the header from external mail)."""
    return (facts.header("x-ms-exchange-organization-authas") or "").strip().lower() == "internal"


def own_domain_spoof(facts: Facts) -> Finding | None:
    """From says it is us, but our own mail servers could not authenticate it."""
    if not facts.sender_is_internal or not facts.trusted_auth or facts.authenticated:
        return None
    if _aligned_spf_pass(facts) or _exchange_internal(facts):
        return None
    auth = facts.analysis.authentication
    results = f"DMARC {auth.dmarc or 'none'}, SPF {auth.spf or 'none'}, DKIM {auth.dkim or 'none'}"
    return Finding(
        f"From {facts.sender_address} is our own domain but not authenticated ({results})"
    )


def internal_authenticated(facts: Facts) -> Finding | None:
    if not (facts.sender_is_internal and facts.authenticated):
        return None
    return Finding(f"{facts.sender_address} is authenticated mail from our own domain")


RULES: tuple[Rule, ...] = (
    Rule(
        "auth.dmarc-fail",
        "phish",
        3.0,
        "DMARC failed (trusted result): strong when the From domain is ours or a known "
        "brand's, weak for other domains.",
        dmarc_fail,
    ),
    Rule(
        "auth.spf-fail",
        "phish",
        1.0,
        "SPF failed or soft-failed (trusted result) and DMARC did not pass.",
        spf_fail,
    ),
    Rule(
        "auth.dkim-fail",
        "phish",
        1.0,
        "A DKIM signature failed to verify (trusted result) and DMARC did not pass.",
        dkim_fail,
    ),
    Rule(
        "auth.own-domain-spoof",
        "phish",
        4.0,
        "From claims one of the organisation's domains, but our own servers did not "
        "authenticate the message.",
        own_domain_spoof,
    ),
    Rule(
        "auth.internal-authenticated",
        "legit",
        1.0,
        "Authenticated mail from the organisation's own domain (modest: accounts get compromised).",
        internal_authenticated,
    ),
)
