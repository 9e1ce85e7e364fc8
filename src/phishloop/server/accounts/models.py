"""ApiToken: a named bearer token with a role; only its SHA-256 is stored."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "viewer: read reports and incidents"
    REPORTER = "reporter", "reporter: submit reports (report buttons, integrations)"
    ANALYST = "analyst", "analyst: submit, decide verdicts, merge and split incidents"
    ADMIN = "admin", "admin: everything"


# What each role may do; a higher role includes the lower ones' rights.
ROLE_RANK = {Role.REPORTER: 0, Role.VIEWER: 1, Role.ANALYST: 2, Role.ADMIN: 3}


class ApiToken(models.Model):
    name = models.CharField(max_length=100, unique=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    prefix = models.CharField(
        max_length=12, help_text="the token's first characters, to tell it apart"
    )
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
