"""Setting Django up for the commands that use the service's database."""

from __future__ import annotations

import click

from phishloop.core.errors import ConfigError


def ensure_django(*, migrate: bool = True) -> None:
    """Set Django up. With the embedded SQLite database, also create or upgrade its schema
    (a newcomer needs no `phishloop migrate`); with an external database, refuse to run on
    an outdated schema and say what to do. Configuration mistakes end the command with
    their message, not a traceback."""
    try:
        from phishloop.server.bootstrap import migrate as run_migrations  # noqa: PLC0415
        from phishloop.server.bootstrap import setup_django  # noqa: PLC0415

        setup_django()
        if not migrate:
            return
        from django.conf import settings  # noqa: PLC0415

        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            run_migrations()
        elif _pending_migrations():
            raise click.ClickException(
                "the database schema is out of date: run `phishloop migrate` first"
            )
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _pending_migrations() -> bool:
    from django.db import connection  # noqa: PLC0415
    from django.db.migrations.executor import MigrationExecutor  # noqa: PLC0415

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
