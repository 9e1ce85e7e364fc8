"""Helpers for the model tests: small e-mails built in the test, analysed by the core."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

import pytest

from phishloop.core.model import Analysis
from phishloop.core.pipeline import analyze

Analyse = Callable[..., Analysis]


def _analysed(
    subject: str, body: str, html: str | None = None, headers: dict[str, str] | None = None
) -> Analysis:
    message = EmailMessage()
    for name, value in (headers or {}).items():
        message[name] = value
    message["From"] = "Sender <sender@example.org>"
    message["To"] = "someone@example.com"
    message["Subject"] = subject
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    [result] = analyze(bytes(message), verdict=False)
    return result


@pytest.fixture
def analysed() -> Analyse:
    """analysed(subject, body, html=None, headers=None) -> Analysis"""
    return _analysed
