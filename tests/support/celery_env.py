"""A PostgreSQL database and a Redis broker database of a test's own, as the environment of
a real Celery worker and of the driver subprocesses that act on the same service."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis

REPO = Path(__file__).resolve().parents[2]
# scripts/test.sh provides both (the machine's own, or throwaway instances it starts).
PG = os.environ.get("PHISHLOOP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("PHISHLOOP_TEST_REDIS", "redis://127.0.0.1:6379")


@contextmanager
def celery_environment(
    name: str, broker_db: int, data_dir: Path, **settings: str
) -> Iterator[dict[str, str]]:
    """Create database `name` and flush Redis database `broker_db` (its own: flushing it
    touches nobody else's queues); yield the PHISHLOOP_* environment; drop both after."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    broker = redis.Redis.from_url(f"{REDIS}/{broker_db}")
    broker.flushdb()
    env = {
        **os.environ,
        "PHISHLOOP_DATABASE_URL": f"{PG}/{name}",
        "PHISHLOOP_BROKER_URL": f"{REDIS}/{broker_db}",
        "PHISHLOOP_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(REPO),
        **settings,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    try:
        yield env
    finally:
        broker.flushdb()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_driver(module: str, env: dict[str, str], *args: str) -> str:
    """Run `python -m module args…` in `env`; its stdout (a failure shows its stderr)."""
    command = [sys.executable, "-m", module, *args]
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout
