"""Campaign fingerprints: keys that stay equal between copies of one campaign sent to
different people, so that reports can be grouped into one incident."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import tlsh

from phishloop.core.domains import normalize_host, registered_domain
from phishloop.core.extract.campaign_text import normalize_body, normalize_subject, recipient_words
from phishloop.core.extract.similarity import similarity
from phishloop.core.model import Attachment, Fingerprint, MessageInfo, UrlRecord

__all__ = ["compute_fingerprint", "similarity"]

_TAG = re.compile(r"<(/?[A-Za-z][A-Za-z0-9]{0,15})")
_LONG_NUMBER = re.compile(r"\d{5,}")
MAX_BODY_CHARS = 200_000  # the parse layer bounds body text; this guards direct callers
MAX_SUBJECT_CHARS = 1000
MAX_HTML_CHARS = 300_000  # the template shows in its first part; this bounds time and memory
MAX_TAGS = 20_000
MAX_TREE_NODES = 5000


def compute_fingerprint(
    *,
    raw: bytes | None,
    message: MessageInfo,
    body_text: str,
    html: str,
    urls: tuple[UrlRecord, ...],
    attachments: tuple[Attachment, ...],
    origin_ip: str | None,
    origin_host: str | None,
    raw_sha256: str | None = None,
) -> Fingerprint:
    """The campaign keys of one message (see `Fingerprint`); never raises on odd input.
    `raw_sha256`, when the caller already hashed `raw`, saves hashing it again."""
    names = recipient_words((*message.to, *message.cc))
    body = normalize_body(body_text[:MAX_BODY_CHARS], names)
    if raw_sha256 is None and raw is not None:
        raw_sha256 = hashlib.sha256(raw).hexdigest()
    return Fingerprint(
        raw_sha256=raw_sha256,
        body_sha256=_sha256(body) if body else None,
        body_tlsh=_tlsh(body),
        subject_normalized=(
            normalize_subject(message.subject[:MAX_SUBJECT_CHARS], names)
            if message.subject
            else None
        ),
        sender_domain=_address_domain(message.from_.address if message.from_ else None),
        return_path_domain=_address_domain(message.return_path),
        origin_ip=origin_ip,
        origin_host=origin_host.lower().rstrip(".") if origin_host else None,
        url_domains=tuple(sorted({d for d in (_url_domain(u) for u in urls) if d})),
        url_paths_sha256=_url_paths_sha256(urls),
        attachment_sha256=tuple(sorted({a.sha256 for a in _walk(attachments) if a.sha256})),
        html_structure_sha256=_html_structure_sha256(html),
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _tlsh(text: str) -> str | None:
    digest = str(tlsh.hash(text.encode("utf-8", "surrogatepass"))) if text else ""
    return digest if digest and digest != "TNULL" else None  # TNULL: too short or too uniform


def _address_domain(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    host = normalize_host(address.strip().strip("<>").rpartition("@")[2])
    return (registered_domain(host) or host) if host else None


def _url_domain(record: UrlRecord) -> str | None:
    return record.registered_domain or (record.host.lower() if record.host else None)


def _url_paths_sha256(urls: tuple[UrlRecord, ...]) -> str | None:
    """Host + path of every URL, query and fragment dropped, per-recipient path tokens
    (long segments holding digits, long numbers) replaced by '*'."""
    keys = set()
    for record in urls:
        if record.host:
            path = _path_of(record.url)
            keys.add(record.host.lower() + "/".join(map(_stable_segment, path.split("/"))))
    return _sha256("\n".join(sorted(keys))) if keys else None


def _path_of(url: str) -> str:
    """The path of a URL, without query and fragment (cheaper than urlsplit)."""
    rest = url.partition("://")[2] or url.partition(":")[2]
    rest = rest.split("?", 1)[0].split("#", 1)[0]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else ""


def _stable_segment(segment: str) -> str:
    if len(segment) >= 16 and any(c.isdigit() for c in segment):
        return "*"
    return _LONG_NUMBER.sub("*", segment)


def _walk(attachments: Iterable[Attachment]) -> Iterable[Attachment]:
    pending = list(attachments)
    for _ in range(MAX_TREE_NODES):
        if not pending:
            return
        attachment = pending.pop()
        pending.extend(attachment.children)
        yield attachment


def _html_structure_sha256(html: str) -> str | None:
    """The sequence of tag names (no text, no attributes) of the first MAX_TAGS tags."""
    if not html or "<" not in html:
        return None
    tags = _TAG.findall(html, 0, MAX_HTML_CHARS)[:MAX_TAGS]
    return _sha256(" ".join(tags).lower()) if tags else None
