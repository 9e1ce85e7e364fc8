"""Sender-infrastructure history: how often phishloop has seen a sender before.

The CLI has no history (every sender is unknown, and the "newly seen" rule stays silent);
the service implements `SenderHistory` over its database.
"""

from __future__ import annotations

from typing import Protocol


class SenderHistory(Protocol):
    def times_seen(self, key: str) -> int | None:
        """How many earlier messages carried this key ("domain:example.com",
        "ip:203.0.113.5", "from:alice@example.com"); None when there is no history yet."""
        ...
