"""Content-addressed raw storage: the exact bytes of every report, named by their SHA-256,
through Django's storage API (the `raw` storage: filesystem or S3-compatible)."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages


def raw_storage() -> Storage:
    return storages["raw"]


def blob_name(sha256: str) -> str:
    """`ab/cd/abcd….eml`: two directory levels keep directories small."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}.eml"


def store_raw(data: bytes) -> str:
    """Store `data` once (identical bytes share one blob) and return its SHA-256. The
    bytes are read back and checked, so a report is never acknowledged on a bad write."""
    sha256 = hashlib.sha256(data).hexdigest()
    storage = raw_storage()
    name = blob_name(sha256)
    if not storage.exists(name):
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # a concurrent writer stored the same bytes first
            storage.delete(saved)
    if load_raw(sha256) != data:
        raise OSError(f"raw blob {sha256} does not read back as written")
    return sha256


def load_raw(sha256: str) -> bytes:
    """The bytes stored under `sha256`; raises FileNotFoundError when missing."""
    storage = raw_storage()
    name = blob_name(sha256)
    if not storage.exists(name):
        raise FileNotFoundError(f"raw blob {sha256} is missing from storage")
    with storage.open(name, "rb") as handle:
        data: bytes = handle.read()
    return data
