from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from phishloop.server.adminlib import ReadOnlyAdmin, all_fields
from phishloop.server.audit.service import record
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job, JobState


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "key", "state", "attempts", "not_before", "finished_at")
    list_filter = ("state", "kind")
    search_fields = ("key", "last_error")
    readonly_fields = all_fields(Job)
    actions = ("retry",)

    @admin.action(description="Retry the selected failed jobs")
    def retry(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        failed = list(queryset.filter(state=JobState.FAILED).values_list("pk", flat=True))
        with transaction.atomic():
            for job_id in failed:
                queue.retry_failed(job_id)
                record("job.retried", ("job", job_id), actor=f"user:{request.user}")
        skipped = queryset.count() - len(failed)
        self.message_user(request, f"{len(failed)} job(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} job(s) were not failed; left as they are.",
                              messages.WARNING)  # fmt: skip
