"""A pull fanned out to a real Celery worker (subprocess, concurrency 2) through the job
table, on PostgreSQL and Redis: batches of 3 mailboxes on the `remediation` queue move
exactly the planned copies of a Maildir organisation, and the restore puts them back."""

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
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.support import pull_org
from tests.support.celery_env import REPO, celery_environment, run_driver
from tests.support.dovecot_store import MaildirWriter, maildir_path

from phishloop.connectors.mailstore.maildir import MaildirStore

BROKER_DB = 14  # its own database: flushing it touches nobody else's queues
LAYOUT = "{domain}/{user}/Maildir"


def write_org(root: Path) -> Path:
    """The test organisation as Maildirs, a directory file and a configuration file."""
    writers = {}
    for name in pull_org.PEOPLE:
        writers[pull_org.address(name)] = MaildirWriter(maildir_path(root, pull_org.address(name)))
        writers[pull_org.address(name)].folder_dir("Sent")
    for item in pull_org.deliveries():
        writers[item.mailbox].add(item.raw, item.folder, "S" if item.seen else "")
    (root / "directory.yaml").write_text(yaml.safe_dump(pull_org.directory_data()))
    config = root / "phishloop.toml"
    config.write_text("\n".join([
        "[organisation]", f'domains = ["{pull_org.DOMAIN}"]',
        f'report_addresses = ["{pull_org.ABUSE}"]',
        "[mailstore]", 'type = "maildir"', f'root = "{root / "mail"}"', f'layout = "{LAYOUT}"',
        "[directory]", 'file = "directory.yaml"', "[remediation]", "batch_size = 3", "",
    ]))  # fmt: skip
    return config


def snapshot(root: Path) -> list[tuple[str, str, str, tuple[str, ...]]]:
    from datetime import UTC, datetime  # noqa: PLC0415

    from phishloop.connectors.mailstore.base import SearchQuery  # noqa: PLC0415

    store = MaildirStore(root / "mail", layout=LAYOUT)
    rows = []
    for mailbox in store.list_mailboxes():
        folders = tuple(f.name for f in store.list_folders(mailbox))
        (result,) = store.search([mailbox], SearchQuery(since=datetime(2000, 1, 1, tzinfo=UTC),
                                                        folders=folders))  # fmt: skip
        rows += [(mailbox, m.ref.folder, m.ref.message_id, tuple(sorted(m.flags)))
                 for m in result.messages]  # fmt: skip
    return sorted(rows)


@pytest.fixture
def environment(tmp_path: Path) -> Iterator[dict[str, str]]:
    config = str(write_org(tmp_path))
    with celery_environment(f"phishloop_pull_{os.getpid()}", BROKER_DB, tmp_path / "data",
                            PHISHLOOP_CONFIG=config) as env:  # fmt: skip
        drive(env, "migrate")
        yield env


def drive(env: dict[str, str], *args: str) -> str:
    out = run_driver("tests.server.remediation.pull_driver", env, *args).strip()
    return out.splitlines()[-1] if out else ""


def wait_for(env: dict[str, str], pull: str, states: set[str], log: Path) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while True:
        state: dict[str, Any] = json.loads(drive(env, "state", pull))
        if state["state"] in states:
            return state
        if time.monotonic() > deadline:
            jobs = drive(env, "jobs")
            pytest.fail(f"pull stuck: {state}\njobs: {jobs}\n{log.read_text()[-4000:]}")
        time.sleep(0.5)


def test_a_pull_fans_out_to_celery_workers(environment: dict[str, str], tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    log = tmp_path / "worker.log"
    command = [str(Path(sys.executable).with_name("celery")), "-A", "phishloop.server.celery",
               "worker", "--concurrency", "2", "--queues", "pipeline,remediation",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel",
               "INFO", "-n", f"pull{time.monotonic_ns()}@%h",
               # As deployed (`phishloop worker --beat`): the sweeper re-sends any job whose
               # broker message was lost, so a loaded machine cannot strand a batch.
               "--beat", f"--schedule={tmp_path / 'beat-schedule'}"]  # fmt: skip
    with log.open("ab") as out:
        worker = subprocess.Popen(command, env=environment, cwd=REPO, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        pull = drive(environment, "approve", drive(environment, "incident"))
        done = wait_for(environment, pull, {"done", "failed"}, log)
        assert done["state"] == "done" and done["counts"]["moved"] == len(pull_org.EXPECTED)
        moved = {(mb, folder, mid) for mb, folder, mid, _ in snapshot(tmp_path)
                 if folder == "Quarantine"}  # fmt: skip
        assert moved == {(mb, "Quarantine", mid) for _, mb, _, mid in pull_org.EXPECTED}
        # Only the worker runs jobs here: 9 mailboxes in batches of 3 were 3 tasks.
        assert log.read_text().count("Task phishloop.run_job") >= 3
        drive(environment, "restore", pull)
        restored = wait_for(environment, pull, {"restored", "failed"}, log)
        assert restored["state"] == "restored"
        assert snapshot(tmp_path) == before
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
