"""Pull service fixtures: the test organisation (tests/support/pull_org.py) in the
in-memory mail store and directory, wired in where the service opens its connectors,
and an incident whose message is the organisation's phish."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from tests.support import pull_org

from phishloop.connectors.directory import InMemoryDirectory
from phishloop.connectors.mailstore import MemoryMailStore
from phishloop.core.pipeline import analyze
from phishloop.core.serialize import analysis_to_dict
from phishloop.remediation import RemediationSettings
from phishloop.server.incidents.models import Incident, IncidentState, VerdictSource
from phishloop.server.remediation import connect
from phishloop.server.reports.models import Message


@dataclass
class MemoryOrg:
    store: MemoryMailStore
    directory: InMemoryDirectory
    settings: RemediationSettings = field(default_factory=RemediationSettings)

    def configure(self, **changes: Any) -> None:
        self.settings = replace(self.settings, **changes)


def org_store() -> MemoryMailStore:
    store = MemoryMailStore()
    for name in pull_org.PEOPLE:
        store.add_mailbox(pull_org.address(name), ["Sent"])
    for item in pull_org.deliveries():
        store.deliver(item.mailbox, item.raw, item.folder, ["\\Seen"] if item.seen else [])
    return store


@pytest.fixture
def memory_org(monkeypatch: pytest.MonkeyPatch) -> MemoryOrg:
    org = MemoryOrg(
        org_store(),
        InMemoryDirectory.from_mapping(pull_org.directory_data(), domains=[pull_org.DOMAIN]),
    )
    monkeypatch.setattr(connect, "open_store", lambda: org.store)
    monkeypatch.setattr(connect, "open_directory", lambda: org.directory)
    monkeypatch.setattr(connect, "settings", lambda: org.settings)
    monkeypatch.setattr(connect, "protected_addresses", lambda: (pull_org.ABUSE,))
    monkeypatch.setattr(
        connect, "fingerprints", lambda raw: [a.fingerprint for a in analyze(raw, verdict=False)]
    )
    return org


def make_incident(category: str = "malicious", confidence: float = 0.97) -> Incident:
    """A resolved incident whose one message is the organisation's phish."""
    raw = pull_org.phish()
    now = timezone.now()
    incident = Incident.objects.create(
        title=pull_org.SUBJECT, state=IncidentState.RESOLVED, category=category,
        subtype="phish" if category == "malicious" else "", confidence=confidence,
        verdict_source=VerdictSource.AUTO, first_seen=now, last_seen=now,
        message_count=1, report_count=1,
    )  # fmt: skip
    Message.objects.create(
        content_sha256=hashlib.sha256(raw).hexdigest(), message_id=pull_org.PHISH_ID,
        subject=pull_org.SUBJECT, sender="billing@evil.test",
        analysis=analysis_to_dict(analyze(raw, verdict=False)[0]), category=category,
        confidence=confidence, incident=incident, first_reported_at=now,
        last_reported_at=now, report_count=1,
    )  # fmt: skip
    return incident


@pytest.fixture
def incident(db: None) -> Incident:
    return make_incident()
