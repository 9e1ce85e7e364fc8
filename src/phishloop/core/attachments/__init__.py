"""Attachment analysis: the bytes of one attachment in, an `Attachment` tree out.

`analyze_attachment` detects the real type from the content (libmagic plus refinements for
OOXML/ODF, OLE/.msg, emails), hashes the bytes (md5, sha1, sha256), opens containers
recursively within `ctx.limits` (zip, gzip/bzip2/xz, tar, 7z, rar listing, Office
packages, PDFs' embedded files, OLE packages, OneNote, nested emails via the pipeline's
`NestedEmailAnalyzer`) and adds every URL it finds to the shared `UrlCollector` with
source `attachment:<path>` (plus `pdf`, `qr`, `ics` or `macro` where they apply).
Everything happens in memory; nothing is written, executed or fetched.

Flags (evidence in `details`): executable, double-extension, extension-mismatch,
password-in-name, archive, encrypted, macro, autoopen, dde, ole-object, embedded-file,
external-link, pdf-javascript, html-smuggling, credential-form, qr-code, limit-exceeded,
truncated, not-extracted.

Error codes: attachment.parse, archive.parse, limit.expansion, limit.archive-depth,
limit.archive-members, limit.images, limit.text, limit.time.
"""

from phishloop.core.attachments.analyzer import analyze_attachment
from phishloop.core.attachments.tree import NestedEmailAnalyzer

__all__ = ["NestedEmailAnalyzer", "analyze_attachment"]
