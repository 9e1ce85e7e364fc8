"""`phishloop serve` as a user runs it: a subprocess on free ports with its own data
directory; a report submitted over HTTP reaches a verdict through the embedded worker, a
webhook announces the incident, and SIGTERM stops everything cleanly."""

from __future__ import annotations

import json
import os
import queue
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from phishloop.server.events.signing import SIGNATURE_HEADER, verify_signature

STARTUP = 120.0  # generous bounds for a loaded CI machine; nothing here measures speed
VERDICT = 180.0
ENTRY = "from phishloop.cli.main import main; main()"


def service_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHISHLOOP_")}
    env.update(PHISHLOOP_DATA_DIR=str(data_dir), PHISHLOOP_LOG_LEVEL="WARNING",
               PHISHLOOP_JOB_RETRY_SECONDS="0.2")  # fmt: skip
    return env


def phishloop(
    env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", ENTRY, *args], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)  # fmt: skip


@dataclass
class Service:
    process: subprocess.Popen[str]
    lines: queue.Queue[str]
    output: list[str]
    url: str = ""
    smtp_port: int = 0

    def wait_for(self, predicate: Callable[[str], bool], deadline: float) -> str:
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if predicate(line):
                return line
        raise AssertionError("phishloop serve did not start:\n" + "".join(self.output))


def start(env: dict[str, str], *args: str) -> Service:
    """`phishloop ARGS…` in the background, its output collected line by line."""
    command = [sys.executable, "-c", ENTRY, *args]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return Service(process, lines, output)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    env = service_env(tmp_path / "data")
    running = start(env, "serve", "--bind", "127.0.0.1:0", "--smtp-bind", "127.0.0.1:0")
    try:
        deadline = time.monotonic() + STARTUP
        api = running.wait_for(lambda line: line.strip().startswith("API"), deadline)
        running.url = api.split()[1].removesuffix("/api/v1/")
        smtp = running.wait_for(lambda line: "SMTP intake" in line, deadline)
        running.smtp_port = int(smtp.split()[2].rsplit(":", 1)[1])
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()


@dataclass
class Receiver:
    url: str
    requests: list[tuple[dict[str, str], bytes]]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    requests: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append((dict(self.headers.items()), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook", requests)
    server.shutdown()
    server.server_close()


def phishing_mail() -> bytes:
    message = EmailMessage()
    message["From"] = "IT Helpdesk <helpdesk@mailbox-verify.example>"
    message["To"] = "alice@example.org"
    message["Subject"] = "Your mailbox is full - verify your password"
    message["Message-ID"] = "<serve-e2e@mailbox-verify.example>"
    message.set_content("Your mailbox is full. Verify your password within 24 hours or lose "
                        "access: https://mailbox-verify.example/login?user=alice")  # fmt: skip
    return message.as_bytes()


def poll(fetch: Callable[[], Any], deadline: float) -> Any:
    while time.monotonic() < deadline:
        found = fetch()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError("gave up waiting")


def test_serve_end_to_end(service: Service, receiver: Receiver, tmp_path: Path) -> None:
    env = service_env(tmp_path / "data")
    banner = "".join(service.output)
    assert "phishloop token create" in banner and str(tmp_path / "data") in banner

    root = httpx.get(f"{service.url}/api/v1/")
    assert root.status_code == 200
    with smtplib.SMTP("127.0.0.1", service.smtp_port, timeout=30) as smtp:
        assert smtp.noop()[0] == 250

    # A second process (the CLI) works on the same embedded database while serve runs.
    created = phishloop(env, "token", "create", "e2e-button", "--role", "analyst")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    hook = ("from phishloop.server.events.models import WebhookEndpoint; WebhookEndpoint"
            f".objects.create(name='e2e', url='{receiver.url}', secret='s3cret')")  # fmt: skip
    configured = phishloop(env, "manage", "shell", "-c", hook)
    assert configured.returncode == 0, configured.stderr

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "message/rfc822"}
    accepted = httpx.post(f"{service.url}/api/v1/reports", content=phishing_mail(),
                          headers=headers, timeout=30)  # fmt: skip
    assert accepted.status_code == 202, accepted.text
    report_id = accepted.json()["id"]

    def incident_with_verdict() -> dict[str, Any] | None:
        report = httpx.get(f"{service.url}/api/v1/reports/{report_id}", headers=headers).json()
        for link in report.get("incidents") or []:
            incident = httpx.get(link["url"], headers=headers).json()
            if incident.get("verdict"):
                return dict(incident)
        return None

    incident = poll(incident_with_verdict, time.monotonic() + VERDICT)
    assert incident["verdict"]["category"] in {"malicious", "suspicious"}
    assert incident["report_count"] == 1

    stix = httpx.get(f"{service.url}/api/v1/incidents/{incident['id']}/stix", headers=headers)
    assert stix.status_code == 200 and stix.json()["type"] == "bundle"

    poll(lambda: receiver.requests, time.monotonic() + VERDICT)
    headers_sent, body = receiver.requests[0]
    assert verify_signature("s3cret", headers_sent[SIGNATURE_HEADER], body)
    assert json.loads(body)["incident"]["id"] == incident["id"]

    service.process.send_signal(signal.SIGTERM)
    assert service.process.wait(timeout=60) == 0
    assert "phishloop: stopped." in "".join(service.output)
    assert "Traceback" not in "".join(service.output)


def test_a_taken_port_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = phishloop(service_env(tmp_path / "data"), "serve", "--no-smtp",
                           "--bind", f"127.0.0.1:{port}")  # fmt: skip
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in result.stderr
    assert "--bind HOST:PORT" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_bind_address_is_a_usage_error(tmp_path: Path) -> None:
    result = phishloop(service_env(tmp_path / "data"), "serve", "--bind", "localhost")
    assert result.returncode == 2 and "expected HOST:PORT" in result.stderr


def test_a_wrong_configuration_file_stops_serve_before_it_listens(tmp_path: Path) -> None:
    config = tmp_path / "org.toml"
    config.write_text("[policy]\nauto_resolv = {}\n", "utf-8")
    env = {**service_env(tmp_path / "data"), "PHISHLOOP_CONFIG": str(config)}
    result = phishloop(env, "serve", "--no-smtp", "--bind", "127.0.0.1:0")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{config}: unknown key policy.auto_resolv" in result.stderr
    assert "phishloop is running" not in result.stdout


def test_web_serves_the_api_and_the_admin_with_its_static_files(tmp_path: Path) -> None:
    running = start(service_env(tmp_path / "data"), "web", "--bind", "127.0.0.1:0")
    web = running.process
    try:
        api = running.wait_for(lambda line: line.strip().startswith("API"),
                               time.monotonic() + STARTUP)  # fmt: skip
        url = api.split()[1].removesuffix("/api/v1/")
        assert "nothing analyses them" in "".join(running.output)  # no broker: said plainly
        assert httpx.get(f"{url}/api/v1/").status_code == 200
        assert httpx.get(f"{url}/admin/login/").status_code == 200
        assert httpx.get(f"{url}/static/admin/css/base.css").status_code == 200
        web.send_signal(signal.SIGINT)
        assert web.wait(timeout=60) == 0
    finally:
        if web.poll() is None:
            web.kill()
            web.wait()
