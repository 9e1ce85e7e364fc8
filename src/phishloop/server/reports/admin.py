from __future__ import annotations

from django.contrib import admin

from phishloop.server.adminlib import ReadOnlyAdmin, all_fields
from phishloop.server.reports.models import Message, Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("id", "received_at", "channel", "reporter", "state", "fidelity", "raw_size")
    list_filter = ("state", "channel", "fidelity")
    search_fields = ("reporter", "raw_sha256", "filename")
    date_hierarchy = "received_at"
    readonly_fields = all_fields(Report)


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    # The analysis is shown as JSON text: reported HTML is never rendered here.
    list_display = ("id", "subject", "sender", "category", "confidence", "report_count",
                    "incident")  # fmt: skip
    list_filter = ("category",)
    search_fields = ("subject", "sender", "message_id", "content_sha256")
    date_hierarchy = "first_reported_at"
    readonly_fields = all_fields(Message)
