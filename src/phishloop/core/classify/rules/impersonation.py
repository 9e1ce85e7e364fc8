"""Rules: display names that impersonate our VIPs, our organisation or a well-known brand
while the address comes from somewhere else."""

from __future__ import annotations

from phishloop.core.classify.brands import name_form
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.impostors import brands
from phishloop.core.classify.senders import is_list_mail, registrable_label
from phishloop.core.classify.types import Finding, Rule
from phishloop.core.classify.vips import matching_vip

NO_LINK_STRENGTH = 0.5  # a brand name without links or attachments is mostly a mention


def _outside(facts: Facts) -> bool:
    """From is an address outside the organisation's configured domains."""
    return bool(facts.config.organisation.domains and facts.sender_domain) and not (
        facts.sender_is_internal
    )


def vip(facts: Facts) -> Finding | None:
    vips = facts.config.organisation.vip_names
    if not vips or not facts.display_name or not _outside(facts):
        return None
    found = matching_vip(facts.display_name, vips)
    if found is None:
        return None
    return Finding(
        f'"{facts.display_name}" looks like our {found} but writes from {facts.sender_address}'
    )


def _organisation_names(facts: Facts) -> tuple[str, ...]:
    org = facts.config.organisation
    labels = (registrable_label(d) for d in org.domains)
    names = (name_form(n) for n in (org.name, *labels))
    return tuple(n for n in names if len(n) >= 3)


def organisation_name(facts: Facts) -> Finding | None:
    if not facts.display_name or not _outside(facts) or is_list_mail(facts):
        return None
    shown = f" {name_form(facts.display_name)} "
    found = next((n for n in _organisation_names(facts) if f" {n} " in shown), None)
    if found is None:
        return None
    return Finding(
        f'display name "{facts.display_name}" names us but the address is {facts.sender_address}'
    )


def brand_name(facts: Facts) -> Finding | None:
    domain = facts.sender_registered_domain or facts.sender_domain
    if not facts.display_name or not domain:
        return None
    brand = brands(facts).named_in(facts.display_name)
    if brand is None or brand.owns(domain):
        return None
    if facts.sender_is_internal:
        return None
    lure = bool(facts.analysis.urls or facts.attachments)
    strength = 1.0 if lure and not is_list_mail(facts) else NO_LINK_STRENGTH
    return Finding(
        f'display name "{facts.display_name}" names {brand.name}, but {facts.sender_domain} '
        f"is not a {brand.name} domain",
        strength,
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "impersonation.vip",
        "bec",
        3.5,
        "The display name matches one of the organisation's VIPs, but the address is from "
        "outside the organisation's domains.",
        vip,
    ),
    Rule(
        "impersonation.organisation-name",
        "phish",
        2.5,
        "The display name names the organisation, but the address is from outside its domains.",
        organisation_name,
    ),
    Rule(
        "impersonation.brand-name",
        "phish",
        2.5,
        "The display name names a well-known brand, but the address is not one of the "
        "brand's domains (weaker without links or attachments).",
        brand_name,
    ),
)
