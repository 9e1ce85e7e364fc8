"""Run by the Celery pull test in its own process (PostgreSQL database and Redis broker
from the PHISHLOOP_* environment): migrate, make the incident, plan and approve, restore,
report the pull's state.

Usage: python -m tests.server.remediation.pull_driver migrate | incident | approve INCIDENT
       | restore PULL | state PULL | jobs"""

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
    from phishloop.server.remediation import service  # noqa: PLC0415
    from phishloop.server.remediation.models import PullJob  # noqa: PLC0415

    if command == "incident":
        from tests.server.remediation.conftest import make_incident  # noqa: PLC0415

        print(make_incident().pk)
    elif command == "approve":
        pull = service.plan_pull(int(args[0]), actor="driver")
        print(service.approve_pull(pull.pk, actor="driver").pk)
    elif command == "restore":
        service.restore_pull(int(args[0]), actor="driver")
    elif command == "jobs":  # for a failure message: where the work stands
        from phishloop.server.jobs.models import Job  # noqa: PLC0415

        rows = Job.objects.order_by("id").values("kind", "key", "state", "attempts", "last_error")
        print(json.dumps([{**row, "last_error": row["last_error"][:200]} for row in rows]))
    elif command == "state":
        pull = PullJob.objects.get(pk=int(args[0]))
        print(json.dumps({"state": pull.state, "counts": pull.counts}))


if __name__ == "__main__":
    main(sys.argv[1:])
