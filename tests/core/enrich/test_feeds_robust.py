"""Feed parsers on arbitrary bytes: records or a FeedError, never anything else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phishloop.core.enrich.feeds import PARSERS, FeedError, FeedOptions, FeedReport, parse_feed
from phishloop.core.enrich.records import IntelRecord

FORMATS = [*PARSERS, "auto"]
TEXTISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "evil-site.com",
                "https://a-evil.com/x?y=1",
                "198.51.100.0/24",
                "#",
                ",",
                ";",
                '"',
                "\n",
                "{",
                "}",
                "[",
                "]",
                ":",
                "'",
                "|",
                '"Event"',
                '"bundle"',
                '"phish_id"',
                "hxxp://",
                "[.]",
            ]
        ),
        st.text(max_size=12),
    ),
    max_size=30,
).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass"))


def consume(data: bytes, fmt: str) -> list[IntelRecord]:
    report = FeedReport()
    try:
        records = list(parse_feed(data, fmt, FeedOptions(), report))
    except FeedError:
        return []
    assert report.records == len(records)
    return records


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=60, deadline=None)
@given(data=st.one_of(st.binary(max_size=300), TEXTISH))
def test_arbitrary_input_gives_records_or_feed_error(fmt: str, data: bytes) -> None:
    for record in consume(data, fmt):
        assert record.indicator.value


@pytest.mark.parametrize(
    "document",
    [
        {"type": "bundle", "objects": [{"type": "indicator", "pattern": ["not", "a", "string"]}]},
        {"type": "bundle", "objects": [{"type": "file", "hashes": "nope"}, 5, None]},
        {"Event": {"Attribute": "nope", "Object": [{"Attribute": [None, 3]}], "Tag": "x"}},
        {"Event": {"Attribute": [{"type": "url", "value": ["x"], "to_ids": True}]}},
        [[[[[]]]]],
        {"response": "nope"},
    ],
)
def test_odd_json_shapes(document: object) -> None:
    data = json.dumps(document).encode()
    for fmt in ("stix", "misp", "phishtank", "auto"):
        assert consume(data, fmt) == []


def test_deeply_nested_json_is_a_feed_error() -> None:
    with pytest.raises(FeedError):
        list(parse_feed(b"[" * 100_000 + b"]" * 100_000, "stix"))
