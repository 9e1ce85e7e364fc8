"""Shared test fixtures: where the corpora live, and a guard that fails any test that
tries to reach the network from the analysis core."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("PHISHLOOP_CORPORA", REPO.parent / "shared" / "corpora"))


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The shared corpora; CI always has them beside the clone, so absence is a failure."""
    if not CORPORA.is_dir():
        pytest.fail(f"corpora not found at {CORPORA} (set PHISHLOOP_CORPORA)")
    return CORPORA
