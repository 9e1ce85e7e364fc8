"""The abuse mailbox over IMAP, against a real Dovecot on loopback (started per test in a
temporary directory, stopped by its pid)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection
from imapclient import IMAPClient

from phishloop.cli.main import cli
from phishloop.connectors.intake import imap as imap_connector
from phishloop.connectors.intake.policy import ReporterPolicy
from phishloop.connectors.intake.settings import ImapSettings, IntakeSettings
from phishloop.server.audit.models import AuditEvent
from phishloop.server.intake.imap import ImapIntake
from phishloop.server.reports.models import Channel, Report
from phishloop.server.reports.storage import load_raw

pytestmark = pytest.mark.django_db(transaction=True)
PROCESSED, FAILED = "phishloop-processed", "phishloop-failed"

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "abuse@corp.test", "pw-abuse"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(root: Path, port: int, extra: str) -> str:
    if os.geteuid() == 0:  # Debian's unprivileged users run the auth and mail processes
        users = "default_internal_user = dovecot\nmail_uid = mail\nmail_gid = mail\n"
        users += "first_valid_uid = 8\n"
    else:  # an ordinary user runs everything as itself
        me = pwd.getpwuid(os.geteuid()).pw_name
        users = f"default_internal_user = {me}\ndefault_login_user = {me}\n"
        users += f"mail_uid = {me}\nmail_gid = {os.getegid()}\nfirst_valid_uid = {os.geteuid()}\n"
    return f"""
