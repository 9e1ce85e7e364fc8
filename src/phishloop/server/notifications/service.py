"""Which reporters are told what, and when: one notification per reporter and answer.

A reporter's answer is about their messages in an incident. They get one when the
incident is resolved and the outcome differs from the last one they were (or are about
to be) told about any of those messages: the same message reported five times, a second
copy of the campaign, a merge that keeps the verdict — no new answer; a changed verdict —
a correction. Each row's `dedup_key` names the reporter, incident, outcome and the answer
it follows, so planning twice (a job delivered twice, two workers) creates one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from phishloop.core.feedback import Outcome, outcome_for
from phishloop.server.audit.service import record
from phishloop.server.incidents.models import Category, Incident, IncidentState
from phishloop.server.jobs.queue import enqueue
from phishloop.server.notifications.config import FeedbackConfig, feedback_config
from phishloop.server.notifications.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
)
from phishloop.server.reports.models import Message, Report

SEND = "send-notification"
# What a reporter has been told (or will be): failed and skipped rows never reached them.
_TOLD = (NotificationStatus.PENDING, NotificationStatus.SENT)
_ANSWERS = (NotificationKind.VERDICT, NotificationKind.UNDER_REVIEW)


@dataclass(frozen=True)
class Planned:
    """One notification to create: for `reporter`, about `messages` of `incident`."""

    kind: str
    reporter: str
    outcome: Outcome
    messages: list[Message]
    reports: list[Report]
    key: str
    incident: Incident | None = None
    previous: Outcome | None = None


def plan_verdict_feedback(incident_id: int) -> list[Notification]:
    """The answers (and corrections) a resolved incident owes its reporters."""
    config = feedback_config()
    if not config.sending:
        return []
    with transaction.atomic():
        # The lock first: a change still being committed (which holds this row) is
        # waited for, so a plan never misses it (see receivers.queue_verdict_feedback).
        incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
        if incident is None or incident.state != IncidentState.RESOLVED:
            return []
        return _plan_answers(incident, config)


def _plan_answers(incident: Incident, config: FeedbackConfig) -> list[Notification]:
    outcome = outcome_for(incident.category)
    planned = []
    for reporter, reports in reporters_of(incident).items():
        messages = _messages(incident, reporter)
        last = last_answer(reporter, messages)
        if last is not None and last.outcome == outcome:
            continue
        previous = _correctable(last)
        key = f"verdict:{incident.pk}:{reporter}:{outcome}:after:{last.pk if last else 0}"
        planned.append(Planned(NotificationKind.VERDICT, reporter, outcome, messages, reports,
                               key, incident, previous))  # fmt: skip
    return _create_all(planned, config)


def plan_review_notes(incident_id: int) -> list[Notification]:
    """ "Still under review" for reporters who waited longer than the configured delay
    for an analyst and have heard nothing yet."""
    config = feedback_config()
    minutes = config.feedback.under_review_after_minutes
    incident = Incident.objects.filter(pk=incident_id).first()
    if not config.sending or not minutes or incident is None:
        return []
    if incident.state != IncidentState.AWAITING_ANALYST:
        return []
    waited_since = timezone.now() - timedelta(minutes=minutes)
    planned = []
    for reporter, reports in reporters_of(incident).items():
        if min(r.received_at for r in reports) > waited_since:
            continue  # their own reminder job comes later
        messages = _messages(incident, reporter)
        if last_answer(reporter, messages) is not None:
            continue
        key = f"review:{incident.pk}:{reporter}"
        planned.append(Planned(NotificationKind.UNDER_REVIEW, reporter, Outcome.UNDER_REVIEW,
                               messages, reports, key, incident))  # fmt: skip
    return _create_all(planned, config)


def plan_acknowledgement(report_id: int) -> list[Notification]:
    """ "We received your report" once per reporter and message, unless they were told
    something about it already (a quick verdict makes the acknowledgement pointless)."""
    config = feedback_config()
    report = Report.objects.filter(pk=report_id).first()
    if not (config.sending and config.feedback.acknowledge_receipt) or report is None:
        return []
    reporter = report.reporter.strip().lower()
    messages = list(report.messages.order_by("first_reported_at", "id"))
    if not reporter or not messages:
        return []
    told = Notification.objects.filter(reporter=reporter, messages__in=messages)
    if told.exists():
        return []
    key = f"received:{reporter}:{messages[0].pk}"
    incident = messages[0].incident
    planned = Planned(NotificationKind.RECEIVED, reporter, Outcome.RECEIVED, messages,
                      [report], key, incident)  # fmt: skip
    return _create_all([planned], config)


def reporters_of(incident: Incident) -> dict[str, list[Report]]:
    """The incident's reports with a reporter, by lower-cased reporter address."""
    reports = (
        Report.objects.filter(messages__incident=incident)
        .exclude(reporter="")
        .distinct()
        .order_by("received_at", "id")
    )
    grouped: dict[str, list[Report]] = {}
    for report in reports:
        grouped.setdefault(report.reporter.strip().lower(), []).append(report)
    return grouped


