from __future__ import annotations

from django.contrib import admin

from phishloop.server.adminlib import ReadOnlyAdmin, all_fields
from phishloop.server.incidents.models import Incident, Indicator


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    """Verdicts, merges and splits go through the API (audited); this is for looking."""

    list_display = ("id", "title", "state", "category", "confidence", "verdict_source",
                    "report_count", "last_seen")  # fmt: skip
    list_filter = ("state", "category", "verdict_source")
    search_fields = ("title",)
    date_hierarchy = "last_seen"
    readonly_fields = all_fields(Incident)


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("type", "value", "source", "first_seen")
    list_filter = ("type", "source")
    search_fields = ("value",)
    readonly_fields = ("type", "value", "source", "first_seen")
