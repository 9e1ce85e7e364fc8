"""Who may do what: missing, unknown and revoked tokens; the role ladder."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from phishloop.server.accounts.tokens import revoke_token

pytestmark = pytest.mark.django_db
Clients = Callable[[str], APIClient]


def test_no_token_is_401_with_a_hint(api: APIClient) -> None:
    response = api.get("/api/v1/incidents")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="phishloop"'
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert "phishloop token create" in error["message"]


@pytest.mark.parametrize("header", ["Bearer plt_not-a-real-token", "Bearer ", "Bearer"])
def test_an_unknown_token_is_401(api: APIClient, header: str) -> None:
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/incidents")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"authentication_failed", "not_authenticated"}


def test_a_revoked_token_is_401(
    make_token: Callable[..., str], client_for: Callable[[str], APIClient]
) -> None:
    secret = make_token("viewer", name="old-dashboard")
    client = client_for(secret)
    assert client.get("/api/v1/incidents").status_code == 200
    revoke_token("old-dashboard")
    response = client.get("/api/v1/incidents")
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("role", "method", "path", "allowed"),
    [
        ("reporter", "get", "/api/v1/reports", False),
        ("reporter", "get", "/api/v1/incidents", False),
        ("viewer", "get", "/api/v1/reports", True),
        ("viewer", "get", "/api/v1/incidents", True),
        ("viewer", "post", "/api/v1/incidents/1/verdict", False),
        ("viewer", "post", "/api/v1/incidents/1/merge", False),
        ("viewer", "post", "/api/v1/incidents/1/split", False),
        ("analyst", "get", "/api/v1/jobs", False),
        ("analyst", "post", "/api/v1/jobs/1/retry", False),
        ("admin", "get", "/api/v1/jobs", True),
    ],
)
def test_roles(as_role: Clients, role: str, method: str, path: str, allowed: bool) -> None:
    response = getattr(as_role(role), method)(path, {}, format="json")
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert "role" in response.json()["error"]["message"]


def test_the_api_root_tells_a_newcomer_what_to_do(api: APIClient) -> None:
    body = api.get("/api/v1/").json()
    assert body["you_are"] == "anonymous"
    assert "phishloop token create" in body["authentication"]
    assert body["endpoints"]["reports"]["url"] == "http://testserver/api/v1/reports"
    assert any("curl" in step for step in body["next_steps"])
