"""Report: one reporting event. Message: one reported original, deduplicated."""

from __future__ import annotations

from django.db import models

from phishloop.server.incidents.models import Incident


class Channel(models.TextChoices):
    API = "api"
    SMTP = "smtp"
    IMAP = "imap"
    CLI = "cli"


class ReportState(models.TextChoices):
    RECEIVED = "received"  # bytes and row committed, analysis queued
    ANALYSED = "analysed"  # its originals are Messages
    FAILED = "failed"  # analysis gave up; the raw bytes stay for a retry


class Fidelity(models.TextChoices):
    DIRECT = "direct"  # the suspicious email itself was submitted, not a forward of it
    FULL = "full"  # the original came attached (rfc822, .msg, .eml, report-button formats)
    RECONSTRUCTED = "reconstructed"  # retyped by an inline forward; headers are not the original's
    RECOVERED = "recovered"  # fetched later from the reporter's mailbox (remediation connector)


class Recovery(models.TextChoices):
    """Fetching the true original of a reconstructed report (see pipeline/recovery.py)."""

    PENDING = "pending"  # reconstructed: the mail-store connector should fetch the original
    RECOVERED = "recovered"  # the original was fetched, stored and analysed
    UNAVAILABLE = "unavailable"  # the connector looked and could not find it


class Message(models.Model):
    """A reported original with its analysis (the `phishloop analyze --json` object)."""

    content_sha256 = models.CharField(max_length=64, unique=True)
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    subject = models.CharField(max_length=998, blank=True)
    sender = models.CharField(max_length=320, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    analysis = models.JSONField(default=dict)
    category = models.CharField(max_length=12, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    first_reported_at = models.DateTimeField(db_index=True)
    last_reported_at = models.DateTimeField()
    report_count = models.PositiveIntegerField(default=0)
    # Why the message joined its incident: the similarity score with the closest clustered
    # message and the features they share (empty for the message that opened the incident).
    cluster_score = models.FloatField(null=True, blank=True)
    cluster_reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("-first_reported_at", "-id")

    def __str__(self) -> str:
        return f"{self.subject[:60]} from {self.sender}"


class Report(models.Model):
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # Idempotency: a channel delivering the same report twice gives one row.
    delivery_key = models.CharField(max_length=300, unique=True)
    reporter = models.EmailField(max_length=320, blank=True, db_index=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    raw_sha256 = models.CharField(max_length=64, db_index=True)
    raw_size = models.PositiveBigIntegerField()
    filename = models.CharField(max_length=255, blank=True)
    state = models.CharField(
        max_length=10, choices=ReportState.choices, default=ReportState.RECEIVED, db_index=True
    )
    fidelity = models.CharField(max_length=14, choices=Fidelity.choices, blank=True)
    report_format = models.CharField(max_length=40, blank=True)
    errors = models.JSONField(default=list, blank=True)
    messages = models.ManyToManyField(Message, related_name="reports", blank=True)
    recovery = models.CharField(max_length=12, choices=Recovery.choices, blank=True, db_index=True)
    recovered_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("-received_at", "-id")

    def __str__(self) -> str:
        return f"report #{self.pk} from {self.reporter or 'unknown'} via {self.channel}"


class MessageKey(models.Model):
    """An exact-match campaign key of a message (`phishloop.core.cluster.index_keys`):
    clustering finds candidate siblings through this index instead of scanning messages."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=120)
    reported_at = models.DateTimeField()  # the message's first report: the window's clock

    class Meta:
        indexes = (models.Index(fields=("key", "reported_at")),)
        constraints = (models.UniqueConstraint(fields=("message", "key"), name="message_key"),)

    def __str__(self) -> str:
        return f"{self.key} (message {self.message_id})"
