"""Notification: one feedback e-mail to one reporter, with its delivery record."""

from __future__ import annotations

from django.db import models

from phishloop.server.incidents.models import Incident
from phishloop.server.reports.models import Message, Report


class NotificationStatus(models.TextChoices):
    PENDING = "pending"  # queued, or waiting for a retry
    SENT = "sent"  # the relay accepted it
    FAILED = "failed"  # refused for good, or retries exhausted: an admin must look
    SKIPPED = "skipped"  # deliberately not sent (outside the organisation, simulation, ...)


class NotificationKind(models.TextChoices):
    RECEIVED = "received"  # acknowledgement of the report
    VERDICT = "verdict"  # the answer (or a correction of an earlier one)
    UNDER_REVIEW = "under_review"  # an analyst is taking longer than the configured delay


class Notification(models.Model):
    reporter = models.EmailField(max_length=320, db_index=True)
    kind = models.CharField(max_length=14, choices=NotificationKind.choices)
    # The feedback outcome (received, malicious, spam, bulk, simulation, clean,
    # under_review) and the one it corrects ("" for a first answer).
    outcome = models.CharField(max_length=14)
    previous_outcome = models.CharField(max_length=14, blank=True)
    template = models.CharField(max_length=40, blank=True)  # e.g. "correction+clean"
    language = models.CharField(max_length=16)
    category = models.CharField(max_length=12, blank=True)  # the incident's verdict then
    subtype = models.CharField(max_length=20, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    message = models.ForeignKey(  # the reported message the feedback names (subject, date)
        Message, on_delete=models.PROTECT, related_name="notifications"
    )
    messages = models.ManyToManyField(Message, related_name="covering_notifications")
    reports = models.ManyToManyField(Report, related_name="notifications")
    subject = models.CharField(max_length=300, blank=True)  # the feedback's subject as sent
    status = models.CharField(
        max_length=8,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    smtp_message_id = models.CharField(max_length=300, blank=True)
    # One notification per reporter, incident, outcome and the answer it follows: the
    # same report five times, or the job run twice, gives one row.
    dedup_key = models.CharField(max_length=400, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.outcome} to {self.reporter} ({self.status})"
