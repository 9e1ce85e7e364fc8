"""Pulls in the admin: read-only (they change through the audited services)."""

from __future__ import annotations

from django.contrib import admin

from phishloop.server.adminlib import ReadOnlyAdmin, all_fields
from phishloop.server.remediation.models import PullAction, PullJob


@admin.register(PullJob)
class PullJobAdmin(ReadOnlyAdmin):
    list_display = ("id", "incident", "state", "approved_by", "created_at", "finished_at")
    list_filter = ("state", "auto_approved")
    readonly_fields = all_fields(PullJob)


@admin.register(PullAction)
class PullActionAdmin(ReadOnlyAdmin):
    list_display = ("id", "pull", "kind", "mailbox", "folder", "seen", "outcome")
    list_filter = ("outcome", "kind")
    search_fields = ("mailbox", "message_id")
    readonly_fields = all_fields(PullAction)
