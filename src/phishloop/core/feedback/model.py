"""What a reporter is told, as data: the request to render and the rendered result."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    RECEIVED = "received"  # optional acknowledgement on receipt
    MALICIOUS = "malicious"
    SPAM = "spam"
    BULK = "bulk"
    SIMULATION = "simulation"
    CLEAN = "clean"
    UNDER_REVIEW = "under_review"


VERDICT_OUTCOMES = {
    "malicious": Outcome.MALICIOUS,
    "suspicious": Outcome.UNDER_REVIEW,  # an analyst decides; do not guess for the reporter
    "spam": Outcome.SPAM,
    "bulk": Outcome.BULK,
    "simulation": Outcome.SIMULATION,
    "clean": Outcome.CLEAN,
}


def outcome_for(category: str | None) -> Outcome:
    """The feedback outcome for a verdict category (no verdict yet: under review)."""
    return VERDICT_OUTCOMES.get(category or "", Outcome.UNDER_REVIEW)


@dataclass(frozen=True, slots=True)
class FeedbackRequest:
    """Everything the templates may show. `subject`, `sender` and `list_unsubscribe`
    come from the reported mail and are treated as hostile."""

    outcome: Outcome
    language: str = "en"
    reporter_name: str = ""
    subject: str | None = None
    sender: str | None = None
    reported_at: datetime.datetime | None = None  # the reported mail's Date
    timezone: datetime.tzinfo = datetime.UTC
    removed_count: int = 0  # malicious: mailboxes it was pulled from
    list_unsubscribe: str | None = None  # bulk: the raw List-Unsubscribe header
    previous_outcome: Outcome | None = None  # set: this is a correction of that answer
    reference: str = ""  # incident or report reference shown to the reporter
    organisation: str = ""


@dataclass(frozen=True, slots=True)
class RenderedFeedback:
    template: str  # e.g. "bulk" or "correction+clean"
    language: str
    subject: str  # one line, no CR/LF
    text: str
    html: str
