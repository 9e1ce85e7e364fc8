"""`compute_fingerprint(raw_sha256=...)`: a caller that already hashed the raw bytes passes
the digest instead of having them hashed twice."""

from __future__ import annotations

import hashlib

from phishloop.core.extract.fingerprint import compute_fingerprint
from phishloop.core.model import MessageInfo


def _fingerprint(raw: bytes | None, raw_sha256: str | None = None) -> str | None:
    return compute_fingerprint(
        raw=raw,
        message=MessageInfo(subject="Invoice"),
        body_text="Please pay the attached invoice.",
        html="",
        urls=(),
        attachments=(),
        origin_ip=None,
        origin_host=None,
        raw_sha256=raw_sha256,
    ).raw_sha256


def test_raw_bytes_are_hashed_when_no_digest_is_given() -> None:
    raw = b"Subject: Invoice\r\n\r\nPlease pay the attached invoice.\r\n"
    assert _fingerprint(raw) == hashlib.sha256(raw).hexdigest()
    assert _fingerprint(None) is None


def test_a_given_digest_is_used_as_it_is() -> None:
    digest = "ab" * 32  # not the hash of the bytes: shows they are not hashed again
    assert _fingerprint(b"the input", digest) == digest
    assert _fingerprint(None, digest) == digest