instance_name = phishloop-test-{port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
mail_fsync = never
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
  default_fields = home={root}/mail/%d/%n
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
{extra}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class Dovecot:
    """One throwaway Dovecot instance with one mailbox (USER / PASSWORD)."""

    host = "127.0.0.1"

    def __init__(self, root: Path, extra_config: str = "") -> None:
        self.root = root
        self.process: subprocess.Popen[bytes] | None = None
        self.port = _free_port()
        self.conf = root / "dovecot.conf"
        self.conf.write_text(_config(root, self.port, extra_config))
        users = root / "users"
        users.write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        (root / "mail").mkdir()
        if os.geteuid() == 0:  # the auth process reads the users file as `dovecot`
            shutil.chown(users, group="dovecot")
            users.chmod(0o640)
            shutil.chown(root / "mail", "mail", "mail")

    def start(self) -> None:
        """Run the master in the foreground of its own session (a test runner's group
        kill does not reach it; `stop` ends it by its pid)."""
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection((self.host, self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not start; log:\n{self.log()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # the master stops its children before it exits
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def client(self) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        client.login(USER, PASSWORD)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        with self.client() as client:
            client.append(folder, raw)

    def messages(self, folder: str) -> list[bytes]:
        """The raw messages in a folder (an absent folder holds none)."""
        with self.client() as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            uids = client.search("ALL")
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [fetched[uid][b"BODY[]"] for uid in sorted(fetched)]


@contextmanager
def _dovecot(extra_config: str = "") -> Iterator[Dovecot]:
    if not os.path.exists(DOVECOT):
        pytest.fail("dovecot is not installed: run scripts/install-system-packages.sh")
    root = Path(tempfile.mkdtemp(prefix="phishloop-dovecot-"))
    root.chmod(0o755)  # the unprivileged dovecot processes must reach their files
    server = Dovecot(root, extra_config)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with _dovecot() as server:
        yield server


@pytest.fixture
def dovecot_without_idle() -> Iterator[Dovecot]:
    """A server that does not offer IDLE: the reader must fall back to polling."""
    with _dovecot("imap_capability = IMAP4rev1 LITERAL+ UIDPLUS MOVE") as server:
        yield server


def forward(reporter: str = "alice@corp.test", subject: str = "Fwd: Invoice") -> bytes:
    message = EmailMessage()
    message["From"] = f"Reporter <{reporter}>"
    message["To"] = "abuse@corp.test"
    message["Subject"] = subject
    message.set_content("Please check: https://invoice-portal.example/pay")
    return message.as_bytes(policy=SMTP)


def intake_for(server: Dovecot, **imap: Any) -> ImapIntake:
    settings = ImapSettings(
        host=server.host, port=server.port, ssl=False, username=USER, password=PASSWORD,
        poll_seconds=600, max_backoff_seconds=1,
    )  # fmt: skip
    return ImapIntake(
        IntakeSettings(reporters=ReporterPolicy(("corp.test",)), imap=replace(settings, **imap))
    )


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Bounded wait for something the reader does in its own thread."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@contextmanager
def running(intake: ImapIntake) -> Iterator[None]:
    stop = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            intake.run(stop)
        except BaseException as exc:  # surfaced in the test, not lost in the thread
            failure.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive(), "the reader did not stop"
    assert not failure, failure


def test_messages_become_reports_and_move_to_the_processed_folder(dovecot: Dovecot) -> None:
    first, second = forward(subject="one"), forward("bob@hq.corp.test", "two")
    dovecot.append(first)
    dovecot.append(second)
    intake = intake_for(dovecot)
    assert intake.run_once() == 2
    assert dovecot.messages("INBOX") == []
    assert dovecot.messages(PROCESSED) == [first, second]  # moved, exact bytes, not deleted
    reports = list(Report.objects.order_by("id"))
    assert [r.reporter for r in reports] == ["alice@corp.test", "bob@hq.corp.test"]
    assert {r.channel for r in reports} == {Channel.IMAP}
    assert load_raw(reports[0].raw_sha256) == first


def test_what_cannot_be_accepted_goes_to_the_failed_folder_with_a_record(
    dovecot: Dovecot, settings: Any
) -> None:
    settings.PHISHLOOP_MAX_REPORT_BYTES = 4096
    outsider = forward("mallory@evil.example")
    too_large = forward() + b"x" * 70 + (b"\r\n" + b"x" * 70) * 80
    empty = b"\r\n"
    for raw in (outsider, too_large, empty):
        dovecot.append(raw)
    intake = intake_for(dovecot)
    intake.run_once()
    assert Report.objects.count() == 0
    assert dovecot.messages("INBOX") == []
    assert dovecot.messages(FAILED) == [outsider, too_large, empty]
    reasons = [e.detail["reason"] for e in AuditEvent.objects.filter(action="report.refused")]
    assert len(reasons) == 3
    assert "evil.example is not one of the organisation's domains" in reasons[0]
    assert "the limit is 4,096" in reasons[1]
    assert "empty" in reasons[2] or "sender address" in reasons[2]


def test_the_delivery_id_names_server_folder_uidvalidity_and_uid(dovecot: Dovecot) -> None:
    dovecot.append(forward())
    seen: list[str] = []
    intake = intake_for(dovecot)
    handle = intake.mailbox._handle
    intake.mailbox._handle = lambda item: (seen.append(item.delivery_id), handle(item))[1]
    intake.run_once()
    with dovecot.client() as client:
        validity = client.select_folder("INBOX")[b"UIDVALIDITY"]
    assert seen == [f"127.0.0.1/INBOX:{validity}:1"]


def test_a_crash_before_the_move_does_not_duplicate_the_report(
    dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot.append(forward())

    def connection_lost(*args: Any) -> None:
        raise OSError("connection lost")

    with monkeypatch.context() as patch:
        patch.setattr(imap_connector, "_move", connection_lost)
        with pytest.raises(OSError):
            intake_for(dovecot).run_once()
    assert Report.objects.count() == 1  # committed, but the message was not moved
    assert len(dovecot.messages("INBOX")) == 1
    intake_for(dovecot).run_once()
    assert Report.objects.count() == 1
    assert dovecot.messages("INBOX") == [] and len(dovecot.messages(PROCESSED)) == 1


def test_database_outage_leaves_the_message_in_place_until_it_is_stored(
    dovecot: Dovecot,
) -> None:
    raw = forward()
    dovecot.append(raw)
    table = Report._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        with pytest.raises(imap_connector.RetryLater):
            intake_for(dovecot).run_once()
        assert dovecot.messages("INBOX") == [raw]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")
    intake_for(dovecot).run_once()
    assert dovecot.messages(PROCESSED) == [raw]
    assert Report.objects.count() == 1


def test_idle_wakes_the_reader_for_a_new_message(dovecot: Dovecot) -> None:
    intake = intake_for(dovecot, poll_seconds=600)  # only IDLE can notice within the test
    dovecot.append(forward(subject="before"))
    with running(intake):
        wait_for(lambda: len(dovecot.messages(PROCESSED)) == 1, "the first message")
        dovecot.append(forward(subject="while idle"))
        wait_for(lambda: len(dovecot.messages(PROCESSED)) == 2, "the IDLE wake-up")
    assert Report.objects.count() == 2


def test_without_idle_the_reader_polls(dovecot_without_idle: Dovecot) -> None:
    server = dovecot_without_idle
    with server.client() as client:
        assert b"IDLE" not in client.capabilities()
    intake = intake_for(server, poll_seconds=1)
    with running(intake):
        server.append(forward(subject="polled"))
        wait_for(lambda: len(server.messages(PROCESSED)) == 1, "the poll")
    assert Report.objects.get().reporter == "alice@corp.test"


def test_the_reader_reconnects_after_a_server_restart(dovecot: Dovecot) -> None:
    intake = intake_for(dovecot, poll_seconds=600)
    dovecot.append(forward(subject="before the restart"))
    with running(intake):
        wait_for(lambda: len(dovecot.messages(PROCESSED)) == 1, "the first message")
        dovecot.stop()
        dovecot.start()
        dovecot.append(forward(subject="after the restart"))
        wait_for(lambda: len(dovecot.messages(PROCESSED)) == 2, "the reconnect")
    assert Report.objects.count() == 2


def test_a_wrong_password_on_start_is_an_error(dovecot: Dovecot) -> None:
    intake = intake_for(dovecot, password="wrong")
    with pytest.raises(imap_connector.LoginError):
        intake.run(threading.Event())


def test_intake_imap_once_reads_the_configured_mailbox(
    dovecot: Dovecot, settings: Any, tmp_path: Path
) -> None:
    (tmp_path / "imap-password").write_text(PASSWORD + "\n")
    config = tmp_path / "phishloop.toml"
    config.write_text(
        '[organisation]\ndomains = ["corp.test"]\n\n[intake.imap]\n'
        f'host = "{dovecot.host}"\nport = {dovecot.port}\nssl = false\n'
        f'username = "{USER}"\npassword_file = "imap-password"\n'  # relative to the file
    )
    settings.PHISHLOOP_CONFIG = str(config)
    dovecot.append(forward())
    result = CliRunner().invoke(cli, ["intake", "imap", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 message(s) taken" in result.stderr
    assert Report.objects.get().reporter == "alice@corp.test"
    assert len(dovecot.messages(PROCESSED)) == 1


def test_intake_imap_says_what_is_missing(settings: Any, tmp_path: Path) -> None:
    config = tmp_path / "phishloop.toml"
    config.write_text('[intake.imap]\nusername = "abuse"\n')
    settings.PHISHLOOP_CONFIG = str(config)
    result = CliRunner().invoke(cli, ["intake", "imap"])
    assert result.exit_code == 2
    assert "intake.imap.host is not set" in result.stderr
