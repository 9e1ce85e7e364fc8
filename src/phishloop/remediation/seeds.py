"""Seeds from analyses: the core `Analysis` or its stored JSON form (the service's
`Message.analysis`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from phishloop.connectors.mailstore.base import normalise_message_id
from phishloop.core.cluster import fingerprint_from_dict
from phishloop.core.model import Analysis
from phishloop.core.serialize import analysis_to_dict
from phishloop.remediation.model import Seed


def seed_from_analysis(analysis: Analysis) -> Seed:
    return seed_from_dict(analysis_to_dict(analysis))


def seed_from_dict(analysis: Mapping[str, Any]) -> Seed:
    """A seed from `analysis_to_dict` output; missing parts stay empty."""
    message = analysis.get("message") if isinstance(analysis.get("message"), Mapping) else {}
    assert isinstance(message, Mapping)
    sender = message.get("from") if isinstance(message.get("from"), Mapping) else {}
    assert isinstance(sender, Mapping)
    message_id = str(message.get("message_id") or "").strip()
    fingerprint = analysis.get("fingerprint")
    campaign = fingerprint_from_dict(fingerprint) if isinstance(fingerprint, Mapping) else None
    return Seed(
        message_id=normalise_message_id(message_id) if message_id else "",
        sender=str(sender.get("address") or ""),
        subject=str(message.get("subject") or ""),
        date=_date(message.get("date")),
        recipients=_addresses(message.get("to")) + _addresses(message.get("cc")),
        fingerprint=campaign,
    )


def _date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _addresses(value: object) -> tuple[str, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        return ()
    found = []
    for item in value:
        text = item.get("address") if isinstance(item, Mapping) else item
        if isinstance(text, str) and "@" in text:
            found.append(text.strip().lower())
    return tuple(found)
