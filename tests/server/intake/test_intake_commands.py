"""`phishloop report` and `phishloop intake smtp` as users run them."""

from __future__ import annotations

import os
import signal
import smtplib
import sqlite3
import subprocess
import sys
import time
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
from click.testing import CliRunner

from phishloop.cli.main import cli
from phishloop.server.reports.models import Channel, Report
from phishloop.server.reports.storage import load_raw

pytestmark = pytest.mark.django_db(transaction=True)


def phish(subject: str = "Your mailbox is full") -> bytes:
    message = EmailMessage()
    message["From"] = "IT Helpdesk <helpdesk@mailbox-verify.example>"
    message["To"] = "alice@corp.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash(subject))}@mailbox-verify.example>"
    message.set_content("Verify your password now: https://mailbox-verify.example/login")
    return message.as_bytes(policy=SMTP)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert not isinstance(result.exception, AssertionError), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_report_stores_each_file_as_a_report_from_the_reporter(tmp_path: Path) -> None:
    one, two = tmp_path / "one.eml", tmp_path / "two.eml"
    one.write_bytes(phish("one"))
    two.write_bytes(phish("two"))
    code, out, _ = run("report", str(one), str(two), "--reporter", "Alice@Corp.Example")
    assert code == 0
    reports = list(Report.objects.order_by("id"))
    assert [r.filename for r in reports] == ["one.eml", "two.eml"]
    assert {(r.channel, r.reporter) for r in reports} == {(Channel.CLI, "alice@corp.example")}
    assert load_raw(reports[1].raw_sha256) == two.read_bytes()
    first, second = reports
    assert out.splitlines() == [f"report #{first.pk}  {one}", f"report #{second.pk}  {two}"]


def test_report_of_the_same_file_twice_is_one_report(tmp_path: Path) -> None:
    mail = tmp_path / "mail.eml"
    mail.write_bytes(phish())
    run("report", str(mail), "--reporter", "alice@corp.example")
    code, out, _ = run("report", str(mail), "--reporter", "alice@corp.example")
    assert code == 0 and "reported before" in out
    assert Report.objects.count() == 1


def test_report_exit_status_1_for_unreadable_or_refused_files(tmp_path: Path) -> None:
    empty, good = tmp_path / "empty.eml", tmp_path / "good.eml"
    empty.write_bytes(b"")
    good.write_bytes(phish())
    code, _, err = run("report", str(empty), str(tmp_path / "missing.eml"), str(good),
                       "--reporter", "alice@corp.example")  # fmt: skip
    assert code == 1
    assert f"{empty}: not reported: the report is empty" in err
    assert "missing.eml: no such file or directory" in err
    assert Report.objects.count() == 1  # the good file still went in


def test_report_needs_a_reporter_address(tmp_path: Path) -> None:
    mail = tmp_path / "mail.eml"
    mail.write_bytes(phish())
    code, _, err = run("report", str(mail), "--reporter", "nobody")
    assert code == 2 and "a report needs a sender address" in err
    assert Report.objects.count() == 0


def test_report_wait_analyses_and_prints_the_verdicts(tmp_path: Path) -> None:
    mail = tmp_path / "mail.eml"
    mail.write_bytes(phish())
    code, out, _ = run("report", str(mail), "--reporter", "alice@corp.example", "--wait")
    assert code == 0
    report = Report.objects.get()
    [message] = report.messages.all()
    assert message.category
    verdict_line = out.splitlines()[-1]
    assert verdict_line.startswith(f"report #{report.pk}: {message.category}")
    assert "Your mailbox is full" in verdict_line


def test_intake_smtp_command_stores_reports_until_sigterm(tmp_path: Path) -> None:
    config = tmp_path / "phishloop.toml"
    config.write_text('[organisation]\ndomains = ["corp.example"]\n')
    # The embedded mode: none of the test run's database or broker settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHISHLOOP_")}
    env.update(PHISHLOOP_DATA_DIR=str(tmp_path / "data"), PHISHLOOP_CONFIG=str(config))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    main = "from phishloop.cli.main import main; main()"
    command = [sys.executable, "-c", main, "intake", "smtp", "--bind", "127.0.0.1:0"]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        port = _listening_port(process)
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.sendmail("alice@corp.example", ["phishing@corp.example"], phish())
            with pytest.raises(smtplib.SMTPSenderRefused):
                client.sendmail("eve@elsewhere.example", ["phishing@corp.example"], phish())
    finally:
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=60)
    assert process.returncode == 0, rest
    assert "stopped" in rest
    with sqlite3.connect(tmp_path / "data" / "phishloop.sqlite3") as db:
        rows = db.execute("SELECT channel, reporter FROM reports_report").fetchall()
    assert rows == [("smtp", "alice@corp.example")]


def _listening_port(process: subprocess.Popen[str]) -> int:
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    for line in process.stderr:
        if "SMTP intake listening on" in line and line.startswith("phishloop:"):
            return int(line.rsplit(":", 1)[1])
        if time.monotonic() > deadline:
            break
    pytest.fail(f"the SMTP intake did not start (exit status {process.poll()})")
