"""Every API error as `{"error": {"code", "message", "detail"}}`, never an HTML page or a
traceback: DRF's exceptions through `exception_handler`, Django's own 400/403/404/500 pages
under /api/ through the `json_or_default_*` handlers (set in the root URLconf)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)
API_PREFIX = "/api/"
AUTH_HINT = (
    "send `Authorization: Bearer <token>`; an administrator creates tokens with "
    "`phishloop token create NAME --role ROLE`"
)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "the request body is too large"
    default_code = "too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "the request conflicts with the current state"
    default_code = "conflict"


class Unavailable(exceptions.APIException):
    """Storage or database trouble: nothing was accepted; the client should try again."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "the service cannot store this right now; nothing was accepted, try again"
    default_code = "unavailable"


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DatabaseError):  # away for a moment (restart, failover, locked file)
        log.warning("the database is unavailable: %s", exc)
        exc = Unavailable()  # 503 with Retry-After, not a 500: the client should try again
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # Django turns it into a 500 (json_or_default_500 under /api/)
    detail = response.data
    code = getattr(exc, "default_code", "error")
    message = detail.get("detail") if isinstance(detail, dict) and "detail" in detail else None
    text = str(message) if message is not None else "the request is not valid"
    if isinstance(exc, exceptions.NotAuthenticated):
        text = f"this needs an API token: {AUTH_HINT}"
    elif isinstance(exc, exceptions.AuthenticationFailed):
        text = f"{text}; {AUTH_HINT}"
    response.data = error_body(
        str(getattr(message, "code", code)), text, None if message is not None else detail
    )
    if isinstance(exc, Unavailable):
        response["Retry-After"] = "5"
    return response


def json_or_default_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """No URL matched: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        message = f"no API endpoint at {request.path}; the list of endpoints is at /api/v1/"
        bare = request.path.rstrip("/")
        if bare != request.path and _resolves(bare):
            message = f"no API endpoint at {request.path}; did you mean {bare} (no final slash)?"
        return JsonResponse(error_body("not_found", message), status=404)
    return defaults.page_not_found(request, exception)


def json_or_default_400(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django refused to read (a form field over DATA_UPLOAD_MAX_MEMORY_SIZE,
    too many fields, a forbidden host…): JSON under /api/, without internals."""
    if request.path.startswith(API_PREFIX):
        message = "the request could not be read (malformed, or a form field too large)"
        return JsonResponse(error_body("bad_request", message), status=400)
    return defaults.bad_request(request, exception)


def json_or_default_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body("permission_denied", "this is not allowed"), status=403)
    return defaults.permission_denied(request, exception)


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def json_or_default_500(request: HttpRequest) -> HttpResponse:
    """An unexpected error (already logged by Django): JSON under /api/, never details."""
    if request.path.startswith(API_PREFIX):
        message = "an internal error occurred; it has been logged for the administrator"
        return JsonResponse(error_body("server_error", message), status=500)
    return defaults.server_error(request)
