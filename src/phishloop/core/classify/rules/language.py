"""Rules: phishing language — urgency, credential lures and payment pressure, in English,
German, French, Spanish, Portuguese, Italian and Dutch (data/lexicon/language.toml).

Each is weak alone (legitimate security notices and invoices use some of these words);
a credential lure together with urgency or payment pressure and a link is the classic
phish and adds a combination bonus.
"""

from __future__ import annotations

from phishloop.core.classify.content import find, phrase_check, quoted, web_urls
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.types import Finding, Rule

FAMILY = "language"


def lure_with_link(facts: Facts) -> Finding | None:
    lure = find(facts, FAMILY, "credential")
    pressure = find(facts, FAMILY, "urgency") + find(facts, FAMILY, "payment")
    links = web_urls(facts)
    if not (lure and pressure and links):
        return None
    return Finding(
        f"credential lure {quoted(lure, 1)} with pressure {quoted(pressure, 1)} "
        f"and {len(links)} link(s)"
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "language.urgency",
        "phish",
        1.0,
        "The message pressures the reader with deadlines or threats of suspension.",
        phrase_check(FAMILY, "urgency", "urgency wording", single=0.7),
    ),
    Rule(
        "language.credential-lure",
        "phish",
        1.5,
        "The message asks the reader to verify, confirm or update an account or password, "
        "or raises a sign-in, mailbox or shared-document alert.",
        phrase_check(FAMILY, "credential", "credential lure", single=0.7),
    ),
    Rule(
        "language.payment-pressure",
        "phish",
        1.0,
        "The message presses for payment: overdue invoices, failed payments, fees to release "
        "a parcel.",
        phrase_check(FAMILY, "payment", "payment pressure", single=0.7),
    ),
    Rule(
        "language.lure-with-link",
        "phish",
        1.5,
        "A credential lure combined with urgency or payment pressure and a link to follow.",
        lure_with_link,
    ),
)
