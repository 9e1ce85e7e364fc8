"""`phishloop serve` (everything in one process) and `phishloop web` (web and API only)."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from contextlib import ExitStack
from types import FrameType
from typing import Any

import click

from phishloop.cli.banner import serve_banner, web_banner
from phishloop.cli.binding import DEFAULT_SMTP, DEFAULT_WEB, listen_error, parse_bind
from phishloop.cli.django_env import ensure_django
from phishloop.core.errors import ConfigError


@click.command("serve")
@click.option("--bind", default=DEFAULT_WEB, show_default=True, metavar="HOST:PORT",
              help="Address of the web interface and the API.")  # fmt: skip
@click.option("--smtp-bind", default=DEFAULT_SMTP, show_default=True, metavar="HOST:PORT",
              help="Address of the SMTP intake (the abuse mailbox's mail goes here).")  # fmt: skip
@click.option("--no-smtp", is_flag=True, help="Do not start the SMTP intake.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Threads of the embedded worker that analyses reports.")  # fmt: skip
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 128),
              help="Threads answering web and API requests.")  # fmt: skip
def serve_command(bind: str, smtp_bind: str, no_smtp: bool, workers: int, threads: int) -> None:
    """Run phishloop in one process: web interface, API, worker and SMTP intake.

    Uses the embedded SQLite database and raw-report store under PHISHLOOP_DATA_DIR
    (created and migrated on first start); no broker or other server is needed.
    Stop it with Ctrl+C (or SIGTERM): it finishes what it is doing first.
    """
    web_host, web_port = parse_bind(bind, "--bind")
    smtp_addr = None if no_smtp else parse_bind(smtp_bind, "--smtp-bind")
    ensure_django()
    _refuse_bad_configuration()
    with ExitStack() as running:
        server = _open_web(web_host, web_port, threads)
        running.callback(server.close)
        smtp_port = _start_smtp(running, smtp_addr) if smtp_addr else None
        _start_worker(running, workers)
        click.echo(serve_banner(web_host, _port(server), smtp_addr, smtp_port, workers))
        _run_until_signalled(server)
        click.echo("phishloop: stopping (finishing current work)…", err=True)
    click.echo("phishloop: stopped.", err=True)


@click.command("web")
@click.option("--bind", default=DEFAULT_WEB, show_default=True, metavar="HOST:PORT",
              help="Address of the web interface and the API.")  # fmt: skip
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 128),
              help="Threads answering web and API requests.")  # fmt: skip
def web_command(bind: str, threads: int) -> None:
    """Run only the web interface and the API (scale mode).

    Reports are queued for `phishloop worker` processes through PHISHLOOP_BROKER_URL.
    With an external database (PHISHLOOP_DATABASE_URL) run `phishloop migrate` first.
    """
    host, port = parse_bind(bind, "--bind")
    ensure_django()
    with ExitStack() as running:
        server = _open_web(host, port, threads)
        running.callback(server.close)
        click.echo(web_banner(host, _port(server)))
        _run_until_signalled(server)
    click.echo("phishloop: stopped.", err=True)


def _refuse_bad_configuration() -> None:
    """A wrong organisation file would fail every report later: say so now instead."""
    from phishloop.server.health import ERROR, check_configuration  # noqa: PLC0415

    try:
        result = check_configuration()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if result.status == ERROR:
        raise click.ClickException(result.detail)


def _open_web(host: str, port: int, threads: int) -> Any:
    """A bound (not yet serving) waitress server for the Django application."""
    import waitress  # noqa: PLC0415 - loaded only by the commands that serve
    from django.conf import settings  # noqa: PLC0415

    # WhiteNoise serves the admin's files from the apps; it only wants the directory.
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    from phishloop.server.wsgi import application  # noqa: PLC0415

    try:
        return waitress.create_server(
            application, host=host, port=port, threads=threads, ident="phishloop"
        )
    except OSError as exc:
        raise listen_error("the web server", host, port, exc, "--bind") from exc


def _port(server: Any) -> int:
    """The bound port (a name like "localhost" may give several listeners, one port)."""
    port = getattr(server, "effective_port", None)
    return int(port if port is not None else server.effective_listen[0][1])


def _start_smtp(running: ExitStack, address: tuple[str, int]) -> int:
    from phishloop.server.intake.smtp import SmtpIntake  # noqa: PLC0415

    intake = SmtpIntake(*address)
    try:
        intake.start()
    except OSError as exc:
        raise listen_error("the SMTP intake", *address, exc, "--smtp-bind") from exc
    running.callback(intake.stop)
    return intake.port


def _start_worker(running: ExitStack, threads: int) -> None:
    from phishloop.server.jobs.embedded import EmbeddedWorker  # noqa: PLC0415

    worker = EmbeddedWorker(threads=threads)
    worker.start()
    running.callback(worker.stop)


def _run_until_signalled(server: Any) -> None:
    """Serve until SIGINT or SIGTERM. Waitress stops its loop on SystemExit or
    KeyboardInterrupt raised in the main thread, which is what the handler does."""
    previous: dict[int, Callable[..., Any] | int | None] = {}

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, stop)
    try:
        server.run()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        sys.stdout.flush()
