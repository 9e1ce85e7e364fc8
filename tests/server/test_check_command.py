"""`phishloop check`, `migrate` and `worker` as a user runs them (subprocesses: the
settings come from the environment)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ENTRY = "from phishloop.cli.main import main; main()"


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PHISHLOOP_")}
    environ.update({"PHISHLOOP_DATA_DIR": str(tmp_path / "data"), "NO_COLOR": "1", **env})
    return subprocess.run([sys.executable, "-c", ENTRY, *args], env=environ,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


def lines(result: subprocess.CompletedProcess[str]) -> dict[str, tuple[str, str]]:
    """check's output as {name: (status, detail)}."""
    found = {}
    for line in result.stdout.splitlines():
        status, name_detail = line.split(None, 1)
        name = name_detail[:14].strip()
        found[name] = (status, name_detail[14:].strip())
    return found


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A throwaway redis-server on a free loopback port."""
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (scripts/install-system-packages.sh)"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_fresh_installation_passes_and_migrate_creates_the_database(tmp_path: Path) -> None:
    fresh = run(tmp_path, "check")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    found = lines(fresh)
    assert found["database"][0] == "warning" and "phishloop migrate" in found["database"][1]
    assert found["configuration"] == ("ok", "no PHISHLOOP_CONFIG: built-in defaults")
    assert found["raw storage"][0] == "ok" and found["django"][0] == "ok"
    assert "phishloop can run here." in fresh.stdout

    migrated = run(tmp_path, "migrate")
    assert migrated.returncode == 0 and "database schema is up to date" in migrated.stdout
    assert (tmp_path / "data" / "phishloop.sqlite3").is_file()
    found = lines(run(tmp_path, "check"))
    assert found["database"][0] == "ok" and found["jobs"] == ("ok", "no failed jobs")


def test_problems_are_listed_with_their_cause_and_fail_the_command(tmp_path: Path) -> None:
    config = tmp_path / "org.toml"
    config.write_text("[policy]\nauto_resolv = {}\n", "utf-8")
    blob_file = tmp_path / "not-a-directory"
    blob_file.write_text("x", "utf-8")
    result = run(tmp_path, "check", PHISHLOOP_CONFIG=str(config),
                 PHISHLOOP_BLOB_DIR=str(blob_file),
                 PHISHLOOP_BROKER_URL="redis://127.0.0.1:9/0")  # fmt: skip
    assert result.returncode == 1
    found = lines(result)
    assert found["configuration"][0] == "error"
    assert str(config) in found["configuration"][1] and "policy.auto_resolv" in found[
        "configuration"][1]  # fmt: skip
    assert found["raw storage"][0] == "error" and "Not a directory" in found["raw storage"][1]
    assert found["broker"][0] == "error" and "not reachable" in found["broker"][1]
    assert found["django"][0] == "ok"
    assert "3 problem(s) to fix." in result.stderr and "Traceback" not in result.stderr


def test_a_missing_configuration_file_and_a_bad_setting(tmp_path: Path) -> None:
    missing = run(tmp_path, "check", PHISHLOOP_CONFIG=str(tmp_path / "nope.toml"))
    assert missing.returncode == 1
    assert lines(missing)["configuration"] == (
        "error", f"PHISHLOOP_CONFIG={tmp_path / 'nope.toml'}: no such file")  # fmt: skip
    bad = run(tmp_path, "check", PHISHLOOP_JOB_MAX_ATTEMPTS="many")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert lines(bad)["settings"] == (
        "error", "PHISHLOOP_JOB_MAX_ATTEMPTS='many': expected a whole number")  # fmt: skip


def test_a_reachable_broker_passes(tmp_path: Path, redis_url: str) -> None:
    result = run(tmp_path, "check", PHISHLOOP_BROKER_URL=redis_url)
    assert result.returncode == 0, result.stdout
    status, detail = lines(result)["broker"]
    assert status == "ok" and detail.endswith("reachable")


def test_the_worker_needs_a_broker(tmp_path: Path) -> None:
    result = run(tmp_path, "worker")
    assert result.returncode == 1
    assert "PHISHLOOP_BROKER_URL is not set" in result.stderr
    assert "phishloop serve" in result.stderr and "Traceback" not in result.stderr


def test_the_worker_processes_reports_from_the_broker(tmp_path: Path, redis_url: str) -> None:
    """`phishloop worker` on a real redis-server: a report committed by another process
    (the broker carries its job) is analysed by the worker."""
    env = {"PHISHLOOP_BROKER_URL": redis_url}
    assert run(tmp_path, "migrate", **env).returncode == 0
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PHISHLOOP_")}
    environ.update(PHISHLOOP_DATA_DIR=str(tmp_path / "data"), **env)
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-c", ENTRY, "worker", "--concurrency", "1"],
                              env=environ, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)  # fmt: skip
    try:
        submit = ("from phishloop.server.intake.service import accept_report; "
                  "accept_report(b'From: a@b.example\\r\\nSubject: hi\\r\\n\\r\\nhello\\r\\n', "
                  "channel='cli')")  # fmt: skip
        submitted = run(tmp_path, "manage", "shell", "-c", submit, **env)
        assert submitted.returncode == 0, submitted.stderr
        database = tmp_path / "data" / "phishloop.sqlite3"
        deadline = time.monotonic() + 180
        state = ""
        while time.monotonic() < deadline and state != "analysed":
            with sqlite3.connect(database) as db:
                state = db.execute("SELECT state FROM reports_report").fetchone()[0]
            time.sleep(0.3)
        assert state == "analysed", (tmp_path / "worker.log").read_text()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        log.close()


def test_createsuperuser_makes_an_admin_login(tmp_path: Path) -> None:
    password = {"DJANGO_SUPERUSER_PASSWORD": "a long passphrase"}
    made = run(tmp_path, "createsuperuser", "--noinput", "--username", "soc",
               "--email", "soc@example.org", **password)  # fmt: skip
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(tmp_path / "data" / "phishloop.sqlite3") as db:
        row = db.execute("SELECT username, is_superuser FROM auth_user").fetchone()
    assert row == ("soc", 1)


BASE = '[organisation]\ndomains = ["corp.example"]\n'
RELAY = (
    '[notifier]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
    'from_address = "abuse@corp.example"\n'
)


@pytest.mark.parametrize(
    ("table", "text", "message"),
    [
        ("remediation", "[remediation]\nbatch_size = 0\n", "remediation.batch_size must be"),
        ("remediation", "[remediation]\nauto_aprove = true\n", "auto_aprove"),
        ("feedback", '[feedback]\ntimezone = "Mars/Olympus"\n', "unknown time zone"),
        ("feedback", "[feedback]\nhold_for_pull_minutes = -1\n", "hold_for_pull_minutes"),
        ("mailstore", '[mailstore]\ntype = "pop3"\n', "mailstore.type must be one of"),
        ("mailstore", '[mailstore]\ntype = "imap"\n', "needs master_user or credentials_file"),
        ("directory", '[directory]\nfile = "missing.yaml"\n', "missing.yaml"),
        ("directory", '[directory]\ntype = "nis"\n', "directory.type"),
        ("notifier", RELAY.format(port='"twenty-five"'), "notifier.port"),
        ("notifier", '[notifier]\nhost = "relay.corp.example"\n', "from_address"),
    ],
)
def test_each_connector_table_is_loaded_as_the_service_loads_it(
    tmp_path: Path, table: str, text: str, message: str
) -> None:
    config = tmp_path / "org.toml"
    config.write_text(BASE + text, "utf-8")
    result = run(tmp_path, "check", PHISHLOOP_CONFIG=str(config))
    assert result.returncode == 1, result.stdout
    found = lines(result)
    status, detail = found[table]
    assert status == "error" and message in detail, detail
    assert str(config) in detail or "missing.yaml" in detail
    others = {"remediation", "feedback", "mailstore", "directory", "notifier"} - {table}
    assert {found[name][0] for name in others} == {"ok"}, found
    assert "1 problem(s) to fix." in result.stderr and "Traceback" not in result.stderr


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the probe is


def test_connect_reports_each_connector_it_cannot_reach(tmp_path: Path) -> None:
    imap, ldap, smtp = closed_port(), closed_port(), closed_port()
    config = tmp_path / "org.toml"
    config.write_text(
        BASE + f'[mailstore]\ntype = "imap"\nport = {imap}\nsecurity = "none"\n'
        'master_user = "admin"\nmaster_password = "x"\nmailboxes = ["alice@corp.example"]\n'
        f'[directory]\ntype = "ldap"\n[directory.ldap]\nurl = "ldap://127.0.0.1:{ldap}"\n'
        'base_dn = "dc=corp,dc=example"\n' + RELAY.format(port=smtp),
        "utf-8",
    )
    plain = run(tmp_path, "check", PHISHLOOP_CONFIG=str(config))
    assert "mailstore link" not in plain.stdout  # only with --connect
    result = run(tmp_path, "check", "--connect", "--timeout", "2", PHISHLOOP_CONFIG=str(config))
    assert result.returncode == 1
    found = lines(result)
    assert {found[name][0] for name in ("mailstore", "directory", "notifier")} == {"ok"}
    for name, port in (("mailstore link", imap), ("directory link", ldap),
                       ("notifier link", smtp)):  # fmt: skip
        status, detail = found[name]
        assert status == "error" and detail.startswith("failed: "), detail
        assert "refused" in detail.lower() and (name == "notifier link" or str(port) in detail)
    assert "3 problem(s) to fix." in result.stderr and "Traceback" not in result.stderr


def test_connect_passes_when_every_connector_answers(tmp_path: Path) -> None:
    from tests.support.smtp_server import running_smtp  # noqa: PLC0415

    root = tmp_path / "mail"
    for folder in ("cur", "new", "tmp"):
        (root / "alice@corp.example" / folder).mkdir(parents=True)
    (tmp_path / "directory.yaml").write_text("people:\n  - address: alice@corp.example\n", "utf-8")
    with running_smtp() as relay:
        config = tmp_path / "org.toml"
        config.write_text(
            BASE + f'[mailstore]\ntype = "maildir"\nroot = "{root}"\n'
            '[directory]\nfile = "directory.yaml"\n' + RELAY.format(port=relay.port),
            "utf-8",
        )
        result = run(tmp_path, "check", "--connect", PHISHLOOP_CONFIG=str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    found = lines(result)
    assert found["mailstore link"] == (
        "ok", "connected: 1 mailboxes; alice@corp.example has 1 folders")  # fmt: skip
    assert found["directory link"] == ("ok", "connected")
    assert found["notifier link"] == ("ok", f"connected to 127.0.0.1:{relay.port}")
