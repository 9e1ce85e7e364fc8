"""Calling `accept_report` for a channel that runs outside a request (SMTP, IMAP): its
failures become an `AcceptResult` the channel can answer with."""

from __future__ import annotations

import logging

from django.db import DatabaseError, close_old_connections

from phishloop.connectors.intake.base import AcceptResult, Outcome
from phishloop.server.intake.service import RejectedReport, accept_report

log = logging.getLogger(__name__)


def accept_for_channel(
    raw: bytes, *, channel: str, reporter: str, delivery_id: str = ""
) -> AcceptResult:
    """Accepted (committed), rejected for good (with the reason), or to be retried
    (the database or the raw storage is unavailable: nothing was acknowledged)."""
    close_old_connections()  # a connection broken by an earlier outage is replaced
    try:
        accepted = accept_report(
            raw, channel=channel, reporter=reporter, delivery_id=delivery_id,
            actor=f"intake:{channel}",
        )  # fmt: skip
    except RejectedReport as exc:
        return AcceptResult(Outcome.REJECTED, str(exc))
    except (DatabaseError, OSError) as exc:
        log.warning("%s intake: cannot store a report from %r now: %s", channel, reporter, exc)
        return AcceptResult(Outcome.RETRY, "storage unavailable")
    finally:
        close_old_connections()
    report = accepted.report
    again = "" if accepted.created else ", received before"
    return AcceptResult(Outcome.ACCEPTED, f"report #{report.pk}{again}")
