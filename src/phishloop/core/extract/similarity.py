"""How alike two campaign fingerprints are, from 0 (unrelated) to 1 (the same campaign).

Formula (documented for clustering):
- 1.0 when the raw bytes are equal, or the normalised bodies are equal, long enough to have
  a TLSH digest, and the links do not contradict it (both have URLs, on disjoint domains):
  kits send the same boilerplate text/plain part ("this message needs HTML") with
  unrelated HTML campaigns.
- Otherwise a weighted mean over the features present in at least one of the two messages
  (a feature both lack says nothing and is left out):
  text 0.40 — TLSH distance d mapped linearly: d ≤ 50 → 1, d ≥ 300 → 0 (on phishing_pot,
  unrelated pairs have a median distance of ~320 and 5 % are under ~195); without TLSH on both
  sides, 1 if the normalised body hashes are equal, else 0;
  urls 0.20 — half Jaccard of the registered URL domains, half equality of the URL path set;
  attachments 0.15 — Jaccard of the attachment SHA-256 sets;
  subject 0.10 — Jaccard of the normalised subject words;
  sender infrastructure 0.10 — share of equal values among sender domain, Return-Path domain,
  origin IP and origin host;
  html 0.05 — equal HTML tag structure.
- A shared attachment hash lifts the result to at least 0.9: the same file is strong evidence.
"""

from __future__ import annotations

from collections.abc import Iterable

import tlsh

from phishloop.core.model import Fingerprint

TLSH_SAME = 50.0
TLSH_UNRELATED = 300.0
SHARED_ATTACHMENT_FLOOR = 0.9


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """0..1; symmetric; see the module docstring for the formula."""
    if a.raw_sha256 is not None and a.raw_sha256 == b.raw_sha256:
        return 1.0
    same_text = a.body_sha256 is not None and a.body_sha256 == b.body_sha256
    if same_text and a.body_tlsh and b.body_tlsh and _jaccard(a.url_domains, b.url_domains) != 0.0:
        return 1.0
    parts = [
        (0.40, _text(a, b)),
        (0.20, _urls(a, b)),
        (0.15, _jaccard(a.attachment_sha256, b.attachment_sha256)),
        (0.10, _jaccard(_words(a.subject_normalized), _words(b.subject_normalized))),
        (0.10, _infrastructure(a, b)),
        (0.05, _equal(a.html_structure_sha256, b.html_structure_sha256)),
    ]
    present = [(weight, score) for weight, score in parts if score is not None]
    total = sum(weight for weight, _ in present)
    result = sum(weight * score for weight, score in present) / total if total else 0.0
    if set(a.attachment_sha256) & set(b.attachment_sha256):
        result = max(result, SHARED_ATTACHMENT_FLOOR)
    return round(min(1.0, max(0.0, result)), 4)


def _text(a: Fingerprint, b: Fingerprint) -> float | None:
    if a.body_tlsh and b.body_tlsh:
        try:
            distance = float(tlsh.diff(a.body_tlsh, b.body_tlsh))
        except (ValueError, TypeError):  # a digest from elsewhere that tlsh cannot read
            distance = TLSH_UNRELATED
        return min(1.0, max(0.0, (TLSH_UNRELATED - distance) / (TLSH_UNRELATED - TLSH_SAME)))
    return _equal(a.body_sha256, b.body_sha256)


def _urls(a: Fingerprint, b: Fingerprint) -> float | None:
    domains = _jaccard(a.url_domains, b.url_domains)
    paths = _equal(a.url_paths_sha256, b.url_paths_sha256)
    if domains is None or paths is None:
        return domains if paths is None else paths
    return 0.5 * domains + 0.5 * paths


def _infrastructure(a: Fingerprint, b: Fingerprint) -> float | None:
    pairs = [
        (a.sender_domain, b.sender_domain),
        (a.return_path_domain, b.return_path_domain),
        (a.origin_ip, b.origin_ip),
        (a.origin_host, b.origin_host),
    ]
    scores = [score for score in (_equal(x, y) for x, y in pairs) if score is not None]
    return sum(scores) / len(scores) if scores else None


def _equal(x: str | None, y: str | None) -> float | None:
    if x is None and y is None:
        return None
    return 1.0 if x == y else 0.0


def _jaccard(x: Iterable[str], y: Iterable[str]) -> float | None:
    left, right = set(x), set(y)
    if not left and not right:
        return None
    return len(left & right) / len(left | right)


def _words(text: str | None) -> tuple[str, ...]:
    return tuple(text.split()) if text else ()
