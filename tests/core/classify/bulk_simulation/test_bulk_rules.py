"""The bulk rules: each fires on the mark of bulk or list mail and stays silent on plain
person-to-person mail; together they put a newsletter well over the bulk threshold."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from phishloop.core.classify.rules.bulk import RULES
from phishloop.core.config import DEFAULT_CONFIG

Message = Callable[..., bytes]
BULK_THRESHOLD = DEFAULT_CONFIG.verdict.bulk
WEIGHTS = {rule.name: (rule.signal, rule.weight) for rule in RULES}

NEWSLETTER_HEADERS = [
    ("Return-Path", "<bounces+2840417-c3a1-anna=corp.example@em4211.shop.example>"),
    (
        "Received",
        "from o7.email.shop.example (o7.email.shop.example [149.72.7.9]) by mx.google.com"
        " with ESMTPS id x1 for <anna@corp.example>; Tue, 04 Mar 2025 10:00:01 -0800 (PST)",
    ),
    (
        "DKIM-Signature",
        "v=1; a=rsa-sha256; c=relaxed/relaxed; d=sendgrid.net; s=smtpapi;"
        " h=from:subject; bh=abc=; b=def=",
    ),
    (
        "List-Unsubscribe",
        "<https://u2840417.ct.sendgrid.net/lu/unsubscribe?oc=x1>,"
        " <mailto:unsubscribe@shop.example?subject=unsubscribe>",
    ),
    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ("Feedback-ID", "2840417:SG"),
    ("X-SG-EID", "u001.Qm9kPeo5n"),
]
NEWSLETTER_HTML = (
    "<html><body><h1>Spring sale</h1>"
    + "".join(
        f'<p><a href="https://click.shop.example/ls/click?upn=item{i}">Item {i}</a></p>'
        for i in range(6)
    )
    + '<img src="https://click.shop.example/wf/open?upn=abc" width="1" height="1">'
    + "<p>You are receiving this email because you signed up at shop.example."
    " <a href='https://click.shop.example/ls/click?upn=unsub'>Unsubscribe</a> or"
    " manage your email preferences.</p></body></html>"
)
PERSONAL_HEADERS = [
    (
        "Received",
        "from mail-wr1-f41.google.com (mail-wr1-f41.google.com [209.85.221.41]) by"
        " mx.corp.example with ESMTPS; Tue, 04 Mar 2025 10:00:01 +0000",
    ),
    (
        "Authentication-Results",
        "mx.corp.example; dkim=pass header.d=example.org;"
        " spf=pass smtp.mailfrom=bob@example.org; dmarc=pass header.from=example.org",
    ),
    ("DKIM-Signature", "v=1; a=rsa-sha256; d=example.org; s=20230601; h=from; bh=a=; b=b="),
    ("Return-Path", "<bob@example.org>"),
    ("In-Reply-To", "<abc@corp.example>"),
]
PERSONAL_HTML = (
    "<div>Hi Anna,<br>the draft is at <a href='https://docs.example.org/d/1'>the usual place</a>"
    " and the slides <a href='https://docs.example.org/d/2'>here</a>.<br>Bob</div>"
)
LIST_HEADERS = [
    ("List-Id", "Kernel developers <devel.lists.example.org>"),
    ("List-Post", "<mailto:devel@lists.example.org>"),
    (
        "List-Unsubscribe",
        "<https://lists.example.org/mailman/options/devel>,"
        " <mailto:devel-request@lists.example.org?subject=unsubscribe>",
    ),
    ("Precedence", "list"),
    ("X-Mailman-Version", "2.1.39"),
    ("Sender", "devel <devel-bounces@lists.example.org>"),
    ("In-Reply-To", "<patch-1@example.org>"),
    ("References", "<patch-1@example.org>"),
]


REPLY = "Re: [devel] [PATCH] fix the frobnicator"


def bulk_score(hits: dict[str, str]) -> float:
    return sum(WEIGHTS[name][1] for name in hits if WEIGHTS[name][0] == "bulk")


def test_newsletter_clears_the_bulk_threshold_comfortably(message: Message, fire) -> None:
    hits = fire(
        message(
            NEWSLETTER_HEADERS,
            text="Spring sale",
            html=NEWSLETTER_HTML,
            sender="Shop <news@email.shop.example>",
        ),
        RULES,
    )
    assert bulk_score(hits) >= 2 * BULK_THRESHOLD
    assert "bulk.list-discussion" not in hits


def test_person_to_person_mail_is_not_bulk(message: Message, fire) -> None:
    hits = fire(message(PERSONAL_HEADERS, html=PERSONAL_HTML), RULES)
    assert hits == {}


@pytest.mark.parametrize(
    ("rule", "headers", "evidence"),
    [
        (
            "bulk.list-unsubscribe",
            [("List-Unsubscribe", "<https://e.example/u/1>")],
            "https://e.example/u/1",
        ),
        ("bulk.list-id", [("List-Id", "News <news.example.org>")], "news.example.org"),
        ("bulk.precedence", [("Precedence", "bulk")], "Precedence: bulk"),
        ("bulk.feedback-id", [("Feedback-ID", "1.eu-west-1.abc:AmazonSES")], "AmazonSES"),
        ("bulk.mailing-service", [("X-SES-Outgoing", "2025.03.04-54.240.1.1")], "Amazon SES"),
        ("bulk.mailing-service", [("X-Mailgun-Sid", "WyJhYiJd")], "Mailgun"),
        ("bulk.mailing-service", [("X-Mailer", "MailChimp Mailer - **CID1234**")], "Mailchimp"),
        (
            "bulk.mailing-service",
            [("X-CSA-Complaints", "csa-complaints@eco.de")],
            "x-csa-complaints",
        ),
        (
            "bulk.mailing-service-domain",
            [("Return-Path", "<bounce-mc.us5_1.2-anna=corp.example@mail5.mcsv.net>")],
            "mcsv.net",
        ),
        (
            "bulk.mailing-service-domain",
            [("DKIM-Signature", "v=1; a=rsa-sha256; d=amazonses.com; s=x; h=from; bh=a=; b=b=")],
            "amazonses.com",
        ),
        ("bulk.discussion-list", [("X-Mailman-Version", "3.3.9")], "x-mailman-version"),
        (
            "bulk.discussion-list",
            [("Sender", "owner-linux-kernel@vger.example.org")],
            "owner-linux-kernel",
        ),
        (
            "bulk.bounce-address",
            [("Return-Path", "<bounces+12345-ab12-anna=corp.example@em1.shop.example>")],
            "bounces+",
        ),
    ],
)
def test_header_rules_fire(message: Message, fire, rule: str, headers, evidence: str) -> None:
    hits = fire(message(headers), RULES)
    assert rule in hits
    assert evidence in hits[rule]


@pytest.mark.parametrize(
    ("rule", "headers"),
    [
        ("bulk.list-unsubscribe", [("List-Unsubscribe", "no thanks")]),
        ("bulk.one-click-unsubscribe", [("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]),
        ("bulk.precedence", [("Precedence", "first-class")]),
        ("bulk.mailing-service", [("X-Mailer", "Microsoft Outlook 16.0")]),
        ("bulk.mailing-service-domain", [("Return-Path", "<bob@gmail.com>")]),
        ("bulk.discussion-list", [("Sender", "Bob <bob@example.org>")]),
        ("bulk.bounce-address", [("Return-Path", "<bob+caf_=anna=corp.example@gmail.com>")]),
        (
            "bulk.bounce-address",
            [("Return-Path", "<SRS0=ab12=TT=example.org=bob@forwarder.example>")],
        ),
    ],
)
def test_header_rules_stay_silent(message: Message, fire, rule: str, headers) -> None:
    assert rule not in fire(message(headers), RULES)


def test_one_click_needs_list_unsubscribe(message: Message, fire) -> None:
    hits = fire(
        message(
            [
                ("List-Unsubscribe", "<https://e.example/u/1>"),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ]
        ),
        RULES,
    )
    assert "bulk.one-click-unsubscribe" in hits


@pytest.mark.parametrize(
    "text",
    [
        "Our news.\n\nTo unsubscribe from this newsletter click here.",
        "Neuigkeiten.\n\nHier können Sie sich vom Newsletter abmelden.",
        "Nouvelles.\n\nPour vous désabonner, cliquez ici.",
        "Noticias.\n\nSi deseas darse de baja, haz clic aquí.",
        "Novidades.\n\nPara se descadastrar clique aqui.",
        "News.\n\nManage your preferences or view this email in your browser.",
        "News.\n\nYou are receiving this email because you registered.",
    ],
)
def test_unsubscribe_footer_in_several_languages(message: Message, fire, text: str) -> None:
    assert "bulk.unsubscribe-footer" in fire(message(text=text), RULES)


def test_footer_is_not_found_in_ordinary_text(message: Message, fire) -> None:
    text = "Hi,\n\nthe subscription renewal for the tools is due; can you approve it?\n\nBob"
    assert "bulk.unsubscribe-footer" not in fire(message(text=text), RULES)


def test_tracking_pixel_and_tracked_links(message: Message, fire) -> None:
    hits = fire(message(html=NEWSLETTER_HTML), RULES)
    assert "bulk.tracking-pixel" in hits
    assert "click.shop.example" in hits["bulk.tracked-links"]


def test_few_links_to_one_site_are_not_tracking(message: Message, fire) -> None:
    hits = fire(message(html=PERSONAL_HTML), RULES)
    assert "bulk.tracked-links" not in hits
    assert "bulk.tracking-pixel" not in hits


@pytest.mark.parametrize(
    ("sender", "fires"),
    [
        ("Shop <noreply@shop.example>", True),
        ("Shop News <news@shop.example>", True),
        ("Shop <hello@email.shop.example.com>", True),
        ("Bob <bob@example.org>", False),
        ("Anna <anna.news@example.org>", False),
    ],
)
def test_role_sender(message: Message, fire, sender: str, fires: bool) -> None:
    assert ("bulk.role-sender" in fire(message(sender=sender), RULES)) is fires


def test_discussion_list_reply_earns_a_small_legit_bonus(message: Message, fire) -> None:
    hits = fire(message(LIST_HEADERS, text="Looks good.\n> patch", subject=REPLY), RULES)
    assert WEIGHTS["bulk.list-discussion"] == ("legit", 1.0)
    assert "bulk.list-discussion" in hits
    assert bulk_score(hits) >= BULK_THRESHOLD


def test_no_legit_bonus_for_risky_list_mail(message: Message, fire) -> None:
    html = '<form action="https://login.example.net/p"><input type="password" name="p"></form>'
    hits = fire(message(LIST_HEADERS, html=html, subject=REPLY), RULES)
    assert "bulk.list-discussion" not in hits
    assert "bulk.list-id" in hits


def test_no_legit_bonus_without_a_thread(message: Message, fire) -> None:
    headers = [h for h in LIST_HEADERS if h[0] not in ("In-Reply-To", "References")]
    assert "bulk.list-discussion" not in fire(message(headers, subject=REPLY), RULES)
    assert "bulk.list-discussion" not in fire(message(LIST_HEADERS, subject="Win!"), RULES)


def test_no_legit_bonus_for_mail_relayed_through_several_lists(message: Message, fire) -> None:
    relayed = [
        *LIST_HEADERS,
        ("X-BeenThere", "a1@victim-groups.example.com"),
        ("X-BeenThere", "b2@other-groups.example.com"),
    ]
    assert "bulk.list-discussion" not in fire(message(relayed, subject=REPLY), RULES)


def test_every_rule_is_documented_and_positive() -> None:
    for rule in RULES:
        assert rule.name.startswith("bulk.")
        assert rule.weight > 0
        assert rule.description.endswith(".")
    assert {rule.signal for rule in RULES} == {"bulk", "legit"}
