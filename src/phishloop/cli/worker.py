"""`phishloop worker`: a Celery worker for scale mode."""

from __future__ import annotations

import click

from phishloop.cli.django_env import ensure_django

LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"]


@click.command("worker")
@click.option("--concurrency", "-c", default=2, show_default=True, type=click.IntRange(1, 256),
              help="Tasks run at the same time (worker processes).")  # fmt: skip
@click.option("--beat", is_flag=True,
              help="Also run the scheduler that re-sends queued jobs a broker lost "
                   "(run it in exactly one worker).")  # fmt: skip
@click.option("--queues", "-Q", default="", metavar="NAMES",
              help="Comma-separated queues to consume (default: all of phishloop's).")  # fmt: skip
@click.option("--loglevel", default="INFO", show_default=True,
              type=click.Choice(LEVELS, case_sensitive=False))  # fmt: skip
def worker_command(concurrency: int, beat: bool, queues: str, loglevel: str) -> None:
    """Process reports with Celery (scale mode): run any number of these, on any number
    of machines, next to `phishloop web`.

    Needs PHISHLOOP_BROKER_URL (a Redis or RabbitMQ URL) and, for more than one machine,
    a shared database (PHISHLOOP_DATABASE_URL) and raw-report store. Without a broker,
    `phishloop serve` runs an embedded worker instead.
    """
    ensure_django()
    from django.conf import settings  # noqa: PLC0415

    if not settings.PHISHLOOP_BROKER_URL:
        raise click.ClickException(
            "PHISHLOOP_BROKER_URL is not set: a Celery worker needs a broker, e.g. "
            "PHISHLOOP_BROKER_URL=redis://localhost:6379/0 (or use `phishloop serve`, which "
            "runs an embedded worker without one)"
        )
    from phishloop.server.celery import app  # noqa: PLC0415
    from phishloop.server.jobs.queue import kinds  # noqa: PLC0415

    names = queues or ",".join(sorted({"pipeline"} | {k.queue for k in kinds().values()}))
    argv = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel.upper()}",
            f"--queues={names}", "--hostname=phishloop@%h"]  # fmt: skip
    if beat:
        # Beat keeps its schedule state in a file: in the data directory, not the cwd.
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        argv += ["--beat", f"--schedule={settings.DATA_DIR / 'celerybeat-schedule'}"]
    app.worker_main(argv)
