"""What a report source gets back from the service when it hands over a report."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # stored and committed: acknowledge
    REJECTED = "rejected"  # can never be accepted (empty, too large): refuse for good
    RETRY = "retry"  # could not be stored now (database or storage down): try again later


@dataclass(frozen=True)
class AcceptResult:
    """What became of one submission; `detail` is a reference or the reason."""

    outcome: Outcome
    detail: str = ""
