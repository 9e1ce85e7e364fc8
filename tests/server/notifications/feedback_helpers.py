"""Shared set-up for the feedback tests: a configuration file with [notifier] and
[feedback], campaign reports from several people, and reading sent feedback back."""

from __future__ import annotations

import itertools
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from phishloop.server.intake.service import accept_report
from phishloop.server.pipeline import runtime
from phishloop.server.reports.models import Report

ALWAYS = "[policy]\nauto_resolve = {malicious = 0.01, spam = 0.01, bulk = 0.01, clean = 0.01}\n"
NEVER = "[policy]\nauto_resolve = {}\n"


def configure(
    settings: Any,
    tmp_path: Path,
    *,
    policy: str = ALWAYS,
    port: int = 2525,
    feedback: str = "",
    extra: str = "",
) -> Path:
    """Point the service at a configuration file: corp.example and corp.de are ours;
    corp.de reads German; the relay is 127.0.0.1:`port` without TLS."""
    path = tmp_path / "phishloop.toml"
    path.write_text(
        '[organisation]\ndomains = ["corp.example", "corp.de"]\n\n'
        f"{policy}\n"
        "[notifier]\n"
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'from_address = "abuse@corp.example"\nfrom_name = "IT Security"\n'
        'organisation_name = "Corp IT Security"\n\n'
        "[feedback]\n"
        'languages = {"corp.de" = "de"}\n'
        f"{feedback}\n"
        f"{extra}\n"
    )
    settings.PHISHLOOP_CONFIG = str(path)
    settings.PHISHLOOP_JOB_RETRY_SECONDS = 0.0  # retries are due at once for drain()
    runtime.reset()
    return path


_deliveries = itertools.count(1)


def report(raw: bytes, reporter: str, channel: str = "api") -> Report:
    """A new report of `raw` (each call is another reporting event, as when someone
    presses the report button again)."""
    delivery = f"test-{next(_deliveries)}"
    return accept_report(raw, channel=channel, reporter=reporter, delivery_id=delivery).report


def parsed(message: EmailMessage | bytes) -> EmailMessage:
    raw = message if isinstance(message, bytes) else message.as_bytes()
    result = message_from_bytes(raw, policy=policy.default)
    assert isinstance(result, EmailMessage)
    return result


def body_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def recipients(messages: list[EmailMessage]) -> list[str]:
    return sorted(str(m["To"].addresses[0].addr_spec) for m in messages)
