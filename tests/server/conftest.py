"""Server tests: each test gets its own raw-storage directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def raw_storage(settings: Any, tmp_path: Path) -> Path:
    """Raw report bytes go to a fresh directory per test."""
    location = tmp_path / "blobs"
    settings.STORAGES = {
        **settings.STORAGES,
        "raw": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location
