"""Rules: fraud — advance-fee and inheritance (419) stories, prizes, lotteries and fake
surveys, investment and crypto schemes, unsolicited loans (data/lexicon/scam.toml), and
the 419 habit of asking for replies at another free-mail address.
"""

from __future__ import annotations

import re

from phishloop.core.classify.content import find, phrase_check, quoted, strength
from phishloop.core.classify.facts import MAX_RULE_TEXT, Facts
from phishloop.core.classify.hostlists import is_freemail
from phishloop.core.classify.types import Finding, Rule

FAMILY = "scam"
FRAUD = (("scam", "advance_fee"), ("scam", "prize"), ("scam", "investment"), ("scam", "loan"))
ROMANCE = ("spam", "adult")  # dating wording that asks for replies elsewhere is a romance scam
_DOMAIN_AFTER_AT = re.compile(r"@([\w-]{1,63}(?:\.[\w-]{1,63}){1,5})")
_LOCAL_BEFORE_AT = re.compile(r"[\w.+-]{1,64}$")
MAX_ADDRESSES = 20


def prize(facts: Facts) -> Finding | None:
    """Prize wording; survey wording only counts beside it."""
    prizes = find(facts, FAMILY, "prize")
    if not prizes:
        return None
    found = prizes + find(facts, FAMILY, "survey")
    return Finding(f"prize or reward wording: {quoted(found)}", strength(len(found)))


def advance_fee(facts: Facts) -> Finding | None:
    """419 machinery; weak markers (big sums, pious greetings) only count beside it."""
    core = find(facts, FAMILY, "advance_fee")
    if not core:
        return None
    found = core + find(facts, FAMILY, "advance_fee_support")
    return Finding(f"advance-fee wording: {quoted(found)}", strength(len(found), 0.5))


def reply_elsewhere(facts: Facts) -> Finding | None:
    """Fraud wording plus another free-mail address to reply to; as strong as the wording."""
    fraud = tuple(phrase for f, c in (*FRAUD, ROMANCE) for phrase in find(facts, f, c))
    if not fraud:
        return None
    other = _other_freemail(facts)
    if other is None:
        return None
    evidence = f"fraud wording {quoted(fraud, 1)} asks for replies to {other}"
    return Finding(evidence, strength(len(fraud), 0.5))


def _other_freemail(facts: Facts) -> str | None:
    """A free-mail address other than the sender's that replies should go to."""
    own = facts.sender_address
    candidates = [a.address.lower() for a in facts.analysis.message.reply_to]
    candidates += _addresses(facts.analysis.body.text[:MAX_RULE_TEXT])
    recipients = {a.address.lower() for a in facts.analysis.message.to}
    for address in candidates:
        domain = address.rpartition("@")[2]
        if address not in (own, *recipients) and is_freemail(domain):
            return address
    return None


def _addresses(text: str) -> list[str]:
    """E-mail addresses in `text`, found from their "@" (linear on hostile input)."""
    found = []
    for match in _DOMAIN_AFTER_AT.finditer(text):
        local = _LOCAL_BEFORE_AT.search(text, max(0, match.start() - 64), match.start())
        if local:
            found.append(f"{local.group(0)}{match.group(0)}".lower())
        if len(found) >= MAX_ADDRESSES:
            break
    return found


RULES: tuple[Rule, ...] = (
    Rule(
        "scam.advance-fee",
        "scam",
        2.5,
        "Advance-fee (419) wording: inheritances, next of kin, compensation funds, millions "
        "to transfer for a share.",
        advance_fee,
    ),
    Rule(
        "scam.prize",
        "scam",
        2.0,
        "The reader has supposedly won or been selected for a prize, reward or gift, often "
        "behind a short survey.",
        prize,
    ),
    Rule(
        "scam.investment",
        "scam",
        2.0,
        "Investment or crypto fraud wording: guaranteed returns, doubled money, mining "
        "balances waiting to be withdrawn.",
        phrase_check(FAMILY, "investment", "investment fraud wording"),
    ),
    Rule(
        "scam.tech-support",
        "scam",
        2.0,
        "Fake antivirus or tech-support scares: your device is infected, your protection "
        "has expired.",
        phrase_check(FAMILY, "tech_support", "tech-support scare"),
    ),
    Rule(
        "scam.loan",
        "scam",
        1.5,
        "Unsolicited loan or credit offers: pre-approved loans, bad credit welcome.",
        phrase_check(FAMILY, "loan", "loan offer"),
    ),
    Rule(
        "scam.reply-elsewhere",
        "scam",
        1.5,
        "Fraud wording that asks for replies at a free-mail address other than the sender's.",
        reply_elsewhere,
    ),
)
