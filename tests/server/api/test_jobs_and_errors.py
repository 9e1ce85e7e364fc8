"""Failed pipeline jobs for admins; JSON errors everywhere under /api/."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from phishloop.server.api.views import ApiRoot
from phishloop.server.audit.models import AuditEvent
from phishloop.server.jobs.models import Job, JobState

pytestmark = pytest.mark.django_db
Clients = Callable[[str], APIClient]


def job(key: str, state: str) -> Job:
    return Job.objects.create(kind="analyse-report", key=key, payload={"report_id": 1},
                              state=state, attempts=5, last_error="gave up: boom",
                              not_before=timezone.now())  # fmt: skip


def test_failed_jobs_are_visible_and_can_be_retried(as_role: Clients) -> None:
    failed, done = job("analyse:report:1", JobState.FAILED), job("analyse:report:2", JobState.DONE)
    admin = as_role("admin")
    listed = admin.get("/api/v1/jobs", {"state": "failed"}).json()
    assert [j["id"] for j in listed["results"]] == [failed.pk]
    assert listed["results"][0]["last_error"] == "gave up: boom"

    retried = admin.post(f"/api/v1/jobs/{failed.pk}/retry")
    assert retried.status_code == 200, retried.content
    assert (retried.json()["state"], retried.json()["attempts"]) == ("queued", 0)
    assert AuditEvent.objects.filter(action="job.retried", object_id=str(failed.pk)).exists()

    refused = admin.post(f"/api/v1/jobs/{done.pk}/retry")
    assert refused.status_code == 409 and "only failed jobs" in refused.json()["error"]["message"]
    assert admin.post("/api/v1/jobs/999999/retry").status_code == 404
    assert admin.get("/api/v1/jobs", {"state": "broken"}).status_code == 400


def test_an_unknown_api_path_is_a_json_404(api: APIClient) -> None:
    response = api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "/api/v1/" in response.json()["error"]["message"]
    slash = api.get("/api/v1/reports/")
    assert slash.status_code == 404
    assert "did you mean /api/v1/reports" in slash.json()["error"]["message"]


def test_pages_outside_the_api_stay_html(api: APIClient) -> None:
    response = api.get("/no-such-page")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_a_wrong_method_is_a_json_405(as_role: Clients) -> None:
    response = as_role("admin").delete("/api/v1/reports")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_an_internal_error_is_json_without_details(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ApiRoot, "get", explode)
    client = APIClient(raise_request_exception=False)
    response = client.get("/api/v1/")
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["code"] == "server_error"
    assert "secret" not in response.content.decode()


def test_anonymous_callers_are_rate_limited(api: APIClient, settings: object) -> None:
    settings.REST_FRAMEWORK = {  # type: ignore[attr-defined]
        **settings.REST_FRAMEWORK,  # type: ignore[attr-defined]
        "DEFAULT_THROTTLE_RATES": {"intake": "600/minute", "anonymous": "2/minute"},
    }
    assert api.get("/api/v1/").status_code == 200
    assert api.get("/api/v1/").status_code == 200
    response = api.get("/api/v1/")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"


def test_a_request_django_refuses_to_read_is_a_json_400(as_role: Clients, settings: object) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100  # type: ignore[attr-defined]
    client = as_role("reporter")
    client.raise_request_exception = False
    response = client.post("/api/v1/reports", {"reporter": "a" * 500 + "@example.org"},
                           format="multipart")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
