"""Standalone files given to `phishloop analyze` instead of an email (a suspicious PDF,
Office document, archive or HTML page): analysed as the single attachment of a synthetic
message, so they get the whole attachment analysis."""

from __future__ import annotations

import hashlib
import re
import struct
from email.message import EmailMessage
from email.policy import SMTP

import olefile

from phishloop.core.parse.detect import CFB_MAGIC

_SIGNATURES = (
    b"%PDF-", b"PK\x03\x04", b"PK\x05\x06", b"MZ", b"\x7fELF", b"7z\xbc\xaf\x27\x1c", b"Rar!",
    b"\x1f\x8b", b"{\\rt", b"GIF8", b"\x89PNG", b"\xff\xd8\xff", b"BZh", b"\xfd7zXZ",
)  # fmt: skip
_TEXT_DOCUMENT = re.compile(rb"\A\s*(?:<!doctype html|<html|<svg|begin:vcalendar)", re.IGNORECASE)


def looks_like_document(data: bytes) -> bool:
    """True for content that is plainly a file format, not an RFC 822 message."""
    head = data[:512]
    if head.startswith(_SIGNATURES) or _TEXT_DOCUMENT.match(head):
        return True
    return is_office_document(data)


def wrap_as_attachment(data: bytes, filename: str) -> bytes:
    """A minimal message carrying `data` as its only attachment."""
    message = EmailMessage()
    message["Subject"] = f"standalone file: {filename}"
    message.set_content("")
    message.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    # A boundary derived from the content keeps the wrapper, and so every hash and JSON
    # output describing it, identical from run to run.
    message.set_boundary(f"==phishloop-{hashlib.sha256(data).hexdigest()[:32]}==")
    return message.as_bytes(policy=SMTP)


def is_office_document(data: bytes) -> bool:
    """A compound file that is not an Outlook message (.doc, .xls, .ppt, .msi …)."""
    if not data.startswith(CFB_MAGIC):
        return False
    try:
        with olefile.OleFileIO(data) as ole:
            # Every Outlook item stores its properties in this stream at the root.
            return not ole.exists("__properties_version1.0")
    except (OSError, ValueError, IndexError, TypeError, struct.error):
        return False  # unreadable: let the .msg reader report why
