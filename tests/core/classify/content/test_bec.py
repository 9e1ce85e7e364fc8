"""Rules: bec.* — gift cards, wires, payroll and bank changes, W-2s, and their context."""

from __future__ import annotations

import pytest

from phishloop.core.config import AnalysisConfig

GIFT_CARDS = (
    "Are you at your desk? I need a quick favor. Please buy 5 Apple gift cards today, "
    "scratch off the back and send me the codes. Keep this confidential.\n\nSent from my iPhone"
)
W2 = "Hi Ian, do you have a moment? I need your help with something. Can you send me the W2s "
W2 += "for our team?\n\n-Josh\n--\nJosh Kamdjou\nCEO, Example Corp"
CONFIG = AnalysisConfig.from_mapping(
    {"organisation": {"domains": ["example.com"], "vip_names": ["Josh Kamdjou"]}}
)


@pytest.mark.parametrize(
    ("rule_name", "body"),
    [
        ("bec.gift-card", GIFT_CARDS),
        (
            "bec.payment-request",
            "I need you to process a wire transfer today. Banking details to follow.",
        ),
        (
            "bec.payroll",
            "I changed banks. Please update my direct deposit details before the next payroll.",
        ),
        (
            "bec.bank-change",
            "Please note our bank details have changed; remit all future payments to the "
            "new account below.",
        ),
        ("bec.tax-forms", W2),
        ("bec.pretext", GIFT_CARDS),
        ("bec.payment-request", "Können Sie heute eine Überweisung durchführen? Es ist dringend."),
        ("bec.payroll", "Preciso alterar minha conta bancária para o salário deste mês."),
        (
            "bec.bank-change",
            "Veuillez noter le changement de coordonnées bancaires de notre société.",
        ),
    ],
)
def test_requests_fire(fire, rule_name: str, body: str) -> None:
    assert fire(rule_name, body) is not None


def test_freemail_sender_with_request(fire) -> None:
    finding = fire("bec.freemail-sender", W2, sender="Josh Kamdjou <joshkamdjou90@gmail.com>")
    assert finding is not None
    assert "joshkamdjou90@gmail.com" in finding.evidence
    assert finding.strength == 1.0
    assert fire("bec.freemail-sender", W2, sender="Josh <josh@example.com>") is None


def test_freemail_reply_to_counts_too(fire) -> None:
    finding = fire(
        "bec.freemail-sender",
        GIFT_CARDS,
        sender="CEO <ceo@example.com>",
        headers={"Reply-To": "ceo.private@outlook.com"},
    )
    assert finding is not None


def test_pretext_alone_applies_at_half_strength(fire) -> None:
    body = "Are you at your desk? Reply to me asap."
    finding = fire("bec.freemail-sender", body, sender="Boss <boss.example@gmail.com>")
    assert finding is not None
    assert finding.strength == 0.5


def test_reply_to_elsewhere(fire) -> None:
    finding = fire(
        "bec.reply-to-elsewhere",
        GIFT_CARDS,
        sender="CEO <ceo@example.com>",
        headers={"Reply-To": "ceo@example-mail.net"},
    )
    assert finding is not None
    assert "example-mail.net" in finding.evidence
    same = fire("bec.reply-to-elsewhere", GIFT_CARDS, headers={"Reply-To": "a@mail.example.org"})
    assert same is None


def test_vip_display_name_from_outside(fire) -> None:
    sender = "Josh Kamdjou <joshkamdjou90@gmail.com>"
    assert fire("bec.vip-display-name", W2, sender=sender, config=CONFIG) is not None
    assert fire("bec.vip-display-name", W2, sender="Jo Smith <jo@gmail.com>", config=CONFIG) is None
    assert fire("bec.vip-display-name", W2, sender=sender) is None  # no VIPs configured


def test_no_links(fire) -> None:
    assert fire("bec.no-links", W2) is not None
    assert fire("bec.no-links", W2 + "\nhttps://docs.example.org/form") is None


def test_executive_title_from_freemail(fire) -> None:
    sender = "Josh Kamdjou <joshkamdjou90@gmail.com>"
    assert fire("bec.executive-freemail", W2, sender=sender) is not None
    assert fire("bec.executive-freemail", W2, sender="Josh <josh@example.com>") is None


LEGITIMATE = [
    "Hi all, the payroll run for March is complete. Payslips are available in the HR portal: "
    "https://hr.example.com/payslips\n",
    "Hi Sam, are you available for a call tomorrow at 10? I'd like to go through the Q3 plan.\n",
    "Dear customer, thank you for your payment of invoice 4471. A receipt is attached.\n",
    "Get a $25 gift card when you refer a friend! Terms apply. https://shop.example.com/refer\n",
    "Reminder: W-2 forms will be available in the employee portal by January 31.\n",
]


@pytest.mark.parametrize("body", LEGITIMATE)
@pytest.mark.parametrize(
    "rule_name",
    ["bec.gift-card", "bec.payment-request", "bec.payroll", "bec.bank-change", "bec.tax-forms"],
)
def test_requests_quiet_on_legitimate_mail(fire, rule_name: str, body: str) -> None:
    assert fire(rule_name, body, sender="Finance <finance@example.com>") is None


@pytest.mark.parametrize("body", LEGITIMATE)
def test_context_rules_quiet_without_bec_wording(fire, body: str) -> None:
    sender = "Sam <sam.example@gmail.com>"
    for rule_name in ("bec.freemail-sender", "bec.no-links", "bec.pretext"):
        assert fire(rule_name, body, sender=sender) is None, rule_name


def test_no_links_spares_authenticated_colleagues(fire) -> None:
    config = AnalysisConfig.from_mapping(
        {"organisation": {"domains": ["example.com"], "authserv_ids": ["mx.example.com"]}}
    )
    body = "I'm in a meeting until 3. I need you to process a wire transfer today."
    auth = {"Authentication-Results": "mx.example.com; dmarc=pass header.from=example.com"}
    colleague = "Dana <dana@example.com>"
    assert fire("bec.no-links", body, sender=colleague, config=config) is not None  # spoofable
    assert fire("bec.no-links", body, sender=colleague, config=config, headers=auth) is None
