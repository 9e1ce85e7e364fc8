"""Fixtures for the planner tests: the test organisation in the in-memory fakes."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.support import pull_org

from phishloop.connectors.directory import InMemoryDirectory
from phishloop.connectors.mailstore import MemoryMailStore
from phishloop.core.model import Fingerprint
from phishloop.core.pipeline import analyze
from phishloop.remediation import Seed
from phishloop.remediation.seeds import seed_from_analysis


def fingerprints(raw: bytes) -> Sequence[Fingerprint]:
    return [a.fingerprint for a in analyze(raw, verdict=False) if a.fingerprint is not None]


@pytest.fixture
def store() -> MemoryMailStore:
    memory = MemoryMailStore()
    for name in pull_org.PEOPLE:
        memory.add_mailbox(pull_org.address(name), ["Sent"])
    for item in pull_org.deliveries():
        flags = ["\\Seen"] if item.seen else []
        memory.deliver(item.mailbox, item.raw, item.folder, flags)
    return memory


@pytest.fixture
def directory() -> InMemoryDirectory:
    return InMemoryDirectory.from_mapping(
        pull_org.directory_data(), domains=[pull_org.DOMAIN], vip_groups=[]
    )


@pytest.fixture
def seed() -> Seed:
    return seed_from_analysis(analyze(pull_org.phish(), verdict=False)[0])
