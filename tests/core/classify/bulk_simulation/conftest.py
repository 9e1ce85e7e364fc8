"""Helpers for the bulk and simulation rule tests: build a message, analyse it, run rules."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

import pytest

from phishloop.core.classify.chain import run_chain
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.types import Rule
from phishloop.core.config import DEFAULT_CONFIG, AnalysisConfig
from phishloop.core.pipeline import analyze

Fire = Callable[..., dict[str, str]]


def make_message(
    headers: list[tuple[str, str]] | None = None,
    text: str = "Hi Anna,\n\nsee you at the meeting tomorrow.\n\nBob\n",
    html: str | None = None,
    sender: str = "Bob Example <bob@example.org>",
    subject: str = "Hello",
) -> bytes:
    """A small message: `headers` go on top (as a receiving server would add them)."""
    msg = EmailMessage()
    for name, value in headers or []:
        msg[name] = value
    msg["From"] = sender
    msg["To"] = "anna@corp.example"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 04 Mar 2025 10:00:00 +0000"
    msg["Message-ID"] = "<1234@example.org>"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


def fired(
    raw: bytes, rules: tuple[Rule, ...], config: AnalysisConfig = DEFAULT_CONFIG
) -> dict[str, str]:
    """Rule name -> evidence for every rule of `rules` that fires (a rule that raises fails)."""
    analysis = analyze(raw, config=config, verdict=False)[0]
    hits, failures = run_chain(Facts(analysis, config), config.rules, rules)
    assert not failures, failures
    return {hit.rule: hit.evidence for hit in hits}


@pytest.fixture
def message() -> Callable[..., bytes]:
    return make_message


@pytest.fixture
def fire() -> Fire:
    return fired
