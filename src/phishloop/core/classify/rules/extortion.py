"""Rules: extortion and sextortion — claims of access to the reader's devices or of
compromising recordings, the payment demand with its deadline, and the crypto wallet it
is to be paid into (data/lexicon/extortion.toml, checksum-verified wallet addresses).
"""

from __future__ import annotations

import html

from phishloop.core.classify.content import find, phrase_check, quoted
from phishloop.core.classify.facts import MAX_RULE_TEXT, Facts
from phishloop.core.classify.types import Finding, Rule
from phishloop.core.classify.wallets import find_wallets

FAMILY = "extortion"
DEMAND_ALONE = 0.4  # a deadline or "in bitcoin" without any claim is mostly other fraud


def wallets(facts: Facts) -> tuple[str, ...]:
    """Verified wallet addresses in the body (case matters, so the raw text is read)."""
    return facts.memo(
        "extortion:wallets",
        lambda f: find_wallets(html.unescape(f.analysis.body.text[:MAX_RULE_TEXT])),
    )


def payment_demand(facts: Facts) -> Finding | None:
    demand = find(facts, FAMILY, "demand")
    if not demand:
        return None
    strength = 1.0 if find(facts, FAMILY, "claims") else DEMAND_ALONE
    return Finding(f"extortion demand: {quoted(demand)}", strength)


def crypto_wallet(facts: Facts) -> Finding | None:
    if not (find(facts, FAMILY, "claims") or find(facts, FAMILY, "demand")):
        return None
    addresses = wallets(facts)
    if not addresses:
        return None
    return Finding(f"payment to crypto wallet {addresses[0]}")


RULES: tuple[Rule, ...] = (
    Rule(
        "extortion.claims",
        "extortion",
        3.0,
        "The sender claims to have hacked the reader's devices or to hold compromising "
        "recordings, and threatens to share them.",
        phrase_check(FAMILY, "claims", "extortion claim"),
    ),
    Rule(
        "extortion.payment-demand",
        "extortion",
        2.0,
        "The message demands payment in cryptocurrency within a deadline, promising to "
        "delete the material.",
        payment_demand,
    ),
    Rule(
        "extortion.crypto-wallet",
        "extortion",
        2.0,
        "A valid cryptocurrency wallet address next to extortion wording.",
        crypto_wallet,
    ),
)
