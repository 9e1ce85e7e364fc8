"""Database and Django administration: `phishloop migrate`, `createsuperuser`, `manage`."""

from __future__ import annotations

import click

from phishloop.cli.django_env import ensure_django
from phishloop.core.errors import ConfigError


@click.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema (run after each upgrade in scale mode;
    `phishloop serve` does it by itself for the embedded SQLite database)."""
    try:
        from phishloop.server.bootstrap import migrate  # noqa: PLC0415

        migrate(verbosity=1)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    from django.db import connection  # noqa: PLC0415

    click.echo(
        f"database schema is up to date ({connection.vendor}: {connection.settings_dict['NAME']})"
    )


@click.command(
    "createsuperuser", context_settings={"ignore_unknown_options": True, "help_option_names": []}
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def createsuperuser_command(args: tuple[str, ...]) -> None:
    """Create a login for the admin interface (/admin/). Asks for a name and password;
    Django's options work too (`phishloop manage createsuperuser --help`)."""
    _django_command(["createsuperuser", *args])


@click.command("manage", context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage_command(args: tuple[str, ...]) -> None:
    """Run a Django management command with phishloop's settings, e.g.
    `phishloop manage changepassword NAME` (`phishloop manage help` lists them)."""
    _django_command(list(args) or ["help"])


def _django_command(argv: list[str]) -> None:
    ensure_django()
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    execute_from_command_line(["phishloop manage", *argv])
