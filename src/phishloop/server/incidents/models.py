"""Incident: a campaign cluster of reported messages, with its verdict and state.
Indicator: a normalised IOC linked to the incidents it appeared in."""

from __future__ import annotations

from django.db import models


class IncidentState(models.TextChoices):
    NEW = "new"  # being analysed
    AWAITING_ANALYST = "awaiting_analyst"  # the verdict was not confident enough to act on
    RESOLVED = "resolved"
    MERGED = "merged"  # folded into `merged_into`


class Category(models.TextChoices):
    MALICIOUS = "malicious"
    SUSPICIOUS = "suspicious"
    SPAM = "spam"
    BULK = "bulk"
    SIMULATION = "simulation"
    CLEAN = "clean"


class VerdictSource(models.TextChoices):
    AUTO = "auto"
    ANALYST = "analyst"


class Incident(models.Model):
    title = models.CharField(max_length=300, blank=True)
    state = models.CharField(
        max_length=20, choices=IncidentState.choices, default=IncidentState.NEW, db_index=True
    )
    category = models.CharField(max_length=12, choices=Category.choices, blank=True)
    subtype = models.CharField(max_length=20, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    verdict_source = models.CharField(max_length=8, choices=VerdictSource.choices, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_incidents"
    )
    first_seen = models.DateTimeField(db_index=True)
    last_seen = models.DateTimeField(db_index=True)
    report_count = models.PositiveIntegerField(default=0)
    message_count = models.PositiveIntegerField(default=0)
    # Bumped whenever the incident's messages or verdict change: the decision job of each
    # revision runs once (its key names the revision), however often it is delivered.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-last_seen", "-id")

    def __str__(self) -> str:
        return f"#{self.pk} {self.title[:60]} ({self.category or self.state})"


class IndicatorType(models.TextChoices):
    URL = "url"
    DOMAIN = "domain"
    IP = "ip"
    EMAIL = "email"
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"


class Indicator(models.Model):
    type = models.CharField(max_length=8, choices=IndicatorType.choices)
    value = models.CharField(max_length=2048)
    source = models.CharField(max_length=20, default="extraction")
    first_seen = models.DateTimeField(auto_now_add=True)
    incidents = models.ManyToManyField(Incident, related_name="indicators", blank=True)

    class Meta:
        ordering = ("type", "value")
        constraints = (
            models.UniqueConstraint(fields=("type", "value"), name="indicator_type_value"),
        )

    def __str__(self) -> str:
        return f"{self.type}:{self.value}"
