"""Signed webhooks on incident events, delivered to a real local HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from phishloop.server.events.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from phishloop.server.events.signing import SIGNATURE_HEADER, sign, verify_signature
from phishloop.server.incidents.models import Incident
from phishloop.server.incidents.signals import incident_created, verdict_changed
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job, JobState

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "whsec_test-secret"


@dataclass
class Receiver:
    """A webhook receiver answering with `statuses` in turn (the last one repeats)."""

    url: str
    statuses: list[int]
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="", statuses=[200])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append((dict(self.headers.items()), body))
            status = state.statuses.pop(0) if len(state.statuses) > 1 else state.statuses[0]
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"receiver says no")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/phishloop"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def fast_retries(settings: Any) -> None:
    settings.PHISHLOOP_JOB_RETRY_SECONDS = 0.0
    settings.PHISHLOOP_JOB_MAX_ATTEMPTS = 3
    settings.PHISHLOOP_PUBLIC_URL = "https://phishloop.example.org"


def new_incident(**fields: Any) -> Incident:
    now = timezone.now()
    values = {"title": "Your mailbox is full", "first_seen": now, "last_seen": now,
              "report_count": 3, "message_count": 1, **fields}  # fmt: skip
    with transaction.atomic():
        incident = Incident.objects.create(**values)
        incident_created.send(Incident, incident=incident, actor="system")
    return incident


def change_verdict(incident: Incident, category: str, confidence: float) -> None:
    with transaction.atomic():
        previous = incident.category
        incident.category, incident.confidence = category, confidence
        incident.verdict_source = "analyst"
        incident.save()
        verdict_changed.send(Incident, incident=incident, actor="token:soc", previous=previous)


def endpoint(url: str, events: list[str] | None = None, name: str = "soar") -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(name=name, url=url, secret=SECRET, events=events or [])


def test_an_incident_event_reaches_the_receiver_signed(receiver: Receiver) -> None:
    endpoint(receiver.url)
    incident = new_incident(category="malicious", subtype="phish", confidence=0.97)
    assert queue.drain() == 1
    [(headers, body)] = receiver.requests
    assert verify_signature(SECRET, headers[SIGNATURE_HEADER], body)
    payload = json.loads(body)
    assert payload["event"] == headers["X-Phishloop-Event"] == "incident.created"
    assert payload["id"] == headers["X-Phishloop-Delivery"]
    summary = payload["incident"]
    assert summary["id"] == incident.pk
    assert (summary["category"], summary["subtype"], summary["confidence"]) == (
        "malicious", "phish", 0.97)  # fmt: skip
    assert summary["counts"] == {"reports": 3, "messages": 1, "indicators": 0}
    assert summary["links"]["stix"] == (
        f"https://phishloop.example.org/api/v1/incidents/{incident.pk}/stix"
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)


def test_a_failing_endpoint_is_retried_until_it_succeeds(receiver: Receiver) -> None:
    receiver.statuses = [503, 500, 200]
    endpoint(receiver.url)
    new_incident()
    queue.drain()
    assert len(receiver.requests) == 3
    assert all(verify_signature(SECRET, h[SIGNATURE_HEADER], b) for h, b in receiver.requests)
    # Every attempt carries the same event: the receiver can deduplicate on its id.
    assert len({h["X-Phishloop-Delivery"] for h, _ in receiver.requests}) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 3, 200)
    assert Job.objects.get(kind="deliver-webhook").state == JobState.DONE


def test_the_final_failure_is_visible(receiver: Receiver) -> None:
    receiver.statuses = [502]
    endpoint(receiver.url)
    new_incident()
    queue.drain()
    assert len(receiver.requests) == 3  # PHISHLOOP_JOB_MAX_ATTEMPTS
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert (delivery.attempts, delivery.response_code) == (3, 502)
    assert "HTTP 502" in delivery.last_error
    job = Job.objects.get(kind="deliver-webhook")
    assert job.state == JobState.FAILED and "gave up after 3 attempts" in job.last_error


def test_a_rejected_request_is_not_retried(receiver: Receiver) -> None:
    receiver.statuses = [401]
    endpoint(receiver.url)
    new_incident()
    queue.drain()
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code) == ("failed", 401)


def test_an_unreachable_endpoint_is_retried_then_fails() -> None:
    endpoint("http://127.0.0.1:9/nothing-listens-here")
    new_incident()
    queue.drain()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 3, None)
    assert "ConnectError" in delivery.last_error


def test_verdict_changes_go_to_subscribed_endpoints_only(receiver: Receiver) -> None:
    endpoint(receiver.url, events=["incident.verdict_changed"])
    incident = new_incident()
    change_verdict(incident, "malicious", 1.0)
    queue.drain()
    [(_, body)] = receiver.requests
    payload = json.loads(body)
    assert payload["event"] == "incident.verdict_changed"
    assert payload["previous"] == {"category": ""}
    assert payload["actor"] == "token:soc"
    assert payload["incident"]["category"] == "malicious"
    assert payload["incident"]["verdict_source"] == "analyst"


def test_inactive_endpoints_get_nothing_and_every_active_one_gets_its_own(
    receiver: Receiver,
) -> None:
    endpoint(receiver.url, name="a")
    endpoint(receiver.url + "?second", name="b")
    WebhookEndpoint.objects.create(name="off", url=receiver.url, active=False)
    new_incident()
    queue.drain()
    assert len(receiver.requests) == 2
    assert WebhookDelivery.objects.filter(status="delivered").count() == 2


def test_no_delivery_when_the_change_rolls_back(receiver: Receiver) -> None:
    endpoint(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        now = timezone.now()
        incident = Incident.objects.create(first_seen=now, last_seen=now)
        incident_created.send(Incident, incident=incident, actor="system")
        raise RuntimeError("the clustering step failed")
    assert not WebhookDelivery.objects.exists() and not Job.objects.exists()
    assert queue.drain() == 0 and receiver.requests == []


def test_only_http_and_https_targets() -> None:
    with pytest.raises(ValidationError):
        WebhookEndpoint(name="x", url="ftp://files.example.org/in", secret="s").full_clean()
    # A row that bypassed validation is refused at delivery time, without a retry.
    WebhookEndpoint.objects.create(name="file", url="file:///etc/passwd", secret="s")
    new_incident()
    queue.drain()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and "refused: file scheme" in delivery.last_error
    assert delivery.attempts == 1


def test_signature_verification_rejects_tampering_replay_and_wrong_secrets() -> None:
    body = b'{"event":"incident.created"}'
    now = int(timezone.now().timestamp())
    header = sign(SECRET, body, timestamp=now)
    assert verify_signature(SECRET, header, body, now=now)
    assert not verify_signature(SECRET, header, body + b" ", now=now)
    assert not verify_signature("whsec_other", header, body, now=now)
    stale = now + int(timedelta(minutes=10).total_seconds())
    assert not verify_signature(SECRET, header, body, now=stale)
    assert not verify_signature(SECRET, "v1=abc", body, now=now)
    rotated = f"{header},v1={'0' * 64}"
    assert verify_signature(SECRET, rotated, body, now=now)
