"""sender.*: From, Reply-To, Return-Path and display names."""

from __future__ import annotations

LIST = [("List-Id", "<dev.lists.example.net>"), ("List-Post", "<mailto:dev@lists.example.net>")]


def test_reply_to_elsewhere(mail, hits) -> None:
    found = hits(mail("Billing <billing@vendor.example>", reply_to="pay@other-company.net"))
    assert found["sender.reply-to-mismatch"].weight == 1.5
    assert "other-company.net" in found["sender.reply-to-mismatch"].evidence


def test_reply_to_sibling_or_same_brand_is_fine(mail, hits) -> None:
    assert "sender.reply-to-mismatch" not in hits(mail("A <a@acme.com>", reply_to="b@acme.de"))
    assert "sender.reply-to-mismatch" not in hits(
        mail("A <a@acme.com>", reply_to="b@acme-mail.com")
    )
    raw = mail("PayPal <service@paypal.com>", reply_to="help@paypal-communication.com")
    assert "sender.reply-to-mismatch" not in hits(raw)


def test_reply_to_of_a_mailing_list_does_not_count(mail, hits) -> None:
    raw = mail("list <dev@lists.example.net>", reply_to="author@gmail.com", headers=LIST)
    found = hits(raw)
    assert "sender.reply-to-freemail" not in found and "sender.reply-to-mismatch" not in found
    raw = mail("Ann <ann@uni.example>", reply_to="dev@lists.example.net", headers=LIST)
    assert "sender.reply-to-mismatch" not in hits(raw)


def test_newsletter_reply_to_is_weak(mail, hits) -> None:
    headers = [("List-Unsubscribe", "<https://esp.example/u/1>")]
    raw = mail("Shop <news@shop.example>", reply_to="care@helpdesk-vendor.example", headers=headers)
    assert hits(raw)["sender.reply-to-mismatch"].weight < 0.6


def test_reply_to_freemail_is_bec_like(mail, hits) -> None:
    found = hits(mail("CEO <ceo@vendor.example>", reply_to="ceo.private@gmail.com"))
    assert found["sender.reply-to-freemail"].signal == "bec"
    assert "sender.reply-to-mismatch" not in found
    assert "sender.reply-to-freemail" not in hits(mail("A <a@gmail.com>", reply_to="a@yahoo.com"))


def test_return_path_only_counts_beside_other_oddities(mail, hits) -> None:
    bounce = [("Return-Path", "<bounce-123@esp-mailer.example>")]
    assert "sender.return-path-mismatch" not in hits(mail(headers=bounce))
    raw = mail(headers=bounce, reply_to="x@unrelated.example")
    assert hits(raw)["sender.return-path-mismatch"].weight == 0.5


def test_freemail_with_corporate_name(mail, hits) -> None:
    found = hits(mail("Microsoft Account Team <ms.team.2025@outlook.com>"))
    assert "sender.freemail-corporate-name" in found
    assert "sender.freemail-corporate-name" not in hits(mail("Anna Smith <anna.smith@gmail.com>"))
    assert "sender.freemail-corporate-name" not in hits(mail("Support <support@acme.example>"))


def test_display_name_with_another_address(mail, hits) -> None:
    found = hits(mail('"service@paypal.com" <x1@evil.example>'))
    assert "paypal.com" in found["sender.display-name-address"].evidence
    assert "sender.display-name-address" not in hits(mail('"bob@example.org" <bob@example.org>'))
    assert "sender.display-name-address" not in hits(
        mail('"Bob (bob@mail.example.org)" <bob@example.org>')
    )


def test_missing_from(mail, hits) -> None:
    received = [("Received", "from mx.example by mx.contoso.com; Tue, 4 Mar 2025 10:00:00 +0000")]
    assert "sender.missing-from" in hits(mail("PayPal", headers=received))
    assert "sender.missing-from" not in hits(mail("Bob <bob@example.org>", headers=received))
    assert "sender.missing-from" not in hits(mail("Internal Sender"))  # no transport: a draft
