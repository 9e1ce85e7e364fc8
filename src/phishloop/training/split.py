"""The fixed train/test split: a file is held out when a hash of its content (and the seed)
falls below the test fraction. It depends on nothing but the bytes, so the evaluation can tell
which files a model never saw, and identical copies always land on the same side."""

from __future__ import annotations

import hashlib

_SCALE = float(16**15)


def held_out(content_sha256: str, seed: int, fraction: float) -> bool:
    """True when the file with this content hash belongs to the test part."""
    digest = hashlib.sha256(f"{seed}:{content_sha256}".encode()).hexdigest()
    return int(digest[:15], 16) / _SCALE < fraction
