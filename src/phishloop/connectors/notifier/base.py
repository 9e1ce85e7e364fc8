"""Sending one notification e-mail, and what came of it."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from enum import StrEnum
from typing import Protocol, runtime_checkable


class DeliveryStatus(StrEnum):
    DELIVERED = "delivered"  # the relay accepted it
    TRANSIENT = "transient"  # 4xx, connection trouble: retry later
    PERMANENT = "permanent"  # 5xx, refused certificate, bad configuration: do not retry


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """The outcome of one `send`; `detail` is safe to show (no secrets)."""

    status: DeliveryStatus
    detail: str = ""
    code: int | None = None  # the SMTP reply code, when there was one
    refused: tuple[tuple[str, int, str], ...] = ()  # (recipient, code, reply) refused

    @property
    def delivered(self) -> bool:
        return self.status is DeliveryStatus.DELIVERED

    @property
    def retryable(self) -> bool:
        return self.status is DeliveryStatus.TRANSIENT


@runtime_checkable
class Notifier(Protocol):
    """Hands finished messages to the organisation's mail system."""

    def send(self, message: EmailMessage) -> DeliveryResult:
        """Deliver one message to its To/Cc/Bcc recipients; never raises for delivery
        problems (they are in the result)."""
