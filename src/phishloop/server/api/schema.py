"""OpenAPI pieces shared by the views: the bearer-token scheme and the error envelope."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    400: "The request is not valid (see `error.detail`).",
    401: "No API token, or an unknown or revoked one.",
    403: "The token's role does not allow this.",
    404: "No such object.",
    409: "The request conflicts with the object's current state.",
    413: "The report is larger than PHISHLOOP_MAX_REPORT_BYTES.",
    415: "Unsupported Content-Type.",
    429: "Too many requests; retry after the `Retry-After` seconds.",
    503: "Storage or database unavailable; nothing was accepted, retry later.",
}


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Tells drf-spectacular how `BearerTokenAuthentication` works."""

    target_class = "phishloop.server.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token: `phishloop token create NAME --role ROLE`.",
        }


class ErrorDetail(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="machine-readable, e.g. not_found, throttled")
    message = serializers.CharField(help_text="what went wrong and what to do")
    detail = serializers.JSONField(
        allow_null=True, help_text="field errors for validation failures, else null"
    )


class ErrorEnvelope(serializers.Serializer[Any]):
    error = ErrorDetail()


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema responses for these error statuses (401 and 403 are added for every view)."""
    wanted = sorted({401, 403, *codes})
    return {code: OpenApiResponse(ErrorEnvelope, description=ERROR_DESCRIPTIONS[code])
            for code in wanted}  # fmt: skip
