"""Incidents through the API: the queue, the detail, analyst actions and STIX export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from phishloop.server.audit.models import AuditEvent
from phishloop.server.incidents.models import Incident, IncidentState, Indicator
from phishloop.server.intake.service import accept_report
from phishloop.server.jobs import queue
from phishloop.server.reports.models import Message

pytestmark = pytest.mark.django_db
Clients = Callable[[str], APIClient]
Mail = Callable[..., bytes]


BODIES = {
    "Tax refund waiting": (
        "Dear taxpayer, a refund of 412.50 EUR is waiting for you. Claim it before the end of "
        "the week by confirming your bank card details on our portal",
        "Tax Office <refunds@tax-refund-portal.example>",
    ),
}


def incident_of(mail: Mail, subject: str, *reporters: str) -> Incident:
    """An incident built by the real pipeline from reports of one email."""
    body, sender = BODIES.get(subject, ("Verify now", "IT <it@mailbox-verify.example>"))
    for reporter in reporters:
        raw = mail(subject=subject, body=body, sender=sender)
        accept_report(raw, channel="api", reporter=reporter)
    queue.drain()
    message = Message.objects.get(subject=subject)
    assert message.incident is not None
    return message.incident


def test_the_detail_explains_the_incident(as_role: Clients, mail: Mail) -> None:
    incident = incident_of(mail, "Mailbox full", "a@example.org", "b@example.org")
    incident.indicators.add(Indicator.objects.create(type="domain", value="mailbox-verify.example"))
    body = as_role("viewer").get(f"/api/v1/incidents/{incident.pk}").json()
    assert body["id"] == incident.pk and body["title"] == "Mailbox full"
    assert body["report_count"] == 2 and body["message_count"] == 1
    assert body["reporter_count"] == 2
    assert body["reporters"] == ["a@example.org", "b@example.org"]
    [message] = body["messages"]
    assert message["subject"] == "Mailbox full" and message["report_count"] == 2
    assert {"type": "domain", "value": "mailbox-verify.example"}.items() <= body["indicators"][
        0
    ].items()
    assert body["verdict"]["category"] == incident.category
    assert isinstance(body["verdict"]["reasons"], list) and body["verdict"]["reasons"]
    assert body["audit"][0]["action"] == "incident.created"
    assert body["stix"] == f"http://testserver/api/v1/incidents/{incident.pk}/stix"


def test_the_queue_filters_by_state_category_and_time(as_role: Clients) -> None:
    now = timezone.now()
    old = now - timedelta(days=10)
    Incident.objects.create(
        title="old", state="resolved", category="bulk", first_seen=old, last_seen=old
    )
    Incident.objects.create(title="new", state="awaiting_analyst", category="suspicious",
                            first_seen=now, last_seen=now)  # fmt: skip
    viewer = as_role("viewer")

    def titles(**params: str) -> list[str]:
        response = viewer.get("/api/v1/incidents", params)
        assert response.status_code == 200, response.content
        return [i["title"] for i in response.json()["results"]]

    assert titles() == ["new", "old"]
    assert titles(state="awaiting_analyst") == ["new"]
    assert titles(category="bulk") == ["old"]
    assert titles(since=(now - timedelta(days=1)).date().isoformat()) == ["new"]
    assert titles(since=(now - timedelta(days=11)).isoformat()) == ["new", "old"]
    for bad in ({"state": "open"}, {"category": "evil"}, {"since": "yesterday"},
                {"since": "2025-02-30"}):  # fmt: skip
        response = viewer.get("/api/v1/incidents", bad)
        assert response.status_code == 400
        assert set(response.json()["error"]["detail"]) == set(bad)


def test_an_analyst_verdict_overrides_and_is_audited(as_role: Clients, mail: Mail) -> None:
    incident = incident_of(mail, "Invoice", "a@example.org")
    analyst = as_role("analyst")
    response = analyst.post(f"/api/v1/incidents/{incident.pk}/verdict",
                            {"category": "malicious", "subtype": "phish", "note": "known kit"},
                            format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    verdict = response.json()["verdict"]
    assert (verdict["category"], verdict["subtype"], verdict["source"]) == (
        "malicious", "phish", "analyst")  # fmt: skip
    assert verdict["decided_by"].startswith("token:analyst-")
    assert response.json()["state"] == "resolved"
    event = AuditEvent.objects.get(action="incident.analyst_verdict", object_id=str(incident.pk))
    assert event.detail["note"] == "known kit"


def test_bad_verdicts_are_400(as_role: Clients, mail: Mail) -> None:
    incident = incident_of(mail, "Invoice", "a@example.org")
    analyst = as_role("analyst")
    url = f"/api/v1/incidents/{incident.pk}/verdict"
    unknown = analyst.post(url, {"category": "evil"}, format="json")
    assert unknown.status_code == 400 and "category" in unknown.json()["error"]["detail"]
    refused = analyst.post(url, {"category": "bulk", "subtype": "phish"}, format="json")
    assert refused.status_code == 400
    assert "no subtype" in refused.json()["error"]["detail"]["request"][0]
    missing = analyst.post("/api/v1/incidents/999999/verdict", {"category": "clean"}, format="json")
    assert missing.status_code == 404


def test_merge_then_split(as_role: Clients, mail: Mail) -> None:
    first = incident_of(mail, "Mailbox full", "a@example.org")
    second = incident_of(mail, "Tax refund waiting", "b@example.org")
    assert first.pk != second.pk
    analyst = as_role("analyst")
    merged = analyst.post(f"/api/v1/incidents/{first.pk}/merge", {"incidents": [second.pk]},
                          format="json")  # fmt: skip
    assert merged.status_code == 200, merged.content
    assert merged.json()["message_count"] == 2
    assert merged.json()["merged_incidents"] == [second.pk]
    gone = analyst.get(f"/api/v1/incidents/{second.pk}").json()
    assert (gone["state"], gone["merged_into"]) == ("merged", first.pk)
    again = analyst.post(f"/api/v1/incidents/{second.pk}/verdict", {"category": "clean"},
                         format="json")  # fmt: skip
    assert again.status_code == 409 and f"#{first.pk}" in again.json()["error"]["message"]

    moved = Message.objects.get(subject="Tax refund waiting").pk
    split = analyst.post(f"/api/v1/incidents/{first.pk}/split", {"messages": [moved]},
                         format="json")  # fmt: skip
    assert split.status_code == 201, split.content
    new = split.json()
    assert new["id"] not in (first.pk, second.pk) and new["message_count"] == 1
    assert split["Location"].endswith(f"/api/v1/incidents/{new['id']}")
    assert Incident.objects.get(pk=first.pk).message_count == 1


def test_splitting_messages_of_another_incident_is_refused(as_role: Clients, mail: Mail) -> None:
    first = incident_of(mail, "Mailbox full", "a@example.org")
    other = incident_of(mail, "Tax refund waiting", "b@example.org")
    stranger = Message.objects.get(incident=other).pk
    response = as_role("analyst").post(f"/api/v1/incidents/{first.pk}/split",
                                       {"messages": [stranger]}, format="json")  # fmt: skip
    assert response.status_code == 400
    assert as_role("analyst").post(f"/api/v1/incidents/{first.pk}/split", {"messages": []},
                                   format="json").status_code == 400  # fmt: skip


def test_stix_export(as_role: Clients, mail: Mail) -> None:
    incident = incident_of(mail, "Mailbox full", "a@example.org")
    incident.indicators.add(Indicator.objects.create(type="domain", value="mailbox-verify.example"))
    viewer = as_role("viewer")
    response = viewer.get(f"/api/v1/incidents/{incident.pk}/stix")
    assert response.status_code == 200
    bundle = response.json()
    assert bundle["type"] == "bundle"
    assert any(o["type"] == "indicator" for o in bundle["objects"])
    stix = viewer.get(f"/api/v1/incidents/{incident.pk}/stix", HTTP_ACCEPT="application/stix+json")
    assert stix.status_code == 200 and stix["Content-Type"].startswith("application/stix+json")
    assert viewer.get("/api/v1/incidents/999999/stix").status_code == 404


def test_merged_state_is_a_valid_filter(as_role: Clients) -> None:
    assert IncidentState.MERGED in IncidentState.values
    assert as_role("viewer").get("/api/v1/incidents", {"state": "merged"}).status_code == 200
