"""End to end against a real Dovecot and a directory file, configured as an operator
would (`[mailstore]`, `[directory]`, `[remediation]`, `[organisation] report_addresses`):
plan → approve → exactly the planned copies in quarantine → restore puts every copy back
with its flags; running again moves nothing; a clean verdict restores by itself; the CLI."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.server.remediation.conftest import make_incident
from tests.support import pull_org
from tests.support.dovecot_store import DovecotServer, MaildirWriter, maildir_path, start_dovecot
from tests.support.pull_org import EXPECTED

from phishloop.cli.main import cli
from phishloop.connectors.mailstore.base import SearchQuery
from phishloop.connectors.mailstore.settings import MailstoreSettings, open_mailstore
from phishloop.server.incidents.service import set_analyst_verdict
from phishloop.server.jobs.queue import drain
from phishloop.server.pipeline import runtime
from phishloop.server.remediation import service
from phishloop.server.remediation.models import PullJob, PullState

pytestmark = pytest.mark.django_db(transaction=True)
Snapshot = list[tuple[str, str, str, tuple[str, ...]]]


@pytest.fixture(scope="module")
def dovecot() -> Iterator[DovecotServer]:
    # Not under pytest's base temp: another pytest session on the machine may reset its
    # permissions to 0700 while Dovecot (running as `mail`) still needs to reach it.
    root = Path(tempfile.mkdtemp(prefix="phishloop-pull-dovecot-"))
    users = {pull_org.address(name): "pw" for name in pull_org.PEOPLE}
    writers = {user: MaildirWriter(maildir_path(root, user)) for user in users}
    for writer in writers.values():
        writer.folder_dir("Sent")
        writer.subscribe(["Sent"])
    for item in pull_org.deliveries():
        writers[item.mailbox].add(item.raw, item.folder, "S" if item.seen else "")
    server = start_dovecot(root, users)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def write_config(tmp: Path, server: DovecotServer, store: dict[str, Any]) -> Path:
    (tmp / "directory.yaml").write_text(yaml.safe_dump(pull_org.directory_data()))
    lines = [
        "[organisation]", f'domains = ["{pull_org.DOMAIN}"]',
        f'report_addresses = ["{pull_org.ABUSE}"]', "", "[mailstore]",
        *(f"{key} = {json.dumps(value)}" for key, value in store.items()), "",
        "[directory]", 'type = "file"', 'file = "directory.yaml"', "",
        "[remediation]", "batch_size = 4", "",
    ]  # fmt: skip
    config = tmp / "phishloop.toml"
    config.write_text("\n".join(lines))
    return config


def imap_table(server: DovecotServer) -> dict[str, Any]:
    return {"type": "imap", "host": "127.0.0.1", "port": server.imap_port, "security": "none",
            "master_user": server.master_user, "master_password": server.master_password,
            "max_connections": 4}  # fmt: skip


def doveadm_table(server: DovecotServer) -> dict[str, Any]:
    return {"type": "doveadm", "url": server.doveadm_url, "api_key": server.api_key}


@pytest.fixture
def configured(dovecot: DovecotServer, tmp_path: Path, settings: Any) -> Iterator[Path]:
    settings.PHISHLOOP_CONFIG = str(write_config(tmp_path, dovecot, imap_table(dovecot)))
    runtime.reset()
    yield tmp_path
    runtime.reset()


def snapshot(server: DovecotServer) -> Snapshot:
    """Every message of every mailbox: (mailbox, folder, Message-ID, flags), sorted."""
    store = open_mailstore(MailstoreSettings.from_mapping(imap_table(server)))
    try:
        rows = []
        for mailbox in sorted(pull_org.address(n) for n in pull_org.PEOPLE):
            folders = tuple(f.name for f in store.list_folders(mailbox))
            query = SearchQuery(since=datetime(2000, 1, 1, tzinfo=UTC), folders=folders)
            (result,) = store.search([mailbox], query)
            assert result.ok, result.error
            rows += [(mailbox, m.ref.folder, m.ref.message_id, tuple(sorted(m.flags)))
                     for m in result.messages]  # fmt: skip
        return sorted(rows)
    finally:
        store.close()


def in_quarantine(rows: Snapshot) -> set[tuple[str, str]]:
    return {(mailbox, mid) for mailbox, folder, mid, _ in rows if folder == "Quarantine"}


def outside_quarantine(rows: Snapshot) -> Snapshot:
    return [row for row in rows if row[1] != "Quarantine"]


def test_pull_and_restore_exactly(dovecot: DovecotServer, configured: Path) -> None:
    before = snapshot(dovecot)
    incident = make_incident()
    pull = service.plan_pull(incident.pk, actor="token:soc")
    assert pull.state == PullState.AWAITING_APPROVAL
    planned = {(a.kind, a.mailbox, a.folder, a.message_id)
               for a in pull.actions.exclude(kind="external")}  # fmt: skip
    assert planned == EXPECTED
    assert snapshot(dovecot) == before  # the plan moved nothing
    service.approve_pull(pull.pk, actor="token:analyst")
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.DONE, list(pull.actions.values("mailbox", "outcome_reason"))
    moved = snapshot(dovecot)
    assert in_quarantine(moved) == {(mailbox, mid) for _, mailbox, _, mid in EXPECTED}
    planned_places = {(mailbox, folder, mid) for _, mailbox, folder, mid in EXPECTED}
    expected_rest = [row for row in before if row[:3] not in planned_places]
    assert outside_quarantine(moved) == expected_rest  # nothing else touched
    # Running it again moves nothing twice.
    service.execute_pull(pull.pk, actor="token:analyst")
    drain()
    assert snapshot(dovecot) == moved
    service.restore_pull(pull.pk, actor="token:analyst", reason="test")
    drain()
    pull.refresh_from_db()
    assert pull.state == PullState.RESTORED
    assert snapshot(dovecot) == before  # same folders, same flags, quarantine empty


def test_clean_verdict_restores_through_doveadm(
    dovecot: DovecotServer, tmp_path: Path, settings: Any
) -> None:
    settings.PHISHLOOP_CONFIG = str(write_config(tmp_path, dovecot, doveadm_table(dovecot)))
    runtime.reset()
    try:
        before = snapshot(dovecot)
        incident = make_incident()
        pull = service.plan_pull(incident.pk, actor="token:soc")
        service.approve_pull(pull.pk, actor="token:soc")
        drain()
        assert len(in_quarantine(snapshot(dovecot))) == len(EXPECTED)
        set_analyst_verdict(incident.pk, category="clean", actor="token:lead")
        drain()
        pull.refresh_from_db()
        assert pull.state == PullState.RESTORED
        assert snapshot(dovecot) == before
    finally:
        runtime.reset()


def test_cli_pull_and_restore(dovecot: DovecotServer, configured: Path) -> None:
    before = snapshot(dovecot)
    incident = make_incident()
    runner = CliRunner()
    dry = runner.invoke(cli, ["pull", str(incident.pk), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "planned" in dry.stdout and "friend@partner.test" in dry.stdout
    assert "abuse mailbox" in dry.stdout and "Waiting for approval" in dry.stderr
    done = runner.invoke(cli, ["pull", str(incident.pk), "--approve", "--json"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.stdout)
    assert document["state"] == "done" and document["counts"]["moved"] == len(EXPECTED)
    assert len(in_quarantine(snapshot(dovecot))) == len(EXPECTED)
    restored = runner.invoke(cli, ["restore", str(document["id"])])
    assert restored.exit_code == 0, restored.output
    assert "restored" in restored.stdout
    assert snapshot(dovecot) == before
    missing = runner.invoke(cli, ["restore", "999"])
    assert missing.exit_code == 1 and "no pull #999" in missing.output
    assert PullJob.objects.count() == 2
