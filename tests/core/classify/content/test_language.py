"""Rules: language.* — urgency, credential lures, payment pressure, and their combination."""

from __future__ import annotations

import pytest

PHISH = (
    "Dear user,\n\nWe detected unusual sign-in activity on your mailbox. Verify your account "
    "within 24 hours or your account will be suspended.\n\nhttps://login.example-verify.top/\n"
)


def test_urgency_fires_with_evidence(fire) -> None:
    finding = fire("language.urgency", PHISH)
    assert finding is not None
    assert "within 24 hours" in finding.evidence
    assert finding.strength == 1.0  # three distinct phrases
    assert fire("language.urgency", "This is your final notice.").strength == 0.7


def test_credential_lure_fires(fire) -> None:
    finding = fire("language.credential-lure", PHISH)
    assert finding is not None
    assert "verify your account" in finding.evidence


def test_lure_with_link_needs_all_three(fire) -> None:
    assert fire("language.lure-with-link", PHISH) is not None
    no_link = PHISH.replace("https://login.example-verify.top/", "")
    assert fire("language.lure-with-link", no_link) is None


@pytest.mark.parametrize(
    "body",
    [
        "Bitte bestätigen Sie Ihr Konto, sonst wird Ihr Konto gesperrt. Letzte Mahnung!",
        "Veuillez vérifier votre compte, sinon votre compte sera suspendu sous 48 heures.",
        "Verifique su cuenta: su cuenta será bloqueada en las próximas 24 horas.",
        "Atualize seus dados: sua conta será bloqueada em 24 horas. Último aviso!",
        "Verifica il tuo account entro 24 ore, altrimenti il conto sarà sospeso.",
        "Bevestig uw gegevens binnen 24 uur, anders wordt uw account geblokkeerd.",
    ],
)
def test_urgency_in_other_languages(fire, body: str) -> None:
    assert fire("language.urgency", body) is not None


def test_credential_lure_defeats_zero_width_and_cyrillic_tricks(fire) -> None:
    body = "Please V\u200berify yоur аccount to keep access."  # Cyrillic о and а
    assert fire("language.credential-lure", body) is not None


def test_credential_lure_in_subject_only(fire) -> None:
    finding = fire("language.credential-lure", "See below.", subject="Your mailbox is full")
    assert finding is not None


def test_payment_pressure(fire) -> None:
    body = "Your parcel is on hold. The customs fee is unpaid: pay the delivery fee today."
    finding = fire("language.payment-pressure", body)
    assert finding is not None
    assert "on hold" in finding.evidence


def test_portuguese_customs_and_cpf_lures(fire) -> None:
    body = "Sua encomenda está retida. Efetue o pagamento das taxas alfandegárias."
    assert fire("language.payment-pressure", body) is not None
    subject = "Governo Federal: iniciado processo de cancelamento de CPF!"
    assert fire("language.urgency", "Veja abaixo.", subject=subject) is not None


LEGITIMATE = [
    # A real password-reset notice
    "Hi Ana,\n\nSomeone requested a password reset for your GitHub account. If this was you, "
    "use the link below to choose a new password. If not, you can ignore this email.\n\n"
    "https://github.com/password_reset/abc\n",
    # A real invoice
    "Hello,\n\nPlease find attached invoice 2025-0113 for the March consultancy work, "
    "payable within 30 days to the account on the invoice. Thanks for your business!\n",
    # A colleague asking to meet
    "Hi team,\n\nCan we move the sprint review to Thursday? I will send a new invite "
    "immediately after lunch.\n\nCheers, Tom\n",
    # A sign-up confirmation
    "Thanks for joining! Please confirm your email address to start receiving our "
    "newsletter: https://news.example.org/confirm?t=1\n",
]


@pytest.mark.parametrize("body", LEGITIMATE)
@pytest.mark.parametrize(
    "rule_name", ["language.urgency", "language.credential-lure", "language.payment-pressure"]
)
def test_quiet_on_legitimate_mail(fire, rule_name: str, body: str) -> None:
    assert fire(rule_name, body) is None
