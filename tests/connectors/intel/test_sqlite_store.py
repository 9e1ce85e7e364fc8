"""The SQLite indicator store: imports, idempotence, replace, removal, lookups, reopen."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from phishloop.connectors.intel import SqliteIntelStore
from phishloop.core.enrich import AllowPolicy, IndicatorLookup, IntelRecord, MemoryIntel
from phishloop.core.enrich.feeds import FeedError, parse_feed
from phishloop.core.enrich.records import parse_value
from phishloop.core.model import Indicator


def rec(
    value: str, source: str = "feed", category: str | None = "phishing", **extra: object
) -> IntelRecord:
    indicator = parse_value(value)
    assert indicator is not None
    return IntelRecord(indicator, source, category, **extra)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteIntelStore]:
    with SqliteIntelStore(tmp_path / "intel.sqlite3") as opened:
        yield opened


RECORDS = [
    rec(
        "https://invoice-portal.net/pay?id=1",
        reference="https://ref/1",
        first_seen="2024-05-01T00:00:00Z",
    ),
    rec("evil-site.com", category="malware", confidence=0.8),
    rec("198.51.100.0/24", category="c2"),
    rec("2001:db8:abcd::/48", category="c2"),
    rec("203.0.113.9"),
    rec("ceo@look-alike-corp.com"),
    rec("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", category="malware"),
]
MESSAGE = [
    Indicator("url", "https://invoice-portal.net/pay?id=1"),
    Indicator("url", "https://invoice-portal.net/pay?id=2"),
    Indicator("url", "https://cdn.evil-site.com/a.js"),
    Indicator("domain", "cdn.evil-site.com"),
    Indicator("ip", "198.51.100.77"),
    Indicator("ip", "2001:db8:abcd:12::1"),
    Indicator("ip", "203.0.113.9"),
    Indicator("email", "ceo@look-alike-corp.com"),
    Indicator("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    Indicator("domain", "harmless-site.org"),
]


def test_import_and_lookup_agree_with_the_memory_store(store: SqliteIntelStore) -> None:
    stats = store.import_records(RECORDS, "feed", format="list", origin="/feeds/a.txt")
    assert (stats.read, stats.added, stats.duplicates, stats.removed, stats.stored) == (
        7,
        7,
        0,
        0,
        7,
    )
    expected = MemoryIntel(RECORDS).lookup(MESSAGE)
    found = store.lookup(MESSAGE)
    assert found == expected
    kinds = sorted(m.match for m in found)
    assert kinds == [
        "cidr",
        "cidr",
        "exact",
        "exact",
        "exact",
        "exact",
        "parent-domain",
        "parent-domain",
    ]
    assert isinstance(store, IndicatorLookup)


def test_lookup_returns_record_details(store: SqliteIntelStore) -> None:
    store.import_records(RECORDS, "urlhaus")
    match = store.lookup([Indicator("domain", "evil-site.com")])[0]
    assert (match.source, match.category, match.confidence, match.match) == (
        "urlhaus",
        "malware",
        0.8,
        "exact",
    )
    url = store.lookup([Indicator("url", "https://invoice-portal.net/pay?id=1")])[0]
    assert (url.reference, url.first_seen) == ("https://ref/1", "2024-05-01T00:00:00Z")


def test_reimport_is_idempotent(store: SqliteIntelStore) -> None:
    store.import_records(RECORDS, "feed")
    before = store.lookup(MESSAGE)
    again = store.import_records(RECORDS + RECORDS[:2], "feed")
    assert (again.read, again.added, again.duplicates, again.stored) == (9, 0, 9, 7)
    assert store.lookup(MESSAGE) == before
    assert store.stats().records == 7


def test_import_without_replace_adds_and_keeps(store: SqliteIntelStore) -> None:
    store.import_records(RECORDS[:3], "feed")
    stats = store.import_records([rec("new-evil.net")], "feed")
    assert (stats.added, stats.stored) == (1, 4)
    assert store.lookup([Indicator("domain", "evil-site.com")])


def test_replace_sweeps_what_the_new_import_lacks(store: SqliteIntelStore) -> None:
    store.import_records(RECORDS, "feed")
    stats = store.import_records([rec("evil-site.com"), rec("new-evil.net")], "feed", replace=True)
    assert (stats.read, stats.added, stats.removed, stats.stored) == (2, 1, 6, 2)
    assert store.lookup([Indicator("ip", "198.51.100.1")]) == []  # its network is gone
    assert [m.matched.value for m in store.lookup([Indicator("domain", "new-evil.net")])] == [
        "new-evil.net"
    ]
    # category updated by the newer import
    assert store.lookup([Indicator("domain", "evil-site.com")])[0].category == "phishing"


def test_first_seen_keeps_the_earliest(store: SqliteIntelStore) -> None:
    store.import_records([rec("evil-site.com", first_seen="2024-03-01T00:00:00Z")], "f")
    store.import_records([rec("evil-site.com", first_seen="2024-05-01T00:00:00Z")], "f")
    assert store.lookup([Indicator("domain", "evil-site.com")])[0].first_seen == (
        "2024-03-01T00:00:00Z"
    )


def test_sources_are_independent(store: SqliteIntelStore) -> None:
    store.import_records(RECORDS, "one")
    store.import_records([rec("evil-site.com", category="spam")], "two")
    assert {m.source for m in store.lookup([Indicator("domain", "evil-site.com")])} == {
        "one",
        "two",
    }
    assert store.remove_source("one") == 7
    assert store.remove_source("one") is None
    assert [m.source for m in store.lookup([Indicator("domain", "evil-site.com")])] == ["two"]
    assert store.lookup([Indicator("ip", "198.51.100.1")]) == []
    assert [s.name for s in store.sources()] == ["two"]


def test_failed_import_keeps_nothing(store: SqliteIntelStore) -> None:
    store.import_records(RECORDS, "feed")
    broken = parse_feed(b"junk\nmore junk\n", "list")
    with pytest.raises(FeedError):
        store.import_records(broken, "feed", replace=True)
    assert store.stats().records == 7
    assert len(store.lookup(MESSAGE)) == 8


def test_progress_callback_reports_counts(tmp_path: Path) -> None:
    many = [rec(f"host{i}.evil-site.com") for i in range(12_000)]
    seen: list[int] = []
    with SqliteIntelStore(tmp_path / "s.sqlite3") as store:
        store.import_records(many, "bulk", progress=seen.append)
    assert seen == [5000, 10000, 12000]


def test_persistence_across_reopen_and_sources_listing(tmp_path: Path) -> None:
    path = tmp_path / "intel.sqlite3"
    with SqliteIntelStore(path) as store:
        store.import_records(RECORDS, "urlhaus", format="urlhaus", origin="csv_recent.txt")
    with SqliteIntelStore(path) as reopened:
        assert len(reopened.lookup(MESSAGE)) == 8
        (source,) = reopened.sources()
        assert (source.name, source.records, source.format, source.origin) == (
            "urlhaus",
            7,
            "urlhaus",
            "csv_recent.txt",
        )
        assert source.imported_at is not None and source.imported_at.endswith("Z")
        stats = reopened.stats()
        assert stats.records == 7 and stats.sources == 1
        assert stats.by_type == {"url": 1, "domain": 1, "ip": 3, "email": 1, "sha256": 1}
        assert stats.size_bytes > 0
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_networks_imported_by_another_connection_are_seen(tmp_path: Path) -> None:
    path = tmp_path / "intel.sqlite3"
    with SqliteIntelStore(path) as reader, SqliteIntelStore(path) as writer:
        assert reader.lookup([Indicator("ip", "10.9.8.7")]) == []
        writer.import_records([rec("10.0.0.0/8", category="c2")], "net")
        assert [m.match for m in reader.lookup([Indicator("ip", "10.9.8.7")])] == ["cidr"]


def test_expired_records_do_not_match(store: SqliteIntelStore) -> None:
    store.import_records(
        [
            rec("old-evil.com", expires="2020-01-01T00:00:00Z"),
            rec("new-evil.com", expires="2999-01-01T00:00:00Z"),
        ],
        "f",
    )
    assert store.lookup([Indicator("domain", "old-evil.com")]) == []
    assert len(store.lookup([Indicator("domain", "new-evil.com")])) == 1


def test_allow_list_and_policy(tmp_path: Path) -> None:
    policy = AllowPolicy(shared_parents=frozenset({"sharepoint.com"}))
    with SqliteIntelStore(tmp_path / "a.sqlite3", policy=policy) as store:
        store.import_records(
            [rec("sharepoint.com"), rec("partner-firm.net"), rec("bad.sharepoint.com")], "feed"
        )
        store.import_records([rec("partner-firm.net", category="allow")], "allow")
        assert store.lookup([Indicator("url", "https://contoso.sharepoint.com/")]) == []
        assert store.lookup([Indicator("domain", "mail.partner-firm.net")]) == []
        assert len(store.lookup([Indicator("url", "https://bad.sharepoint.com/")])) == 1


def test_large_batches_of_keys(store: SqliteIntelStore) -> None:
    store.import_records([rec(f"host{i}.evil-site.com") for i in range(1500)], "f")
    asked = [Indicator("domain", f"host{i}.evil-site.com") for i in range(0, 3000, 2)]
    assert len(store.lookup(asked)) == 750


def test_schema_version_mismatch_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "intel.sqlite3"
    SqliteIntelStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    with pytest.raises(sqlite3.DatabaseError, match="schema 99"):
        SqliteIntelStore(path)
