"""Clustering reported messages into campaigns: which copies belong together, and why.

Pure logic over `Fingerprint`s (no storage): the server finds candidates through the index
keys of `index_keys` and asks `best_match` which, if any, the new message joins."""

from phishloop.core.cluster.match import (
    DEFAULT_MIN_SIMILARITY,
    ClusterMatch,
    best_match,
    compare,
    fingerprint_from_dict,
    index_keys,
)

__all__ = [
    "DEFAULT_MIN_SIMILARITY",
    "ClusterMatch",
    "best_match",
    "compare",
    "fingerprint_from_dict",
    "index_keys",
]
