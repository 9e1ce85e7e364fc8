"""A real Celery worker (subprocess) on the local Redis and a PostgreSQL database made for
this test: reports submitted through `accept_report` reach a decided incident; every job
delivered twice changes nothing; a worker killed mid-burst loses nothing after a restart.

The test process only drives: the reports are submitted, and the state read, by
`celery_driver` subprocesses with the same environment as the worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.support.celery_env import REPO, celery_environment, run_driver

BROKER_DB = 13  # a database of its own: flushing it touches nobody else's queues
WAIT_SECONDS = 180.0


@pytest.fixture
def environment(tmp_path: Path) -> Iterator[dict[str, str]]:
    settings = {"PHISHLOOP_JOB_LEASE_SECONDS": "3", "PHISHLOOP_CONFIG": ""}
    with celery_environment(f"phishloop_celery_{os.getpid()}", BROKER_DB, tmp_path / "data",
                            **settings) as env:  # fmt: skip
        drive(env, "migrate")
        yield env


def drive(env: dict[str, str], *args: str) -> str:
    return run_driver("tests.server.celery_driver", env, *args)


def status(env: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(drive(env, "status").splitlines()[-1])
    return result


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    name = f"test{time.monotonic_ns()}@%h"
    command = [str(Path(sys.executable).with_name("celery")), "-A", "phishloop.server.celery",
               "worker", "--concurrency", "1", "--without-gossip", "--without-mingle",
               "--without-heartbeat", "--loglevel", "INFO", "-n", name]  # fmt: skip
    with log.open("ab") as out:
        # Its own session: the test can kill the worker and its pool child together.
        return subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip


def stop_worker(worker: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        worker.wait(timeout=60)


def wait_until_settled(env: dict[str, str], log: Path, *, sweep: bool = False) -> dict[str, Any]:
    """Poll until no job is queued or running (sweeping lost jobs, like beat, if asked)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        state = status(env)
        if state["jobs"] and set(state["jobs"]) <= {"done", "failed"}:
            return state
        if time.monotonic() > deadline:
            pytest.fail(f"jobs did not settle: {state}\n{log.read_text()[-4000:]}")
        if sweep:
            drive(env, "sweep", "1")
        time.sleep(1.0)


def test_reports_reach_a_decided_incident_even_when_delivered_twice(
    environment: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    worker = start_worker(environment, log)
    try:
        drive(environment, "submit", "5", "0")
        state = wait_until_settled(environment, log)
        assert state["jobs"] == {"done": state["jobs"]["done"]}, state
        [incident] = state["incidents"]
        assert (incident["message_count"], incident["report_count"]) == (5, 5)
        assert incident["category"] and incident["state"] in {"resolved", "awaiting_analyst"}

        drive(environment, "resend-all")  # every job delivered a second time
        again = wait_until_settled(environment, log)
        assert again == state
    finally:
        stop_worker(worker)


def test_a_killed_worker_loses_nothing(environment: dict[str, str], tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    drive(environment, "submit", "30", "0")
    worker = start_worker(environment, log)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while status(environment)["jobs"].get("done", 0) < 5:
            assert time.monotonic() < deadline, log.read_text()[-4000:]
            time.sleep(0.2)
    finally:
        stop_worker(worker, signal.SIGKILL)  # mid-burst, no warm shutdown
    interrupted = status(environment)
    assert set(interrupted["jobs"]) - {"done"}, interrupted  # work was left in flight

    worker = start_worker(environment, log)
    try:
        state = wait_until_settled(environment, log, sweep=True)
    finally:
        stop_worker(worker)
    assert state["jobs"] == {"done": state["jobs"]["done"]}, state
    assert (state["reports"], state["analysed"], state["messages"]) == (30, 30, 30)
    assert state["message_reports"] == 30  # each report counted once, whatever re-ran
    [incident] = state["incidents"]
    assert (incident["message_count"], incident["report_count"]) == (30, 30)
    assert state["incident_events"] == 1
