"""Start Django from the command line or a worker: settings module, setup, and a clear
error (not a traceback) when a setting is wrong."""

from __future__ import annotations

import os

SETTINGS_MODULE = "phishloop.server.settings"


def setup_django() -> None:
    """Configure and set up Django once (idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django  # noqa: PLC0415 - importing Django is the point of this function
    from django.apps import apps  # noqa: PLC0415

    if not apps.ready:
        django.setup()


def migrate(verbosity: int = 0) -> None:
    """Create or upgrade the database schema (and the data directory for SQLite)."""
    setup_django()
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=verbosity)
