"""Scored, explained similarity between two campaign fingerprints.

The score is `phishloop.core.extract.similarity.similarity` (a weighted mean over body
text/TLSH, URLs, attachments, subject, sender infrastructure and HTML structure, documented
there). A message joins a cluster when the score reaches `min_similarity` AND at least one
*content* feature agrees (body text, URL paths, URL domains, an attachment or the HTML
structure): a shared sender domain and subject alone (two different mails from one
webmail provider saying "Hello") never join. The reasons name every feature that agreed,
e.g. "same sender domain x.example + TLSH distance 23 + same URL domains".
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import tlsh

from phishloop.core.extract.similarity import TLSH_UNRELATED, similarity
from phishloop.core.model import Fingerprint

DEFAULT_MIN_SIMILARITY = 0.7
CLOSE_TLSH = 100  # a TLSH distance this small is named as a reason (same text, edited)
K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class ClusterMatch:
    """How a message compares with a clustered one: the score, and why."""

    score: float
    reasons: tuple[str, ...]
    content_agrees: bool  # some feature beyond sender and subject is shared

    def joins(self, min_similarity: float = DEFAULT_MIN_SIMILARITY) -> bool:
        return self.content_agrees and self.score >= min_similarity

    def explain(self) -> str:
        return " + ".join(self.reasons) if self.reasons else "nothing in common"


def compare(a: Fingerprint, b: Fingerprint) -> ClusterMatch:
    """Score `a` against `b` and list the features they share."""
    content = _content_reasons(a, b)
    context = _context_reasons(a, b)
    return ClusterMatch(similarity(a, b), (*content, *context), bool(content))


def best_match(
    fingerprint: Fingerprint,
    candidates: Iterable[tuple[K, Fingerprint]],
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
) -> tuple[K, ClusterMatch] | None:
    """The candidate `fingerprint` is most like, if it is alike enough to join; ties go to
    the earliest candidate (the caller orders them, e.g. most recent first)."""
    best: tuple[K, ClusterMatch] | None = None
    for key, other in candidates:
        match = compare(fingerprint, other)
        if match.joins(min_similarity) and (best is None or match.score > best[1].score):
            best = (key, match)
    return best


def _content_reasons(a: Fingerprint, b: Fingerprint) -> list[str]:
    reasons: list[str] = []
    if a.raw_sha256 and a.raw_sha256 == b.raw_sha256:
        reasons.append("identical raw message")
    if a.body_sha256 and a.body_sha256 == b.body_sha256:
        reasons.append("same body text (normalised)")
    distance = tlsh_distance(a.body_tlsh, b.body_tlsh)
    if distance is not None and distance <= CLOSE_TLSH:
        reasons.append(f"TLSH distance {distance}")
    if a.url_paths_sha256 and a.url_paths_sha256 == b.url_paths_sha256:
        reasons.append("same URL paths")
    shared_domains = sorted(set(a.url_domains) & set(b.url_domains))
    if shared_domains:
        reasons.append(f"same URL domains {', '.join(shared_domains[:3])}")
    shared_files = sorted(set(a.attachment_sha256) & set(b.attachment_sha256))
    if shared_files:
        reasons.append(f"same attachment {shared_files[0][:16]}")
    if a.html_structure_sha256 and a.html_structure_sha256 == b.html_structure_sha256:
        reasons.append("same HTML structure")
    return reasons


def _context_reasons(a: Fingerprint, b: Fingerprint) -> list[str]:
    reasons: list[str] = []
    if a.subject_normalized and a.subject_normalized == b.subject_normalized:
        reasons.append(f"same subject {a.subject_normalized[:60]!r}")
    if a.sender_domain and a.sender_domain == b.sender_domain:
        reasons.append(f"same sender domain {a.sender_domain}")
    if a.return_path_domain and a.return_path_domain == b.return_path_domain:
        reasons.append(f"same Return-Path domain {a.return_path_domain}")
    if a.origin_ip and a.origin_ip == b.origin_ip:
        reasons.append(f"same origin IP {a.origin_ip}")
    return reasons


def tlsh_distance(a: str | None, b: str | None) -> int | None:
    """The TLSH distance of two digests (0 = same), None when either is missing or bad."""
    if not a or not b:
        return None
    try:
        distance = int(tlsh.diff(a, b))
    except (ValueError, TypeError):
        return None
    return distance if distance < TLSH_UNRELATED * 10 else None


def index_keys(fingerprint: Fingerprint) -> list[str]:
    """Exact-match keys to find candidate copies with an index: a copy of a campaign
    shares at least one with its siblings (the same text, subject, links, files, template
    or sender). Long values are hashed so every key fits a short indexed column."""
    f = fingerprint
    keys = [
        _key("body", f.body_sha256),
        _key("subject", f.subject_normalized),
        _key("urlpaths", f.url_paths_sha256),
        _key("html", f.html_structure_sha256),
        _key("sender", f.sender_domain),
        _key("returnpath", f.return_path_domain),
        *(_key("urldomain", domain) for domain in f.url_domains[:20]),
        *(_key("attachment", sha) for sha in f.attachment_sha256[:20]),
    ]
    return sorted({key for key in keys if key})


def _key(kind: str, value: str | None) -> str:
    if not value:
        return ""
    if len(value) > 100:
        value = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{value}"


def fingerprint_from_dict(data: Mapping[str, Any] | None) -> Fingerprint:
    """A `Fingerprint` from its JSON form (`analysis["fingerprint"]`); missing or odd
    fields become empty, so an old or partial analysis still compares."""
    data = data if isinstance(data, Mapping) else {}

    def text(name: str) -> str | None:
        value = data.get(name)
        return value if isinstance(value, str) and value else None

    def texts(name: str) -> tuple[str, ...]:
        value = data.get(name)
        if not isinstance(value, list | tuple):
            return ()
        return tuple(item for item in value if isinstance(item, str))

    return Fingerprint(
        raw_sha256=text("raw_sha256"),
        body_sha256=text("body_sha256"),
        body_tlsh=text("body_tlsh"),
        subject_normalized=text("subject_normalized"),
        sender_domain=text("sender_domain"),
        return_path_domain=text("return_path_domain"),
        origin_ip=text("origin_ip"),
        origin_host=text("origin_host"),
        url_domains=texts("url_domains"),
        url_paths_sha256=text("url_paths_sha256"),
        attachment_sha256=texts("attachment_sha256"),
        html_structure_sha256=text("html_structure_sha256"),
    )
