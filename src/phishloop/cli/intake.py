"""`phishloop intake smtp|imap`: run one intake channel on its own (scale mode, or an
abuse mailbox that `phishloop serve` does not read)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import click

from phishloop.cli.binding import DEFAULT_SMTP, display, listen_error, parse_bind
from phishloop.cli.django_env import ensure_django
from phishloop.core.errors import ConfigError


@click.group("intake")
def intake_group() -> None:
    """Run an intake channel: reports by SMTP delivery or from an IMAP abuse mailbox.

    Both read the organisation file named by PHISHLOOP_CONFIG ([organisation] domains,
    the [intake] table) and store reports in the service's database (see docs/intake.md).
    """


@intake_group.command("smtp")
@click.option("--bind", default=DEFAULT_SMTP, show_default=True, metavar="HOST:PORT",
              help="Address to listen on (port 0: any free port, printed at start).")  # fmt: skip
def smtp_command(bind: str) -> None:
    """Accept reports by SMTP: deliver the abuse address's mail here.

    The envelope sender is the reporter and must belong to one of the organisation's
    domains. Each message is answered 250 only after it is stored; 451 (the sending
    server retries) when storage is unavailable or a sender reports too often; 5xx for
    senders outside the organisation and messages that are empty or too large.
    Stop with Ctrl+C or SIGTERM.
    """
    host, port = parse_bind(bind, "--bind")
    ensure_django()
    from phishloop.server.intake.config import intake_settings  # noqa: PLC0415
    from phishloop.server.intake.smtp import SmtpIntake  # noqa: PLC0415

    intake = _settings(intake_settings)
    server = SmtpIntake(host, port, intake=intake)
    try:
        server.start()
    except OSError as exc:
        raise listen_error("the SMTP intake", host, port, exc, "--bind") from exc
    click.echo(f"phishloop: SMTP intake listening on {display(host, server.port)}", err=True)
    stop = threading.Event()
    try:
        with _signals_set(stop):
            stop.wait()
    finally:
        server.stop()
    click.echo("phishloop: stopped.", err=True)


@intake_group.command("imap")
@click.option("--once", is_flag=True,
              help="Process the messages in the folder now, then exit (for cron).")  # fmt: skip
def imap_command(once: bool) -> None:
    """Read the abuse mailbox configured in [intake.imap].

    Each message becomes a report from the forward's From address, then moves to the
    processed folder; what cannot be accepted moves to the failed folder with an audit
    event. Nothing is deleted. Waits for new mail with IDLE (polling when the server
    lacks it) and reconnects with back-off after errors. Stop with Ctrl+C or SIGTERM.

    \b
    Exit status: 0 stopped (or --once done), 1 the server cannot be reached or
                 refused the login, 2 configuration error.
    """
    ensure_django()
    from imapclient.exceptions import IMAPClientError, LoginError  # noqa: PLC0415

    from phishloop.connectors.intake.imap import RetryLater  # noqa: PLC0415
    from phishloop.server.intake.config import intake_settings  # noqa: PLC0415
    from phishloop.server.intake.imap import ImapIntake  # noqa: PLC0415

    intake = _settings(intake_settings)
    imap = intake.imap
    try:
        reader = ImapIntake(intake)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    where = f"{imap.username} at {imap.host}:{imap.port} folder {imap.folder!r}"
    try:
        if once:
            moved = reader.run_once()
            click.echo(f"phishloop: {moved} message(s) taken from {where}", err=True)
            return
        click.echo(f"phishloop: reading {where}", err=True)
        stop = threading.Event()
        with _signals_set(stop):
            reader.run(stop)
    except LoginError as exc:
        raise click.ClickException(f"IMAP login as {imap.username} rejected: {exc}") from None
    except ConfigError as exc:  # e.g. the password file became unreadable
        raise click.ClickException(str(exc)) from None
    except (IMAPClientError, OSError, RetryLater) as exc:
        raise click.ClickException(f"IMAP intake {imap.host}:{imap.port}: {exc}") from None
    click.echo("phishloop: stopped.", err=True)


def _settings(load: Callable[[], Any]) -> Any:
    try:
        return load()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


@contextmanager
def _signals_set(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop` (the channel then finishes its current message)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