def last_answer(reporter: str, messages: Iterable[Message]) -> Notification | None:
    """The latest answer the reporter was (or is about to be) given about any of them."""
    told: QuerySet[Notification] = Notification.objects.filter(
        reporter=reporter, kind__in=_ANSWERS, status__in=_TOLD, messages__in=list(messages)
    )
    return told.order_by("-id").first()


def _messages(incident: Incident, reporter: str) -> list[Message]:
    found = Message.objects.filter(incident=incident, reports__reporter__iexact=reporter)
    return list(found.distinct().order_by("first_reported_at", "id"))


def _correctable(last: Notification | None) -> Outcome | None:
    """The earlier answer a new one corrects: a verdict, not "under review"."""
    if last is None or last.kind != NotificationKind.VERDICT:
        return None
    previous = Outcome(last.outcome)
    return None if previous is Outcome.UNDER_REVIEW else previous


def _create_all(planned: list[Planned], config: FeedbackConfig) -> list[Notification]:
    created = []
    for plan in planned:
        notification = _create(plan, config)
        if notification is not None:
            created.append(notification)
    return created


def _create(plan: Planned, config: FeedbackConfig) -> Notification | None:
    """The row (with its send job), or None when another run created it first."""
    skip = _skip_reason(plan, config)
    incident = plan.incident
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                reporter=plan.reporter, kind=plan.kind, outcome=plan.outcome,
                previous_outcome=plan.previous or "", incident=incident,
                template=f"correction+{plan.outcome}" if plan.previous else plan.outcome,
                message=plan.messages[0], language=config.feedback.language_for(plan.reporter),
                category=incident.category if incident else "",
                subtype=incident.subtype if incident else "", dedup_key=plan.key[:400],
                status=NotificationStatus.SKIPPED if skip else NotificationStatus.PENDING,
                last_error=skip,
            )  # fmt: skip
            notification.messages.add(*plan.messages)
            notification.reports.add(*plan.reports)
            _record_planned(notification, skip)
    except IntegrityError:
        return None  # same dedup key: planned already
    return notification


def _record_planned(notification: Notification, skip: str) -> None:
    if skip:
        record("notification.skipped", notification, reporter=notification.reporter,
               outcome=notification.outcome, reason=skip)  # fmt: skip
        return
    record("notification.queued", notification, reporter=notification.reporter,
           outcome=notification.outcome, previous=notification.previous_outcome,
           incident=notification.incident_id)  # fmt: skip
    enqueue(SEND, f"notification:{notification.pk}", {"notification_id": notification.pk})


def _skip_reason(plan: Planned, config: FeedbackConfig) -> str:
    if not config.feedback.is_internal(plan.reporter):
        return "not an address of the organisation ([feedback] domains)"
    simulation = plan.incident is not None and plan.incident.category == Category.SIMULATION
    answer = plan.kind != NotificationKind.RECEIVED
    if simulation and answer and not config.feedback.notify_simulations:
        return "simulation: the training platform answers ([feedback] notify_simulations)"
    return ""
