"""What an attachment really is, from its bytes (libmagic plus a few refinements),
mapped to the handler `kind` that analyses it."""

from __future__ import annotations

import re

import magic

MAGIC_PREFIX = 64 * 1024  # enough for tar (offset 257) and ISO 9660 (offset 32769)

_KIND_BY_MIME = {
    "application/zip": "zip",
    "application/java-archive": "zip",
    "application/gzip": "gzip",
    "application/x-gzip": "gzip",
    "application/x-bzip2": "bzip2",
    "application/x-xz": "xz",
    "application/x-tar": "tar",
    "application/x-7z-compressed": "7z",
    "application/x-rar": "rar",
    "application/vnd.rar": "rar",
    "application/x-rar-compressed": "rar",
    "application/pdf": "pdf",
    "message/rfc822": "email",
    "text/html": "html",
    "image/svg+xml": "html",
    "text/calendar": "calendar",
    "text/rtf": "rtf",
    "application/rtf": "rtf",
    "application/x-ms-shortcut": "executable",
    "application/x-dosexec": "executable",
    "application/x-executable": "executable",
    "application/x-pie-executable": "executable",
    "application/x-sharedlib": "executable",
    "application/x-mach-binary": "executable",
    "application/x-msi": "ole",
    "application/x-iso9660-image": "executable",
    "application/x-ole-storage": "ole",
    "application/encrypted": "ole",  # libmagic's name for password-protected OOXML
    "application/x-sylk": "office-xml",
    "application/CDFV2": "ole",
    "application/msword": "ole",
    "application/vnd.ms-excel": "ole",
    "application/vnd.ms-powerpoint": "ole",
    "application/vnd.ms-outlook": "ole",
    "application/vnd.ms-office": "ole",
}
_ZIP_MIME_PREFIXES = (
    "application/vnd.openxmlformats",
    "application/vnd.oasis.opendocument",
    "application/vnd.ms-",
    "application/epub",
)
_SIGNATURES = (
    (b"\x7fELF", "application/x-executable"),
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xce\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xca\xfe\xba\xbe\x00\x00\x00", "application/x-mach-binary"),
    (bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3"), "application/onenote"),
)
_EMAIL_HEADER = re.compile(rb"^[!-9;-~]{1,76}:[ \t]?[^\r\n]", re.MULTILINE)
_OFFICE_XML = re.compile(rb"<\?mso-application\s+progid=|<pkg:package\b")
_HTML_START = re.compile(rb"<(?:!doctype html|html|head|body|script|form|meta|iframe)\b")
_TEXT_KINDS = ("text/", "application/json", "application/xml", "application/javascript")


def _magic_mime(prefix: bytes) -> str:
    try:
        return str(magic.from_buffer(prefix, mime=True))
    except Exception:  # libmagic errors on odd input: unknown type, not a crash
        return "application/octet-stream"


def detect(data: bytes, filename: str | None, declared: str) -> tuple[str, str]:
    """Return (detected MIME type, handler kind) for `data`; the name and the declared
    type only break ties where the bytes cannot (emails, calendars, HTML fragments)."""
    head = data[:MAGIC_PREFIX]
    for signature, mime in _SIGNATURES:
        if head.startswith(signature):
            return mime, "executable" if "onenote" not in mime else "onenote"
    mime = _magic_mime(head)
    if head.startswith(b"PK\x03\x04") and (
        mime == "application/octet-stream" or mime.startswith(_ZIP_MIME_PREFIXES)
    ):
        return mime, "zip"
    kind = _KIND_BY_MIME.get(mime)
    if kind is not None:
        return mime, kind
    if mime.startswith("image/"):
        return mime, "image"
    if mime.startswith(_TEXT_KINDS) or mime == "application/x-empty":
        return _refine_text(head, mime, (filename or "").lower(), declared.lower())
    return mime, "unknown"


def _refine_text(head: bytes, mime: str, name: str, declared: str) -> tuple[str, str]:
    if mime == "application/x-empty":
        return mime, "empty"
    if _OFFICE_XML.search(head[:4096]):
        return mime, "office-xml"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:15].upper() == b"BEGIN:VCALENDAR" or declared == "text/calendar":
        return "text/calendar", "calendar"
    looks_like_mail = _EMAIL_HEADER.match(stripped) is not None
    if looks_like_mail and (declared == "message/rfc822" or name.endswith(".eml")):
        return "message/rfc822", "email"
    return _html_or_text(stripped, mime, name, declared)


def _html_or_text(stripped: bytes, mime: str, name: str, declared: str) -> tuple[str, str]:
    # HTML attachments often start with a bare <script>, which libmagic calls text/plain
    if declared in ("text/html", "application/xhtml+xml") or name.endswith(
        (".htm", ".html", ".xhtml", ".shtml", ".svg", ".hta")
    ):
        return ("text/html" if not name.endswith(".svg") else "image/svg+xml"), "html"
    if _HTML_START.match(stripped[:20].lower()):
        return "text/html", "html"
    return mime, "text"
