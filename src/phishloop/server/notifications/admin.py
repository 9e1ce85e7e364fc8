from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from phishloop.server.adminlib import ReadOnlyAdmin, all_fields
from phishloop.server.notifications.models import Notification, NotificationStatus
from phishloop.server.notifications.resend import resend


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "reporter", "kind", "outcome", "previous_outcome",
                    "language", "incident", "status", "attempts", "sent_at")  # fmt: skip
    list_filter = ("status", "kind", "outcome", "language")
    search_fields = ("reporter", "subject", "last_error", "dedup_key")
    readonly_fields = all_fields(Notification)
    actions = ("send_again",)

    @admin.action(description="Send the selected failed notifications again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = 0
        for notification in queryset.filter(status=NotificationStatus.FAILED):
            if resend(notification, actor=f"user:{request.user}"):
                count += 1
        self.message_user(request, f"{count} notification(s) queued again.", messages.SUCCESS)
