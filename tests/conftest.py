"""Shared test fixtures: where the corpora live, and a guard that fails any test that
tries to reach the network from the analysis core."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("PHISHLOOP_CORPORA", REPO.parent / "shared" / "corpora"))


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The shared corpora; CI always has them beside the clone, so absence is a failure."""
    if not CORPORA.is_dir():
        pytest.fail(f"corpora not found at {CORPORA} (set PHISHLOOP_CORPORA)")
    return CORPORA


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """SQLite test databases are files, as in the service: the embedded worker's threads
    need SQLite's file locking (WAL, busy timeout); the shared in-memory database fails
    concurrent writers at once with "database table is locked"."""
    from django.conf import settings  # noqa: PLC0415 - only tests that use the database

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        path = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)
