"""`phishloop token create/list/revoke`, checked against the API itself."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from rest_framework.test import APIClient

from phishloop.cli.main import cli
from phishloop.server.accounts.models import ApiToken
from phishloop.server.audit.models import AuditEvent

# transaction=True: the command runs `migrate` (a no-op here) outside a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["token", *args])
    return result.exit_code, result.stdout, result.stderr


def test_create_prints_a_working_token_once(client_for: Callable[[str], APIClient]) -> None:
    code, out, err = run("create", "outlook-button", "--role", "reporter")
    assert code == 0, err
    secret = out.strip()
    assert secret.startswith("plt_") and "\n" not in secret
    assert "shown only now" in err
    stored = ApiToken.objects.get(name="outlook-button")
    assert stored.role == "reporter" and secret not in stored.token_sha256
    assert AuditEvent.objects.get(action="token.created").actor.startswith("cli")
    response = client_for(secret).get("/api/v1/reports")
    assert response.status_code == 403  # authenticated, but a reporter may not list


def test_list_shows_tokens_without_secrets() -> None:
    run("create", "soc-alice", "--role", "analyst")
    code, out, _ = run("list")
    assert code == 0
    assert "soc-alice" in out and "analyst" in out and "active" in out
    code, out, _ = run("list", "--json")
    [row] = [json.loads(line) for line in out.splitlines()]
    assert row["name"] == "soc-alice" and row["revoked"] is None
    assert set(row) == {"name", "role", "prefix", "created", "last_used", "revoked"}


def test_revoke_stops_the_token(client_for: Callable[[str], APIClient]) -> None:
    _, out, _ = run("create", "dashboard", "--role", "viewer")
    client = client_for(out.strip())
    assert client.get("/api/v1/incidents").status_code == 200
    code, _, err = run("revoke", "dashboard")
    assert code == 0 and "Revoked" in err
    assert client.get("/api/v1/incidents").status_code == 401
    code, _, err = run("revoke", "dashboard")
    assert code == 0 and "already revoked" in err
    assert "revoked" in run("list")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "x", "--role", "root"), "'root' is not one of"),
        (("create", "x"), "Missing option '--role'"),
        (("revoke", "nobody"), "no token named 'nobody'"),
    ],
)
def test_mistakes_are_explained(args: tuple[str, ...], message: str) -> None:
    code, _, err = run(*args)
    assert code != 0 and message in err
    assert "Traceback" not in err


def test_a_name_in_use_is_refused() -> None:
    run("create", "button", "--role", "reporter")
    code, _, err = run("create", "button", "--role", "admin")
    assert code == 1 and "already exists" in err
    assert ApiToken.objects.get(name="button").role == "reporter"
