"""Campaign mail for pipeline tests: copies that differ the way real campaign copies do."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from phishloop.server.pipeline import runtime

PHISH_TEXT = (
    "Dear {name},\n\nWe detected unusual sign-in activity on your mailbox and it will be "
    "suspended within 24 hours unless you confirm your account ownership. Please verify your "
    "password immediately using the secure portal below to avoid losing access to your email, "
    "your calendar and your shared documents.\n\n{link}\n\nThank you for your cooperation,\n"
    "The IT Service Desk team\nReference number {ref}\n"
)
INVOICE_TEXT = (
    "Hello {name},\n\nPlease find attached the overdue invoice for the consulting services "
    "delivered last quarter. Payment must be sent by wire transfer to our new bank account "
    "before Friday, otherwise late fees will apply as stated in our agreement. Contact our "
    "accounts receivable department if anything is unclear.\n\n{link}\n\nKind regards,\n"
    "Accounts department\nInvoice {ref}\n"
)


def campaign_copy(
    recipient: str,
    *,
    text: str = PHISH_TEXT,
    sender: str = "IT Service Desk <support@mailbox-verify.example>",
    subject: str = "Action required: verify your mailbox",
    domain: str = "mailbox-verify.example",
) -> bytes:
    """One recipient's copy: own Message-ID, greeting, tracking token and reference."""
    name = recipient.split("@", maxsplit=1)[0].capitalize()
    token = abs(hash(recipient)) % 10**12
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f"{name} <{recipient}>"
    message["Subject"] = subject
    message["Message-ID"] = f"<{token}.{name.lower()}@{domain}>"
    link = f"https://login.{domain}/verify/account?user={token}&t={token * 7}"
    message.set_content(text.format(name=name, link=link, ref=token))
    return message.as_bytes()


@pytest.fixture
def isolated_runtime(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """A fresh data directory (intel store) and runtime for this test."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    runtime.reset()
    yield settings.DATA_DIR
    runtime.reset()


def use_policy(settings: Any, tmp_path: Path, policy: str) -> Path:
    """Point the runtime at a configuration file holding `policy` (TOML text)."""
    path = tmp_path / "phishloop.toml"
    path.write_text('[organisation]\ndomains = ["corp.example"]\n\n' + policy)
    settings.PHISHLOOP_CONFIG = str(path)
    runtime.reset()
    return path
