"""Who may report, and how often: checks shared by the intake channels."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parseaddr


def address_domain(address: str) -> str:
    """The domain of an address (lower case), "" when it has none."""
    _, addr = parseaddr(address)
    local, at, domain = (addr or address).strip().rpartition("@")
    return domain.strip().rstrip(".").lower() if at and local else ""


@dataclass(frozen=True)
class ReporterPolicy:
    """Reporters must write from one of `domains` (subdomains included), unless
    `allow_any` — then any address with a domain is accepted."""

    domains: tuple[str, ...] = ()
    allow_any: bool = False

    def refusal(self, address: str) -> str | None:
        """Why `address` may not report, or None when it may."""
        domain = address_domain(address)
        if not domain:
            return "a report needs a sender address"
        if self.allow_any:
            return None
        if not self.domains:
            return "no reporter domains are configured ([organisation] domains)"
        if any(domain == d or domain.endswith("." + d) for d in self.domains):
            return None
        return f"{domain} is not one of the organisation's domains"


@dataclass
class SenderRateLimiter:
    """At most `limit` events per sender in any `window_seconds` (sliding window, in
    memory: one limiter per intake process)."""

    limit: int
    window_seconds: float
    clock: Callable[[], float] = time.monotonic
    _events: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def allow(self, sender: str) -> bool:
        """Count one event for `sender`; False when it is over the limit (not counted)."""
        if self.limit <= 0:
            return True
        key = sender.strip().lower()
        now = self.clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window_seconds:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            self._forget_idle(now)
            return True

    def _forget_idle(self, now: float) -> None:
        # Keep memory bounded under many distinct senders: drop senders with no recent event.
        if len(self._events) < 10_000:
            return
        cutoff = now - self.window_seconds
        for key in [k for k, v in self._events.items() if not v or v[-1] <= cutoff]:
            del self._events[key]


def header_sender(raw: bytes, *, max_header_bytes: int = 256 * 1024) -> str:
    """The address in the From header of a message (the reporter of a forward), "" when
    there is none."""
    head = raw[:max_header_bytes]
    end = min((i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0), default=-1)
    headers = BytesHeaderParser(policy=compat32).parsebytes(head if end < 0 else head[:end])
    _, address = parseaddr(str(headers.get("From", "")))
    return address.strip()
