"""Job: one unit of pipeline work, with its attempts and errors."""

from __future__ import annotations

from django.db import models


class JobState(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # gave up after the last attempt: visible, never silently dropped


class Job(models.Model):
    kind = models.CharField(max_length=50)
    # Idempotency: one job per key ("analyse:report:42"); enqueuing it again is a no-op.
    key = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    not_before = models.DateTimeField(db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    locked_by = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the last attempt was claimed: with created_at and finished_at, where the time went.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = (models.Index(fields=("state", "not_before")),)

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.state})"
