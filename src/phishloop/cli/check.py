"""`phishloop check`: configuration, database, storage and broker, one line each."""

from __future__ import annotations

import sys

import click

from phishloop.core.errors import ConfigError

_STYLE = {"ok": "green", "warning": "yellow", "error": "red"}


@click.command("check")
@click.option("--deploy", is_flag=True, help="Also run Django's production-deployment checks.")
def check_command(deploy: bool) -> None:
    """Check that phishloop can run here: configuration file, Django system checks,
    database reachable and migrated, raw-report storage writable, broker reachable (when
    PHISHLOOP_BROKER_URL is set). Exits with status 1 when something must be fixed."""
    try:
        from phishloop.server.bootstrap import setup_django  # noqa: PLC0415

        setup_django()
    except ConfigError as exc:
        _line("settings", "error", str(exc))
        sys.exit(1)
    from phishloop.server.health import run_checks  # noqa: PLC0415

    _line("settings", "ok", "PHISHLOOP_* environment read")
    results = run_checks(deploy=deploy)
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
