"""The Django admin: every model is there, records are read-only, tokens show no hash,
failed jobs and deliveries can be retried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phishloop.server.accounts.models import ApiToken
from phishloop.server.accounts.tokens import authenticate, create_token
from phishloop.server.audit.models import AuditEvent
from phishloop.server.events.models import WebhookDelivery, WebhookEndpoint
from phishloop.server.events.service import job_key
from phishloop.server.incidents.models import Incident
from phishloop.server.jobs import queue
from phishloop.server.jobs.models import Job, JobState

pytestmark = pytest.mark.django_db
APPS = ("audit", "accounts", "jobs", "incidents", "reports", "events")
# Derived lookup tables the pipeline maintains; nothing to see or configure in them.
INTERNAL = {"reports.MessageKey"}


@pytest.fixture(autouse=True)
def static_root(settings: Any, tmp_path: Path) -> None:
    settings.STATIC_ROOT = tmp_path / "static"  # WhiteNoise wants it to exist
    settings.STATIC_ROOT.mkdir()


def phishloop_models() -> list[Any]:
    found = [model for label in APPS for model in apps.get_app_config(label).get_models()]
    return [model for model in found if model._meta.label not in INTERNAL]


def test_every_phishloop_model_is_in_the_admin() -> None:
    missing = [m.__name__ for m in phishloop_models() if not admin.site.is_registered(m)]
    assert missing == []


def test_every_list_and_add_page_renders(admin_client: Client) -> None:
    now = timezone.now()
    Incident.objects.create(title="<b>not rendered</b>", first_seen=now, last_seen=now)
    for model in phishloop_models():
        meta = model._meta
        page = admin_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert page.status_code == 200, meta.label
    assert b"&lt;b&gt;not rendered&lt;/b&gt;" in admin_client.get(
        reverse("admin:incidents_incident_changelist")).content  # fmt: skip


def test_records_cannot_be_added_or_changed(admin_client: Client) -> None:
    for name in ("audit_auditevent", "incidents_incident", "reports_report", "jobs_job",
                 "events_webhookdelivery"):  # fmt: skip
        assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 403, name
    now = timezone.now()
    incident = Incident.objects.create(title="t", first_seen=now, last_seen=now)
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    admin_client.post(url, {"title": "changed", "state": "resolved"})
    assert Incident.objects.get(pk=incident.pk).title == "t"


def test_a_token_made_in_the_admin_is_shown_once_and_its_hash_never(
    admin_client: Client,
) -> None:
    page = admin_client.post(
        reverse("admin:accounts_apitoken_add"), {"name": "report-button", "role": "reporter"},
        follow=True,
    )  # fmt: skip
    text = page.content.decode()
    secret = text.split("it is not shown again: ")[1].split("<")[0].strip()
    token = authenticate(secret)
    assert token is not None and token.name == "report-button" and token.role == "reporter"
    detail = admin_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert detail.status_code == 200
    assert token.token_sha256 not in detail.content.decode()
    assert secret not in detail.content.decode()
    assert AuditEvent.objects.filter(action="token.created", actor="user:admin").exists()


def test_tokens_are_revoked_from_the_admin(admin_client: Client) -> None:
    issued = create_token("integration", "analyst")
    admin_client.post(reverse("admin:accounts_apitoken_changelist"),
                      {"action": "revoke", "_selected_action": [issued.token.pk]})  # fmt: skip
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None
    assert authenticate(issued.secret) is None


def test_a_webhook_endpoint_is_configured_in_the_admin(admin_client: Client) -> None:
    add = reverse("admin:events_webhookendpoint_add")
    assert "whsec_" in admin_client.get(add).content.decode()  # a fresh secret is proposed
    form = {"name": "soar", "url": "https://soar.example.org/hooks", "secret": "whsec_x",
            "events": ["incident.verdict_changed"], "active": "on"}  # fmt: skip
    admin_client.post(add, form)
    endpoint = WebhookEndpoint.objects.get(name="soar")
    assert endpoint.events == ["incident.verdict_changed"] and endpoint.active
    refused = admin_client.post(add, {**form, "name": "bad", "url": "ftp://x.example.org/"})
    assert refused.status_code == 200 and not WebhookEndpoint.objects.filter(name="bad").exists()


@pytest.mark.django_db(transaction=True)
def test_failed_jobs_and_deliveries_are_retried_from_the_admin(
    admin_client: Client, settings: Any
) -> None:
    settings.PHISHLOOP_JOB_MAX_ATTEMPTS = 1
    endpoint = WebhookEndpoint.objects.create(name="down", url="http://127.0.0.1:9/", secret="s")
    now = timezone.now()
    incident = Incident.objects.create(first_seen=now, last_seen=now)
    payload = {"id": "00000000-0000-4000-8000-000000000000", "event": "incident.created"}
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="incident.created",
                                              event_id=payload["id"], payload=payload)  # fmt: skip
    queue.enqueue("deliver-webhook", job_key(delivery.pk), {"delivery_id": delivery.pk})
    queue.drain()
    job = Job.objects.get(key=job_key(delivery.pk))
    assert job.state == JobState.FAILED
    admin_client.post(reverse("admin:events_webhookdelivery_changelist"),
                      {"action": "redeliver", "_selected_action": [delivery.pk]})  # fmt: skip
    job.refresh_from_db()
    delivery.refresh_from_db()
    assert (job.state, job.attempts, delivery.status) == ("queued", 0, "pending")
    queue.drain()
    admin_client.post(reverse("admin:jobs_job_changelist"),
                      {"action": "retry", "_selected_action": [job.pk]})  # fmt: skip
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    assert AuditEvent.objects.filter(action="job.retried", object_id=str(job.pk)).exists()
    assert incident.pk
