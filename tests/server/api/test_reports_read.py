"""GET /api/v1/reports and /api/v1/reports/{id}: state, messages, verdicts, incidents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from phishloop.server.incidents.models import Incident
from phishloop.server.intake.service import accept_report
from phishloop.server.jobs import queue
from phishloop.server.reports.models import Report

pytestmark = pytest.mark.django_db
Clients = Callable[[str], APIClient]
Mail = Callable[..., bytes]


def submit(client: APIClient, raw: bytes, reporter: str = "") -> Any:
    return client.generic("POST", "/api/v1/reports", raw, content_type="message/rfc822",
                          HTTP_X_PHISHLOOP_REPORTER=reporter)  # fmt: skip


def test_a_report_shows_its_messages_verdicts_and_incident(as_role: Clients, mail: Mail) -> None:
    report_id = accept_report(mail(), channel="api", reporter="a@example.org").report.pk
    queue.drain()
    report = Report.objects.get(pk=report_id)
    message = report.messages.get()
    now = timezone.now()
    incident = Incident.objects.create(title="Mailbox full", first_seen=now, last_seen=now)
    type(message).objects.filter(pk=message.pk).update(incident=incident)

    body = as_role("viewer").get(f"/api/v1/reports/{report_id}").json()
    assert body["state"] == "analysed" and body["fidelity"] == "direct"
    assert body["reporter"] == "a@example.org" and body["channel"] == "api"
    [shown] = body["messages"]
    assert shown["subject"] == "Your mailbox is full"
    assert shown["verdict"]["category"] == message.category
    assert isinstance(shown["verdict"]["reasons"], list)
    link = {"id": incident.pk, "url": f"http://testserver/api/v1/incidents/{incident.pk}",
            "state": "new", "category": ""}  # fmt: skip
    assert shown["incident"] == link
    assert body["incidents"] == [link]
    assert body["errors"] == []


def test_a_reporter_token_may_follow_its_own_reports_only(as_role: Clients, mail: Mail) -> None:
    button, other = as_role("reporter"), as_role("reporter")
    url = submit(button, mail()).json()["url"]
    assert button.get(url).status_code == 200
    assert button.get(url).json()["state"] == "received"
    refused = other.get(url)
    assert refused.status_code == 403
    assert "someone else" in refused.json()["error"]["message"]


def test_an_unknown_report_is_a_json_404(as_role: Clients) -> None:
    response = as_role("viewer").get("/api/v1/reports/999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_reports_are_paginated_and_filtered(as_role: Clients, mail: Mail) -> None:
    for n, reporter in enumerate(["a@example.org", "b@example.org", "a@example.org"]):
        accept_report(mail(subject=f"m{n}"), channel="api", reporter=reporter)
    viewer = as_role("viewer")
    page = viewer.get("/api/v1/reports", {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2
    assert page["next"].endswith("page=2&page_size=2")
    second = viewer.get(page["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    only_a = viewer.get("/api/v1/reports", {"reporter": "A@example.org"}).json()
    assert {r["reporter"] for r in only_a["results"]} == {"a@example.org"}
    assert only_a["count"] == 2
    assert viewer.get("/api/v1/reports", {"state": "analysed"}).json()["count"] == 0
    assert viewer.get("/api/v1/reports", {"state": "received"}).json()["count"] == 3


def test_an_invalid_filter_names_the_valid_values(as_role: Clients) -> None:
    response = as_role("viewer").get("/api/v1/reports", {"state": "done"})
    assert response.status_code == 400
    assert "received" in response.json()["error"]["detail"]["state"][0]
    assert as_role("viewer").get("/api/v1/reports", {"page": 9}).status_code == 404
