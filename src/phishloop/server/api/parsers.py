"""Request parsers for a report sent as the raw request body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.parsers import BaseParser

from phishloop.server.api.errors import PayloadTooLarge

CHUNK = 1024 * 1024


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the report is larger than the limit of {limit:,} bytes (PHISHLOOP_MAX_REPORT_BYTES)"
    )


def read_bounded(stream: IO[bytes], limit: int) -> bytes:
    """The whole stream, or PayloadTooLarge as soon as it passes `limit` bytes (a chunked
    upload has no Content-Length to check first)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


class RawMailParser(BaseParser):
    """`message/rfc822`: the reported email's bytes, unchanged. `request.data` is bytes."""

    media_type = "message/rfc822"

    # request.data is the bytes themselves, not a mapping: the view expects exactly that.
    def parse(  # type: ignore[override]
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return read_bounded(stream, settings.PHISHLOOP_MAX_REPORT_BYTES)


class OctetStreamParser(RawMailParser):
    """`application/octet-stream`: an .eml or .msg file's bytes."""

    media_type = "application/octet-stream"


class OutlookMsgParser(RawMailParser):
    """`application/vnd.ms-outlook`: an Outlook .msg file's bytes."""

    media_type = "application/vnd.ms-outlook"


RAW_PARSERS = (RawMailParser, OctetStreamParser, OutlookMsgParser)
RAW_MEDIA_TYPES = tuple(parser.media_type for parser in RAW_PARSERS)
