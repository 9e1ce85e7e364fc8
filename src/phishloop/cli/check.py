"""`phishloop check`: configuration, database, storage and broker, one line each."""

from __future__ import annotations

import sys
from typing import Any

import click

from phishloop.core.errors import ConfigError

_STYLE = {"ok": "green", "warning": "yellow", "error": "red"}


@click.command("check")
@click.option("--deploy", is_flag=True, help="Also run Django's production-deployment checks.")
@click.option(
    "--connect", is_flag=True, help="Also try to reach the mail store, directory and relay."
)
@click.option(
    "--timeout", default=5.0, show_default=True, type=click.FloatRange(min=0.1),
    help="Seconds each --connect attempt may take.",
)  # fmt: skip
def check_command(deploy: bool, connect: bool, timeout: float) -> None:
    """Check that phishloop can run here: configuration file and its [remediation],
    [feedback], [mailstore], [directory] and [notifier] tables (loaded as the service
    loads them), Django system checks, database reachable and migrated, raw-report
    storage writable, broker reachable (when PHISHLOOP_BROKER_URL is set). With
    --connect, also connect to the configured mail store, directory and SMTP relay.
    Exits with status 1 when something must be fixed."""
    try:
        from phishloop.server.bootstrap import setup_django  # noqa: PLC0415

        setup_django()
    except ConfigError as exc:
        _line("settings", "error", str(exc))
        sys.exit(1)
    from django.conf import settings  # noqa: PLC0415

    from phishloop.cli.check_tables import check_connections, check_tables  # noqa: PLC0415
    from phishloop.server.health import run_checks  # noqa: PLC0415

    _line("settings", "ok", "PHISHLOOP_* environment read")
    results: list[Any] = list(run_checks(deploy=deploy))
    tables, loaded = check_tables(settings.PHISHLOOP_CONFIG or None)
    results[1:1] = tables  # right after the configuration file's own line
    if connect:
        results += check_connections(loaded, timeout)
    for result in results:
        _line(result.name, result.status, result.detail)
    errors = sum(result.status == "error" for result in results)
    if errors:
        click.secho(f"{errors} problem(s) to fix.", fg="red", err=True)
        sys.exit(1)
    click.secho("phishloop can run here.", fg="green")


def _line(name: str, status: str, detail: str) -> None:
    label = click.style(f"{status:<8}", fg=_STYLE.get(status), bold=status != "ok")
    click.echo(f"{label} {name:<14} {detail}")
