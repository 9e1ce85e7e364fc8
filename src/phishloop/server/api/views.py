"""API views."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRoot(APIView):
    """Where to start: the endpoints, how to authenticate, how to get a token."""

    permission_classes = (AllowAny,)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(
            {
                "service": "phishloop",
                "api_version": 1,
                "authentication": "Authorization: Bearer <token>; create one with "
                "`phishloop token create NAME --role analyst`",
                "openapi": reverse("openapi", request=request),
                "next_steps": [
                    "Create a token: phishloop token create my-button --role reporter",
                    "Submit a report: curl -H 'Authorization: Bearer <token>' "
                    "-H 'Content-Type: message/rfc822' --data-binary @mail.eml "
                    + request.build_absolute_uri("reports"),
                    "Forward reports by mail to the SMTP intake (phishloop serve --smtp-bind)",
                ],
            }
        )
