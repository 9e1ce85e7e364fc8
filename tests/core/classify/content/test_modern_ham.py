"""Modern legitimate mail (current header styles, DKIM/ARC/Authentication-Results, HTML) must
not add up to a threat or spam through the content families, and the combinations the
families are built for must."""

from __future__ import annotations

import pytest

from phishloop.core.classify.chain import CHAIN, run_chain
from phishloop.core.classify.decide import decide, signal_scores
from phishloop.core.classify.types import THREAT_SIGNALS, Hit
from phishloop.core.config import DEFAULT_CONFIG

FAMILIES = ("language", "bec", "extortion", "scam", "spam", "qr", "history")
CONTENT_CHAIN = tuple(r for r in CHAIN if r.name.split(".", 1)[0] in FAMILIES)

M365 = {
    "Authentication-Results": "spf=pass (sender IP is 40.107.22.51) smtp.mailfrom=contoso.com; "
    "dkim=pass (signature was verified) header.d=contoso.com;dmarc=pass action=none "
    "header.from=contoso.com;compauth=pass reason=100",
    "ARC-Seal": "i=1; a=rsa-sha256; s=arcselector9901; d=microsoft.com; cv=none; b=abc",
    "DKIM-Signature": "v=1; a=rsa-sha256; c=relaxed/relaxed; d=contoso.com; s=selector1; "
    "h=From:Date:Subject:Message-ID; bh=abc=; b=def",
    "X-MS-Exchange-Organization-AuthAs": "Anonymous",
    "Received": "from DB9PR01MB1234.eurprd01.prod.exchangelabs.com (2603:10a6:10:1::1) by "
    "AM0PR01MB5678.eurprd01.prod.exchangelabs.com with HTTPS; Tue, 4 Mar 2025 09:30:00 +0000",
}
NEWSLETTER_HEADERS = {
    **M365,
    "List-Unsubscribe": "<https://news.contoso.com/u?id=123>, <mailto:unsub@news.contoso.com>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "Feedback-ID": "spring25:newsletter:contoso",
}

HAM = {
    "colleague": dict(
        body="Hi Priya,\n\nAttached is the signed SOW. Can you check the payment terms in "
        "section 4 before Thursday? Finance will process the first invoice after kick-off.\n\n"
        "Thanks,\nMarco\n--\nMarco Rossi | Head of Delivery | Contoso Ltd",
        subject="RE: SOW for the migration project",
        sender="Marco Rossi <marco.rossi@contoso.com>",
        headers=M365,
    ),
    "password-reset": dict(
        body="Hi Ana,\n\nWe received a request to reset the password for your account. "
        "Use the link below within 24 hours to choose a new password:\n"
        "https://accounts.contoso.com/reset?token=abc\n\nIf you didn't ask, ignore this email; "
        "your password will not change.",
        subject="Reset your Contoso password",
        sender="Contoso Accounts <no-reply@accounts.contoso.com>",
        headers=M365,
    ),
    "security-alert": dict(
        body="Microsoft account\nUnusual sign-in activity\nWe detected something unusual about "
        "a recent sign-in to the Microsoft account an***@contoso.com. Sign-in details: "
        "Country/region: Portugal. If this was you, you can ignore this message. If not, "
        "review your recent activity: https://account.live.com/activity\nThanks, the "
        "Microsoft account team",
        subject="Microsoft account unusual sign-in activity",
        sender="Microsoft account team <account-security-noreply@accountprotection.microsoft.com>",
        headers=M365,
    ),
    "invoice": dict(
        body="Dear customer,\n\nYour invoice INV-20931 for March is attached. The amount of "
        "EUR 1,240.00 will be collected by direct debit on 15 March. Questions? Reply to this "
        "email or call +31 20 123 4567.\n\nKind regards,\nAccounts receivable, Fabrikam B.V.",
        subject="Your Fabrikam invoice INV-20931",
        sender="Fabrikam Billing <billing@fabrikam.nl>",
        headers=M365,
    ),
    "newsletter": dict(
        body="Spring sale: up to 40% off outdoor gear. Shop now - limited time offer, ends "
        "Sunday. Free shipping over EUR 50.\n\nYou are receiving this email because you signed "
        "up at contoso.com. Unsubscribe: https://news.contoso.com/u?id=123",
        subject="Spring sale: up to 40% off 🌷",
        sender="Contoso Outdoors <news@news.contoso.com>",
        html="<html><body><h1>Spring sale</h1><p>Up to 40% off outdoor gear. <a "
        'href="https://news.contoso.com/c?u=1">Shop now</a></p><p><a href="https://news.'
        'contoso.com/u?id=123">Unsubscribe</a></p></body></html>',
        headers=NEWSLETTER_HEADERS,
    ),
    "shipping": dict(
        body="Your order 112-4455 has shipped and will arrive Thursday. Track your parcel: "
        "https://track.contoso-logistics.com/112-4455",
        subject="Your order has shipped",
        sender="Contoso Shop <orders@contoso.com>",
        headers=M365,
    ),
    "german-colleague": dict(
        body="Hallo Jana,\n\nkannst du bitte die Rechnung von Fabrikam bis Freitag freigeben? "
        "Die Zahlung läuft dann im nächsten Zahlungslauf.\n\nDanke und viele Grüße\nStefan",
        subject="Freigabe Rechnung Fabrikam",
        sender="Stefan Huber <stefan.huber@contoso.de>",
        headers=M365,
    ),
}


def _scores(facts) -> dict[str, float]:
    hits, failures = run_chain(facts, DEFAULT_CONFIG.rules, CONTENT_CHAIN)
    assert failures == []
    return signal_scores(hits)


@pytest.mark.parametrize("name", sorted(HAM))
def test_modern_ham_is_neither_threat_nor_spam(name, mail, facts) -> None:
    scores = _scores(facts(mail(**HAM[name])))
    threat = sum(scores.get(s, 0.0) for s in THREAT_SIGNALS)
    assert threat < DEFAULT_CONFIG.verdict.suspicious, scores
    assert threat + scores.get("spam", 0.0) < DEFAULT_CONFIG.verdict.spam, scores


PHISH = dict(
    body="Dear user,\n\nWe detected unusual sign-in activity on your mailbox. Verify your "
    "account within 24 hours or your account will be suspended.\n\n"
    "https://login.contoso-verify.top/\n\nIT Helpdesk",
    subject="Action required: mailbox verification",
    sender="IT Helpdesk <helpdesk@contoso-verify.top>",
)


def test_lure_with_link_reaches_suspicious(mail, facts) -> None:
    hits, _ = run_chain(facts(mail(**PHISH)), DEFAULT_CONFIG.rules, CONTENT_CHAIN)
    assert decide(hits, DEFAULT_CONFIG.verdict, None).category == "suspicious"


def test_lure_with_a_technical_signal_is_malicious(mail, facts) -> None:
    hits, _ = run_chain(facts(mail(**PHISH)), DEFAULT_CONFIG.rules, CONTENT_CHAIN)
    technical = Hit("links.text-mismatch", "phish", 3.0, "link text names another host")
    assert decide([*hits, technical], DEFAULT_CONFIG.verdict, None).category == "malicious"
