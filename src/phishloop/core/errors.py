"""Exceptions and error codes of the analysis core.

Analysis never raises for bad input: problems become `ErrorRecord`s with one of the codes
below. Exceptions are for the caller's mistakes (bad configuration) and for limits that
must stop the current step (`LimitExceeded`, `DeadlineExceeded`).
"""

from __future__ import annotations

import re

_OBJECT_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def describe_exception(exc: BaseException, limit: int = 200) -> str:
    """`Type: message` for an error record, without memory addresses (`<… at 0x7f…>`), so the
    same input always yields the same JSON."""
    text = _OBJECT_ADDRESS.sub("", str(exc))[:limit]
    return f"{type(exc).__name__}: {text}"


class PhishloopError(Exception):
    """Base class of every error phishloop raises on purpose."""


class ConfigError(PhishloopError):
    """The configuration is invalid; the message says which key and why."""


class LimitExceeded(PhishloopError):
    """A configured limit stopped the current step."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class DeadlineExceeded(LimitExceeded):
    """The per-message time budget ran out."""

    def __init__(self, message: str = "time limit for this message reached") -> None:
        super().__init__("limit.time", message)


# Error codes: "<area>.<what>". Keep them stable; they are part of the JSON contract.
EMPTY_INPUT = "input.empty"
NOT_EMAIL = "input.not-email"
MIME_DEFECT = "mime.defect"
MIME_DECODE = "mime.decode"
CHARSET = "mime.charset"
MSG_PARSE = "msg.parse"
HEADER_PARSE = "header.parse"
ATTACHMENT_PARSE = "attachment.parse"
ARCHIVE_PARSE = "archive.parse"
OFFICE_PARSE = "office.parse"
PDF_PARSE = "pdf.parse"
IMAGE_PARSE = "image.parse"
ICS_PARSE = "ics.parse"
HTML_PARSE = "html.parse"
LIMIT_MESSAGE_SIZE = "limit.message-size"
LIMIT_DEPTH = "limit.mime-depth"
LIMIT_PARTS = "limit.parts"
LIMIT_ATTACHMENTS = "limit.attachments"
LIMIT_HEADERS = "limit.headers"
LIMIT_ARCHIVE_DEPTH = "limit.archive-depth"
LIMIT_ARCHIVE_MEMBERS = "limit.archive-members"
LIMIT_EXPANSION = "limit.expansion"
LIMIT_TEXT = "limit.text"
LIMIT_URLS = "limit.urls"
LIMIT_IMAGES = "limit.images"
LIMIT_TIME = "limit.time"
LIMIT_NESTED = "limit.nested-messages"
INTERNAL = "internal.error"
MSG_NOT_MAIL = "msg.not-mail"
LIMIT_MBOX = "limit.mbox-messages"
LIMIT_ORIGINALS = "limit.originals"
REPORT_ARF = "report.arf"
YARA_TIMEOUT = "yara.timeout"
YARA_ERROR = "yara.error"
