"""The server's local intel store: where it lives, and publishing the indicators of
confirmed-malicious incidents to it (source "phishloop-incidents").

The store is the same SQLite file `phishloop intel` manages: `[intel] store` when set,
else `<PHISHLOOP_DATA_DIR>/intel.sqlite3`. The analysis runtime opens it too (see
`runtime.py`), so the next copy of a confirmed campaign meets its own indicators."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from phishloop.connectors.intel.factory import open_store
from phishloop.connectors.intel.settings import STORE_FILE, IntelSettings
from phishloop.connectors.runtime.config_file import load_config
from phishloop.core.enrich.records import IntelRecord
from phishloop.core.model import Indicator as CoreIndicator
from phishloop.server.incidents.models import Category, IncidentState, Indicator

SOURCE = "phishloop-incidents"


def intel_settings() -> IntelSettings:
    tables = load_config(settings.PHISHLOOP_CONFIG or None).tables
    return IntelSettings.from_mapping(tables.get("intel", {}))


def store_path(intel: IntelSettings | None = None) -> Path:
    """`[intel] store`, else the data directory's intel.sqlite3."""
    intel = intel or intel_settings()
    return intel.store or Path(settings.DATA_DIR) / STORE_FILE


def ensure_store() -> Path:
    """Create the store if missing (so the runtime's lookup opens it from the start)."""
    intel = intel_settings()
    path = store_path(intel)
    store = open_store(path, intel, create=True)
    if store is not None:
        store.close()
    return path


def publish() -> int:
    """Replace the store's phishloop source with the indicators of every confirmed-
    malicious incident (idempotent: the same rows give the same source); how many."""
    intel = intel_settings()
    rows = (
        Indicator.objects.filter(
            incidents__category=Category.MALICIOUS, incidents__state=IncidentState.RESOLVED
        )
        .distinct()
        .values_list("type", "value", "first_seen", "pk")
    )
    records = [
        IntelRecord(
            CoreIndicator(kind, value),  # type: ignore[arg-type]
            SOURCE,
            category="phishing",
            confidence=1.0,
            reference=f"phishloop indicator {pk}",
            first_seen=seen.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        for kind, value, seen, pk in rows
    ]
    store = open_store(store_path(intel), intel, create=True)
    assert store is not None  # create=True always opens
    with store:
        stats = store.import_records(records, SOURCE, replace=True, format="phishloop")
    return stats.stored
