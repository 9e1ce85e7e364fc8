"""Shared pieces of the Django admin: the site's titles and a read-only base class.

Records of what happened (reports, messages, incidents, audit events, jobs, deliveries)
are read-only here: they change through the services, which audit every change (verdicts
through the API, retries through the actions below)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

admin.site.site_header = "phishloop administration"
admin.site.site_title = "phishloop"
admin.site.index_title = "Configuration and records"


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Browse and search, never add, edit or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def all_fields(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.get_fields() if f.concrete)
