"""Processes for bench/service.py: `phishloop serve`, `web` and `worker` as subprocesses, a
throwaway redis-server, and reading the job table of either database afterwards."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

REPO = Path(__file__).resolve().parent.parent
ENTRY = "from phishloop.cli.main import main; main()"
WAIT = 600.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: gave up waiting for {what}")
        time.sleep(0.2)
    return found


def environment(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHISHLOOP_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    config = data_dir.parent / "phishloop.toml"
    config.write_text('[organisation]\ndomains = ["corp.example"]\n')
    env.update(PHISHLOOP_DATA_DIR=str(data_dir), PHISHLOOP_CONFIG=str(config),
               PHISHLOOP_LOG_LEVEL="WARNING", PHISHLOOP_INTAKE_RATE="100000/second",
               PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))  # fmt: skip
    env.update({f"PHISHLOOP_{k.upper()}": v for k, v in settings.items()})
    return env


def phishloop(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", ENTRY, *args], env=env, capture_output=True,
                          text=True, timeout=600, check=False)  # fmt: skip
    if done.returncode:
        raise SystemExit(f"bench: phishloop {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def token(env: dict[str, str]) -> str:
    return phishloop(env, "token", "create", "bench", "--role", "viewer").split()[-1]


class Process:
    """A long-running phishloop command, its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen([sys.executable, "-c", ENTRY, *args], env=env,
                                            stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)  # fmt: skip

    def line(self, prefix: str) -> str:
        def find() -> str | None:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: {self.log.name} ended:\n{self.log.read_text()[-3000:]}")
            text = self.log.read_text(errors="replace")
            return next((s.strip() for s in text.splitlines() if prefix in s), None)

        found: str = wait_for(find, f"{prefix!r} in {self.log.name}", 180)
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def serve(env: dict[str, str], log: Path, workers: int = 2) -> tuple[Process, str, int]:
    process = Process(env, log, "serve", "--bind", "127.0.0.1:0", "--smtp-bind",
                      "127.0.0.1:0", "--workers", str(workers))  # fmt: skip
    url = process.line("API ").split()[1].removesuffix("/api/v1/")
    smtp = int(process.line("SMTP intake").split()[2].rsplit(":", 1)[1])
    return process, url, smtp


class Redis:
    def __init__(self, root: Path) -> None:
        self.port = free_port()
        command = [shutil.which("redis-server") or "/usr/bin/redis-server", "--port",
                   str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", str(root)]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for(self._answers, "redis-server", 30)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def _answers(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


JOB_COLUMNS = "kind, state, attempts, created_at, started_at, finished_at"


def jobs(database: str) -> list[tuple[str, str, int, float, float | None, float | None]]:
    """Every job row, timestamps as epoch seconds. `database`: a SQLite file or a URL."""
    if database.startswith("postgres"):
        with psycopg.connect(database) as db:
            rows = db.execute(f"SELECT {JOB_COLUMNS} FROM jobs_job").fetchall()
    else:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            rows = db.execute(f"SELECT {JOB_COLUMNS} FROM jobs_job").fetchall()
    return [(k, s, a, _epoch(c) or 0.0, _epoch(st), _epoch(f)) for k, s, a, c, st, f in rows]


def unfinished(database: str) -> int:
    return sum(1 for row in jobs(database) if row[1] not in ("done", "failed"))


def incidents(database: str) -> list[tuple[int, int, str]]:
    query = "SELECT message_count, report_count, category FROM incidents_incident ORDER BY id"
    if database.startswith("postgres"):
        with psycopg.connect(database) as db:
            return list(db.execute(query).fetchall())
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return list(db.execute(query).fetchall())


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite: naive UTC text
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return float(value.timestamp())
