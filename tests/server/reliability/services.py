"""Throwaway services the reliability tests stop and start at will: a PostgreSQL cluster
and a redis-server, each on its own free loopback port under a temporary directory —
never the machine's shared instances — and phishloop commands as subprocesses."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[3]
ENTRY = "from phishloop.cli.main import main; main()"
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=Path("/usr/bin"),
             key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)  # fmt: skip
WAIT = 180.0  # bounds for a loaded CI machine; nothing here measures speed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    if os.geteuid() != 0:
        return command
    return ["su", "postgres", "-c", " ".join(command)]


class Postgres:
    """A PostgreSQL cluster of its own (initdb, trust auth, fsync off) on a free port."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="phishloop-pg-", dir="/tmp"))
        self.root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self.port = free_port()
        self.data = self.root / "data"
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        done = subprocess.run(_as_postgres(list(command)), capture_output=True, text=True,
                              timeout=120, check=False)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "pg.log"),
                  "-w", "-o", f"'{options}'", "start")  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown: every connection is cut, as when the database server restarts."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        stop = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
        subprocess.run(_as_postgres(stop), capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def postgres() -> Iterator[Postgres]:
    cluster = Postgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


class Redis:
    """A redis-server of its own (no persistence) on a free port; stopped by its pid."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [shutil.which("redis-server") or "/usr/bin/redis-server", "--port",
                   str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", str(self.root)]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)  # fmt: skip
        wait_for(lambda: answers(self.port), "redis-server to listen")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


def wait_for(condition: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.3)


def service_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a phishloop process: only the PHISHLOOP_* settings given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHISHLOOP_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(PHISHLOOP_DATA_DIR=str(data_dir), PHISHLOOP_LOG_LEVEL="WARNING",
               PHISHLOOP_JOB_RETRY_SECONDS="0.5", PYTHONPATH=str(REPO))  # fmt: skip
    env.update({f"PHISHLOOP_{name.upper()}": value for name, value in settings.items()})
    return env


def phishloop(env: dict[str, str], *args: str) -> str:
    """Run a phishloop command to completion; its standard output."""
    done = subprocess.run([sys.executable, "-c", ENTRY, *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, f"phishloop {' '.join(args)}: {done.stderr[-3000:]}"
    return done.stdout


class Process:
    """A long-running phishloop command (serve, web, worker) with its output in a file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen([sys.executable, "-c", ENTRY, *args], env=env,
                                            stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)  # fmt: skip

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def line(self, prefix: str) -> str:
        """The first output line starting with `prefix` (waits for it)."""

        def find() -> str | None:
            assert self.process.poll() is None, self.output()[-4000:]
            for line in self.output().splitlines():
                if line.strip().startswith(prefix):
                    return line.strip()
            return None

        found: str = wait_for(find, f"{prefix!r} in the output")
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def serve(env: dict[str, str], log: Path) -> tuple[Process, str, int]:
    """`phishloop serve` on free ports: the process, the base URL and the SMTP port."""
    process = Process(env, log, "serve", "--bind", "127.0.0.1:0", "--smtp-bind", "127.0.0.1:0")
    api = process.line("API").split()[1].removesuffix("/api/v1/")
    smtp = int(process.line("SMTP intake").split()[2].rsplit(":", 1)[1])
    return process, api, smtp


def post_report(url: str, token: str, raw: bytes, reporter: str = "") -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "message/rfc822"}
    if reporter:
        headers["X-Phishloop-Reporter"] = reporter
    return httpx.post(f"{url}/api/v1/reports", content=raw, headers=headers, timeout=60)


def organisation_file(directory: Path) -> Path:
    path = directory / "phishloop.toml"
    path.write_text('[organisation]\ndomains = ["corp.example"]\n')
    return path
