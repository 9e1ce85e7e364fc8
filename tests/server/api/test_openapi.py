"""The OpenAPI document is valid, complete, and browsable without any CDN."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

EXPECTED = {
    "/api/v1/reports": {"get", "post"},
    "/api/v1/reports/{id}": {"get"},
    "/api/v1/incidents": {"get"},
    "/api/v1/incidents/{id}": {"get"},
    "/api/v1/incidents/{id}/verdict": {"post"},
    "/api/v1/incidents/{id}/merge": {"post"},
    "/api/v1/incidents/{id}/split": {"post"},
    "/api/v1/incidents/{id}/stix": {"get"},
    "/api/v1/jobs": {"get"},
    "/api/v1/jobs/{id}/retry": {"post"},
}


@pytest.fixture
def schema(api: APIClient) -> dict[str, Any]:
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document: dict[str, Any] = response.json()
    return document


def test_the_document_is_valid_openapi(schema: dict[str, Any]) -> None:
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 schema
    assert schema["openapi"].startswith("3.")


def test_every_endpoint_is_described(schema: dict[str, Any]) -> None:
    for path, methods in EXPECTED.items():
        assert methods <= set(schema["paths"][path]), path
    intake = schema["paths"]["/api/v1/reports"]["post"]
    assert set(intake["requestBody"]["content"]) == {
        "message/rfc822", "application/octet-stream", "application/vnd.ms-outlook",
        "multipart/form-data"}  # fmt: skip
    assert {"202", "200", "400", "401", "403", "413", "415", "429"} <= set(intake["responses"])
    error = intake["responses"]["413"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_generation_has_no_warnings() -> None:
    """drf-spectacular warns when it has to guess a type: the document would be vague."""
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "openapi:" in out.getvalue()


def test_the_docs_page_loads_its_assets_locally(api: APIClient) -> None:
    page = api.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"""(src|href)=["']https?://""", html), "a CDN reference"
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html)
    assert assets
    for asset in assets:
        assert api.get(asset).status_code == 200, asset


def test_docs_describe_every_endpoint(schema: dict[str, Any]) -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text("utf-8")
    for path, operations in schema["paths"].items():
        for method in operations:
            if path in {"/api/v1/", "/api/v1/openapi.json", "/api/v1/docs"}:
                assert path in docs, path
            else:
                assert f"`{method.upper()} {path}`" in docs, f"{method.upper()} {path}"
