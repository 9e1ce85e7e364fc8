"""The API root: what this service is and what to do next."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from phishloop.server.accounts.permissions import role_of

ENDPOINTS = {
    "reports": ("report-list", "POST a reported email (reporter role); GET the list (viewer)"),
    "incidents": ("incident-list", "the incident queue with verdicts (viewer)"),
    "jobs": ("job-list", "pipeline jobs; ?state=failed shows what needs attention (admin)"),
    "openapi": ("openapi", "the OpenAPI 3 document of this API"),
    "docs": ("api-docs", "interactive API documentation (Swagger UI)"),
}


class ApiRoot(APIView):
    """Where to start: the endpoints, how to authenticate, how to get a token."""

    permission_classes = (AllowAny,)

    @extend_schema(summary="Where to start", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reports = reverse("report-list", request=request)
        return Response(
            {
                "service": "phishloop",
                "api_version": 1,
                "you_are": role_of(request.user) or "anonymous",
                "authentication": "send `Authorization: Bearer <token>`; an administrator "
                "creates tokens with `phishloop token create NAME --role ROLE` (roles: "
                "reporter < viewer < analyst < admin)",
                "endpoints": {
                    name: {"url": reverse(view, request=request), "what": what}
                    for name, (view, what) in ENDPOINTS.items()
                },
                "next_steps": [
                    "Create a token: phishloop token create report-button --role reporter",
                    "Submit a report: curl -H 'Authorization: Bearer <token>' "
                    "-H 'Content-Type: message/rfc822' --data-binary @mail.eml " + reports,
                    "Follow it: GET the `url` in the answer; its messages link to incidents",
                    "Triage: phishloop token create alice --role analyst, then GET "
                    + reverse("incident-list", request=request)
                    + "?state=awaiting_analyst",
                    "Read the docs: docs/api.md, or " + reverse("api-docs", request=request),
                ],
            }
        )
