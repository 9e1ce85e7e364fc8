"""Helpers for the content-rule tests: build a small e-mail, analyse it, and run one rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest

from phishloop.core.classify.chain import CHAIN
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.history import SenderHistory
from phishloop.core.classify.types import Finding, Rule
from phishloop.core.config import DEFAULT_CONFIG, AnalysisConfig
from phishloop.core.pipeline import analyze

RULES: dict[str, Rule] = {rule.name: rule for rule in CHAIN}


def build_mail(
    body: str = "Hello,\n\nsee you tomorrow.\n",
    *,
    subject: str = "Hello",
    sender: str = "Alice Example <alice@example.org>",
    to: str = "bob@example.com",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[bytes, str, str]] | None = None,
) -> bytes:
    """A small RFC 5322 message; `attachments` are (content, filename, mime type)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime(2025, 3, 4, 9, 30, tzinfo=UTC))
    message["Message-ID"] = make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for content, filename, mime in attachments or []:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def facts_of(
    data: bytes, config: AnalysisConfig = DEFAULT_CONFIG, history: SenderHistory | None = None
) -> Facts:
    (analysis,) = analyze(data, config=config, verdict=False)
    return Facts(analysis, config, history=history)


def run(rule: str, facts: Facts) -> Finding | None:
    return RULES[rule].check(facts)


@pytest.fixture
def fire() -> Callable[..., Finding | None]:
    """fire("rule.name", body, **build_mail kwargs, config=..., history=...) -> Finding."""

    def _fire(
        rule: str,
        body: str = "Hello",
        *,
        config: AnalysisConfig = DEFAULT_CONFIG,
        history: SenderHistory | None = None,
        **kwargs: object,
    ) -> Finding | None:
        return run(rule, facts_of(build_mail(body, **kwargs), config, history))  # type: ignore[arg-type]

    return _fire


@pytest.fixture
def mail() -> Callable[..., bytes]:
    """build_mail(body, subject=..., sender=..., html=..., headers=..., attachments=...)."""
    return build_mail


@pytest.fixture
def facts() -> Callable[..., Facts]:
    """facts(message_bytes, config=..., history=...) -> Facts."""
    return facts_of


@pytest.fixture
def rule() -> Callable[[str, Facts], Finding | None]:
    """rule("rule.name", facts) -> Finding or None."""
    return run
