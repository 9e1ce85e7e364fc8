"""Run by the Celery worker test in its own process, against the test's PostgreSQL
database and Redis broker (from the PHISHLOOP_* environment): migrate, submit reports
through `accept_report`, re-send jobs as a broker would (duplicates, sweeps), report state.

Usage: python -m tests.server.celery_driver migrate | submit N START | resend-all |
       sweep SECONDS | status"""

from __future__ import annotations

import json
import sys

from phishloop.server.bootstrap import migrate, setup_django


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "migrate":
        migrate()
        return
    setup_django()
    from phishloop.server import celery  # noqa: PLC0415 - Django first
    from phishloop.server.jobs.models import Job  # noqa: PLC0415

    if command == "submit":
        _submit(int(args[0]), int(args[1]))
    elif command == "resend-all":
        for job in Job.objects.all():
            celery.send(job)  # a second delivery of every job
    elif command == "sweep":
        print(celery.sweep(float(args[0])))
    elif command == "status":
        print(json.dumps(_status()))


def _submit(count: int, start: int) -> None:
    from tests.server.pipeline_helpers import campaign_copy  # noqa: PLC0415

    from phishloop.server.intake.service import accept_report  # noqa: PLC0415

    for number in range(start, start + count):
        recipient = f"user{number}@corp.example"
        accept_report(campaign_copy(recipient), channel="api", reporter=recipient)


def _status() -> dict[str, object]:
    from django.db.models import Count, Sum  # noqa: PLC0415

    from phishloop.server.audit.models import AuditEvent  # noqa: PLC0415
    from phishloop.server.incidents.models import Incident  # noqa: PLC0415
    from phishloop.server.jobs.models import Job  # noqa: PLC0415
    from phishloop.server.reports.models import Message, Report  # noqa: PLC0415

    jobs = dict(Job.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    incidents = list(Incident.objects.values("id", "state", "category", "message_count",
                                             "report_count", "verdict_source"))  # fmt: skip
    return {
        "jobs": jobs,
        "reports": Report.objects.count(),
        "analysed": Report.objects.filter(state="analysed").count(),
        "messages": Message.objects.count(),
        "message_reports": Message.objects.aggregate(n=Sum("report_count"))["n"] or 0,
        "incidents": incidents,
        "incident_events": AuditEvent.objects.filter(action="incident.created").count(),
    }


if __name__ == "__main__":
    main(sys.argv[1:])
