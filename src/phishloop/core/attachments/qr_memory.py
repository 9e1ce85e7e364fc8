"""A bounded, thread-safe memory of what image attachments held, by content: the same
images (logos, banners, a campaign's QR code) come back message after message."""

from __future__ import annotations

import threading
from dataclasses import dataclass

MAX_REMEMBERED = 512  # outcomes are a few short strings each


@dataclass(frozen=True, slots=True)
class Refused:
    """The image was over a pixel limit: nothing was decoded."""

    reason: str


@dataclass(frozen=True, slots=True)
class Decoded:
    """The texts of the QR codes found (often none)."""

    texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TooSmall:
    """Smaller than the smallest QR code: not scanned."""


TOO_SMALL = TooSmall()
Outcome = Refused | Decoded | TooSmall
Key = tuple[str, int]  # (SHA-256 of the image bytes, the pixel limit it was read under)

_outcomes: dict[Key, Outcome] = {}
_lock = threading.Lock()


def recall(key: Key) -> Outcome | None:
    with _lock:
        return _outcomes.get(key)


def remember(key: Key, outcome: Outcome) -> None:
    with _lock:
        if key not in _outcomes and len(_outcomes) >= MAX_REMEMBERED:
            del _outcomes[next(iter(_outcomes))]  # the oldest entry
        _outcomes[key] = outcome


def forget_all() -> None:
    """Empty the memory (tests)."""
    with _lock:
        _outcomes.clear()
