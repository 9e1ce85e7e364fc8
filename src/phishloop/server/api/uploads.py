"""Turning a POST /api/v1/reports request into the report's bytes, file name and reporter,
with a clear error for each way it can go wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from rest_framework import exceptions
from rest_framework.request import Request

from phishloop.server.api.parsers import RAW_MEDIA_TYPES, too_large

# Room for the multipart boundaries and part headers around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
REPORTER_HEADER = "X-Phishloop-Reporter"
FORMATS_HINT = (
    f"send the email as the request body with Content-Type {', '.join(RAW_MEDIA_TYPES)}, "
    "or as multipart/form-data with the file in the `file` field"
)
_DISPOSITION_NAME = re.compile(r'filename="?([^";]+)"?', re.IGNORECASE)


@dataclass(frozen=True)
class Submission:
    raw: bytes
    filename: str
    reporter: str


def read_submission(request: Request) -> Submission:
    """The report in this request; APIException subclasses (400/413/415) otherwise."""
    reject_declared_oversize(request)
    try:
        data = request.data
    except exceptions.UnsupportedMediaType as exc:
        raise exceptions.UnsupportedMediaType(request.content_type, FORMATS_HINT) from exc
    if isinstance(data, bytes):
        raw, filename = data, _raw_filename(request)
    else:
        raw, filename = _uploaded(request)
    if not raw.strip():
        raise exceptions.ValidationError({"file": ["the report is empty"]}, code="empty")
    return Submission(raw, filename, _reporter(request))


def reject_declared_oversize(request: Request) -> None:
    """413 from the Content-Length alone, before a byte of the body is read."""
    limit = settings.PHISHLOOP_MAX_REPORT_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(declared)
    except ValueError:
        raise exceptions.ParseError(f"invalid Content-Length {declared!r}") from None
    multipart = request.content_type.startswith("multipart/")
    if length > limit + (MULTIPART_OVERHEAD if multipart else 0):
        raise too_large(limit)


def _uploaded(request: Request) -> tuple[bytes, str]:
    upload = request.FILES.get("file")
    if not isinstance(upload, UploadedFile):
        if request.content_type.startswith("multipart/"):
            raise exceptions.ValidationError(
                {"file": ["upload the .eml or .msg file in the `file` field"]}, code="required"
            )
        raise exceptions.ValidationError({"file": [FORMATS_HINT]}, code="required")
    limit = settings.PHISHLOOP_MAX_REPORT_BYTES
    if upload.size is not None and upload.size > limit:
        raise too_large(limit)
    raw = upload.read()
    if len(raw) > limit:
        raise too_large(limit)
    return raw, upload.name or ""


def _raw_filename(request: Request) -> str:
    name = request.query_params.get("filename", "")
    match = _DISPOSITION_NAME.search(request.headers.get("Content-Disposition", ""))
    if not name and match:
        name = match.group(1)
    if not name and request.content_type.startswith("application/vnd.ms-outlook"):
        name = "report.msg"
    return name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]


def _reporter(request: Request) -> str:
    """From the header, the query string or the form (in that order); validated."""
    form = request.data if not isinstance(request.data, bytes) else {}
    value = (
        request.headers.get(REPORTER_HEADER)
        or request.query_params.get("reporter")
        or form.get("reporter")
        or ""
    ).strip()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise exceptions.ValidationError(
                {"reporter": [f"{value!r} is not an email address"]}, code="invalid"
            ) from None
    return value
