"""Rules: scam.* — advance-fee, prizes and surveys, investment, tech support, loans."""

from __future__ import annotations

import pytest

ADVANCE_FEE = (
    "Dear Beneficiary, compliments of the day. I am Barrister James Obi, attorney to the late "
    "client Mr. Adams who died without next of kin. The sum of US$10,500,000 will be "
    "transferred to you. Reply to my private email james.obi@outlook.com for the release of "
    "the fund. God bless you."
)


def test_advance_fee_fires_fully_on_419(fire) -> None:
    finding = fire("scam.advance-fee", ADVANCE_FEE, sender="James <jobi@example.net>")
    assert finding is not None
    assert finding.strength == 1.0
    assert "next of kin" in finding.evidence


def test_weak_419_markers_alone_do_not_fire(fire) -> None:
    body = "The deal is worth 235 million euros. Dear Sir/Madam, God bless you."
    assert fire("scam.advance-fee", body) is None


def test_reply_elsewhere(fire) -> None:
    finding = fire("scam.reply-elsewhere", ADVANCE_FEE, sender="James <jobi@example.net>")
    assert finding is not None
    assert "james.obi@outlook.com" in finding.evidence
    same = ADVANCE_FEE.replace("james.obi@outlook.com", "jobi@example.net")
    assert fire("scam.reply-elsewhere", same, sender="James <jobi@example.net>") is None


@pytest.mark.parametrize(
    "body",
    [
        "CONGRATULATIONS! You are the lucky online winner of a brand new iPhone. Complete this "
        "short survey to claim your reward.",
        "Herzlichen Glückwunsch! Sie haben gewonnen: ein 500€ Gutschein wartet auf Sie.",
        "Parabéns! Você ganhou 245 mil pontos. Resgate seus pontos agora.",
        "Félicitations, vous avez gagné un Samsung Galaxy S24 lors de notre tombola.",
        "Gefeliciteerd, u heeft gewonnen! Vul onze korte enquête in.",
    ],
)
def test_prize(fire, body: str) -> None:
    assert fire("scam.prize", body) is not None


def test_survey_alone_is_not_a_prize(fire) -> None:
    body = "Tell us how we did: take our survey at https://survey.example.com/q3"
    assert fire("scam.prize", body) is None


def test_investment_and_crypto_drainers(fire) -> None:
    body = "Your cloud mining balance: 1.34 BTC. Withdraw your funds within 24 hours."
    assert fire("scam.investment", body) is not None
    assert (
        fire("scam.investment", "Claim your free SCR tokens: the airdrop is now live.") is not None
    )


def test_tech_support_scare(fire) -> None:
    body = "Your computer is infected! Your Norton subscription has expired. Renew now."
    finding = fire("scam.tech-support", body)
    assert finding is not None
    assert finding.strength == pytest.approx(0.8)


def test_loan(fire) -> None:
    assert fire("scam.loan", "Good news: your loan has been approved. Bad credit OK!") is not None


@pytest.mark.parametrize(
    "body",
    [
        "The quarterly report shows revenue of 12 million dollars, up 4% on last year.",
        "Thanks for your donation to the school charity run! See you next year.",
        "Your mortgage statement for March is available in online banking.",
        "Please complete the annual security awareness survey by Friday.",
    ],
)
def test_quiet_on_ordinary_mail(fire, body: str) -> None:
    for rule_name in ("scam.advance-fee", "scam.prize", "scam.investment", "scam.loan"):
        assert fire(rule_name, body) is None, rule_name
