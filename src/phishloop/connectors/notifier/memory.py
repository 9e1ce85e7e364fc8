"""The in-memory notifier: records messages; tests script failures."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from email.message import EmailMessage

from phishloop.connectors.notifier.base import DeliveryResult, DeliveryStatus


class InMemoryNotifier:
    """`sent` holds every delivered message; queued `results` are returned first (so a
    test can make the next send fail transiently, then succeed)."""

    def __init__(self, results: Iterable[DeliveryResult] = ()) -> None:
        self.sent: list[EmailMessage] = []
        self.attempts: list[EmailMessage] = []
        self.results: deque[DeliveryResult] = deque(results)

    def send(self, message: EmailMessage) -> DeliveryResult:
        self.attempts.append(message)
        result = (
            self.results.popleft() if self.results else DeliveryResult(DeliveryStatus.DELIVERED)
        )
        if result.delivered:
            self.sent.append(message)
        return result
