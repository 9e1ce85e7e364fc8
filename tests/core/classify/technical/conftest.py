"""Helpers for the technical rule tests: build a small message, analyse it with a given
configuration and run the technical rule families on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from email.message import EmailMessage
from typing import Any

import pytest

from phishloop.core.classify.chain import run_chain
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.rules import (
    attachments,
    auth,
    impersonation,
    intel,
    links,
    lists,
    lookalike,
    sender,
)
from phishloop.core.classify.types import Hit, Rule
from phishloop.core.config import AnalysisConfig
from phishloop.core.model import Analysis
from phishloop.core.pipeline import analyze

TECHNICAL = (
    *lists.RULES, *auth.RULES, *sender.RULES, *impersonation.RULES, *lookalike.RULES,
    *links.RULES, *intel.RULES, *attachments.RULES,
)  # fmt: skip
ORG = {
    "organisation": {
        "name": "Contoso",
        "domains": ["contoso.com", "contoso.de"],
        "authserv_ids": ["mx.contoso.com"],
        "vip_names": ["Jane Doe (CEO)", "François Müller"],
    }
}
Attachment = tuple[str, bytes, str, str]  # filename, bytes, maintype, subtype


def build(
    sender: str = "Bob Example <bob@example.org>",
    *,
    subject: str = "Hello",
    text: str = "Hi Anna,\n\nsee you at the meeting tomorrow.\n\nBob\n",
    html: str | None = None,
    headers: list[tuple[str, str]] | None = None,
    reply_to: str | None = None,
    attachments: list[Attachment] | None = None,
) -> bytes:
    """A small message; `headers` go on top, as receiving servers add them."""
    msg = EmailMessage()
    for name, value in headers or []:
        msg[name] = value
    msg["From"] = sender
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["To"] = "anna@contoso.com"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 04 Mar 2025 10:00:00 +0000"
    msg["Message-ID"] = "<1234@example.org>"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, data, maintype, subtype in attachments or []:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def config(**tables: Any) -> AnalysisConfig:
    """The test organisation's configuration, with extra tables merged in."""
    return AnalysisConfig.from_mapping({**ORG, **tables})


def run(analysis: Analysis, cfg: AnalysisConfig) -> dict[str, Hit]:
    hits, failures = run_chain(Facts(analysis, cfg), cfg.rules, TECHNICAL)
    assert not failures, failures
    return {hit.rule: hit for hit in hits}


def hits_of(raw: bytes, cfg: AnalysisConfig | None = None, **changes: Any) -> dict[str, Hit]:
    """Rule name -> hit for every technical rule that fires; `changes` replace fields of
    the analysis (to inject intel matches or attachment flags)."""
    cfg = cfg or config()
    analysis = analyze(raw, config=cfg, verdict=False)[0]
    return run(replace(analysis, **changes) if changes else analysis, cfg)


@pytest.fixture
def hits() -> Callable[..., dict[str, Hit]]:
    return hits_of


@pytest.fixture
def mail() -> Callable[..., bytes]:
    return build


@pytest.fixture
def cfg() -> Callable[..., AnalysisConfig]:
    return config


@pytest.fixture
def run_rules() -> Callable[[Analysis, AnalysisConfig], dict[str, Hit]]:
    return run


@pytest.fixture
def technical_rules() -> tuple[Rule, ...]:
    return TECHNICAL
