"""Every API error as `{"error": {"code", "message", "detail"}}`, never an HTML page or a
traceback."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # Django turns it into a 500 without details (DEBUG off)
    detail = response.data
    code = getattr(exc, "default_code", "error")
    message = detail.get("detail") if isinstance(detail, dict) and "detail" in detail else None
    response.data = {
        "error": {
            "code": str(getattr(message, "code", code)),
            "message": str(message) if message is not None else "the request is not valid",
            "detail": None if message is not None else detail,
        }
    }
    return response
