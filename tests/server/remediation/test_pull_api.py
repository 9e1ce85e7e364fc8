"""The pull API: plan, list, detail with actions, approve, restore; roles and errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.server.remediation.conftest import MemoryOrg
from tests.support.pull_org import EXPECTED

from phishloop.server.accounts.tokens import create_token
from phishloop.server.incidents.models import Incident
from phishloop.server.jobs.queue import drain

pytestmark = pytest.mark.django_db


def client(role: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token(f'{role}-t', role).secret}")
    return api


def test_plan_review_approve_restore(memory_org: MemoryOrg, incident: Incident) -> None:
    memory_org.configure(plan_chunk_size=5)
    analyst, viewer = client("analyst"), client("viewer")
    created = analyst.post(f"/api/v1/incidents/{incident.pk}/pulls", {"dry_run": True},
                           format="json")  # fmt: skip
    assert created.status_code == 202, created.json()
    assert created.json()["state"] == "planning" and created.json()["actions"] == []
    assert created["Location"].endswith(f"/api/v1/pulls/{created.json()['id']}")
    assert drain() == 4  # 11 mailboxes (not the abuse mailbox): 3 sweep jobs, then the plan
    pull = viewer.get(created["Location"]).json()
    assert pull["state"] == "planned" and pull["created_by"] == "token:analyst-t"
    copies = {(a["kind"], a["mailbox"], a["folder"], a["message_id"])
              for a in pull["actions"] if a["outcome"] == "found"}  # fmt: skip
    assert copies == EXPECTED
    externals = {a["mailbox"] for a in pull["actions"] if a["outcome"] == "external"}
    assert externals == {"partner@supplier.test", "friend@partner.test"}
    assert pull["plan"]["recipients"][0]["recipient"] == "all-staff@corp.test"
    listed = viewer.get(f"/api/v1/incidents/{incident.pk}/pulls").json()
    assert [p["id"] for p in listed["results"]] == [pull["id"]]
    # A viewer may look but not act.
    assert viewer.post(f"/api/v1/pulls/{pull['id']}/approve").status_code == 403
    approved = analyst.post(f"/api/v1/pulls/{pull['id']}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "running"
    again = analyst.post(f"/api/v1/pulls/{pull['id']}/approve")
    assert again.status_code == 409
    assert "only planned pulls are approved" in again.json()["error"]["message"]
    drain()
    done = viewer.get(f"/api/v1/pulls/{pull['id']}").json()
    assert done["state"] == "done" and done["counts"]["moved"] == len(EXPECTED)
    restored = analyst.post(f"/api/v1/pulls/{pull['id']}/restore", {"reason": "real invoice"},
                            format="json")  # fmt: skip
    assert restored.status_code == 200 and restored.json()["state"] == "restoring"
    drain()
    final = viewer.get(f"/api/v1/pulls/{pull['id']}").json()
    assert final["state"] == "restored" and final["restore_reason"] == "real invoice"
    assert final["counts"]["restored"] == len(EXPECTED)


def test_errors(memory_org: MemoryOrg, incident: Incident) -> None:
    analyst = client("analyst")
    assert analyst.get("/api/v1/incidents/999/pulls").status_code == 404
    missing = analyst.post("/api/v1/incidents/999/pulls", {}, format="json")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert analyst.get("/api/v1/pulls/999").status_code == 404
    assert analyst.post("/api/v1/pulls/999/approve").status_code == 404
    bad = analyst.post(f"/api/v1/incidents/{incident.pk}/pulls", {"dry_run": "maybe"},
                       format="json")  # fmt: skip
    assert bad.status_code == 400
    assert APIClient().get(f"/api/v1/incidents/{incident.pk}/pulls").status_code == 401
    assert client("viewer").post(f"/api/v1/incidents/{incident.pk}/pulls").status_code == 403
