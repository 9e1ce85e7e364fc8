"""Rules: history.* — newly seen sender infrastructure, only where history exists."""

from __future__ import annotations

from phishloop.core.config import AnalysisConfig

RECEIVED = (
    "from mail.example.org (mail.example.org [81.2.69.160]) by mx.example.com with ESMTPS "
    "id 1; Tue, 4 Mar 2025 09:30:00 +0000"
)


class MemoryHistory:
    """Times each key was seen; keys never seen count 0."""

    def __init__(self, seen: dict[str, int]) -> None:
        self.seen = seen

    def times_seen(self, key: str) -> int | None:
        return self.seen.get(key, 0)


class NoHistory:
    def times_seen(self, key: str) -> int | None:
        return None


def test_new_sender_domain(fire) -> None:
    finding = fire("history.new-sender-domain", history=MemoryHistory({}))
    assert finding is not None
    assert "example.org" in finding.evidence


def test_known_sender_domain(fire) -> None:
    history = MemoryHistory({"domain:example.org": 12})
    assert fire("history.new-sender-domain", history=history) is None


def test_silent_without_history(fire) -> None:
    assert fire("history.new-sender-domain") is None
    assert fire("history.new-sender-domain", history=NoHistory()) is None
    assert (
        fire("history.new-origin-ip", history=NoHistory(), headers={"Received": RECEIVED}) is None
    )


def test_new_origin_ip(fire) -> None:
    finding = fire(
        "history.new-origin-ip", history=MemoryHistory({}), headers={"Received": RECEIVED}
    )
    assert finding is not None
    assert "81.2.69.160" in finding.evidence
    known = MemoryHistory({"ip:81.2.69.160": 3})
    assert fire("history.new-origin-ip", history=known, headers={"Received": RECEIVED}) is None


def test_internal_senders_are_not_news(fire) -> None:
    config = AnalysisConfig.from_mapping({"organisation": {"domains": ["example.org"]}})
    assert fire("history.new-sender-domain", history=MemoryHistory({}), config=config) is None
