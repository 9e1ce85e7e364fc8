"""Rules: extortion.* — claims, the payment demand, and the wallet it goes to."""

from __future__ import annotations

import pytest

from phishloop.core.classify.wallets import find_wallets

WALLET = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
SEXTORTION = (
    "Hello! I have bad news for you. A few months ago I gained access to your devices. "
    "I installed a trojan on your operating system and recorded you while you were watching "
    "adult websites. Transfer $1450 in Bitcoin to my bitcoin address: " + WALLET + ". "
    "You have 48 hours. Once I receive the payment, I will delete the video. "
    "Do not contact the police."
)


def test_claims_fire(fire) -> None:
    finding = fire("extortion.claims", SEXTORTION)
    assert finding is not None
    assert finding.strength == 1.0


def test_demand_is_full_strength_with_claims(fire) -> None:
    finding = fire("extortion.payment-demand", SEXTORTION)
    assert finding is not None
    assert finding.strength == 1.0


def test_demand_alone_is_weak(fire) -> None:
    finding = fire("extortion.payment-demand", "Renew now. You have 24 hours left!")
    assert finding is not None
    assert finding.strength == pytest.approx(0.4)


def test_wallet_with_extortion_wording(fire) -> None:
    finding = fire("extortion.crypto-wallet", SEXTORTION)
    assert finding is not None
    assert WALLET in finding.evidence


def test_wallet_without_extortion_wording_is_quiet(fire) -> None:
    body = f"Donations welcome: {WALLET}. Thanks for supporting the project!"
    assert fire("extortion.crypto-wallet", body) is None


def test_portuguese_sextortion(fire) -> None:
    body = (
        "Tenho acesso total ao seu dispositivo. Tenho um vídeo de você a masturbar-se. "
        "Transfira 750 USD em bitcoin para o meu endereço bitcoin."
    )
    assert fire("extortion.claims", body) is not None
    assert fire("extortion.payment-demand", body).strength == 1.0


@pytest.mark.parametrize(
    "body",
    [
        "Our security team recorded a webinar on phishing; the video is on the intranet.",
        "Bitcoin fell 5% today as markets reacted to the rate decision.",
        "Your password is: Welcome2025 (please change it at first login).",
    ],
)
def test_quiet_on_ordinary_mail(fire, body: str) -> None:
    assert fire("extortion.claims", body) is None
    assert fire("extortion.crypto-wallet", body) is None


def test_wallet_checksums_reject_look_alike_tokens() -> None:
    text = (
        f"{WALLET} 1BoatSLRHtKNngkdXEeobR76b53LETtpyU "
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx "
        "0x52908400098527886E0F7030069857D2E4169EE7"
    )
    assert find_wallets(text) == (
        WALLET,
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "0x52908400098527886E0F7030069857D2E4169EE7",
    )
