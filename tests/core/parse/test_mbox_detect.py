"""mbox splitting and input-kind detection."""

from __future__ import annotations

from phishloop.core.parse.detect import CFB_MAGIC, detect_input_kind
from phishloop.core.parse.mbox import looks_like_mbox, split_mbox

MBOX = (
    b"From alice@example.com Mon Jan  1 10:00:00 2024\n"
    b"From: alice@example.com\nSubject: one\n\nhello\n>From the start\n>>From deeper\n"
    b"From here inside a paragraph, not a separator\n\n"
    b"From bob@example.com Tue Jan  2 11:00:00 2024\n"
    b"From: bob@example.com\nSubject: two\n\nsecond\n"
)


def test_split_mbox_unescapes_and_keeps_body_from_lines(ctx):
    first, second = split_mbox(MBOX, ctx)
    assert first.startswith(b"From: alice@example.com")
    assert b"\nFrom the start\n>From deeper\n" in first
    assert b"From here inside a paragraph" in first
    assert second.startswith(b"From: bob@example.com") and b"second" in second


def test_split_mbox_without_separators_returns_the_data(ctx):
    assert split_mbox(b"From: x@y.test\n\nbody", ctx) == [b"From: x@y.test\n\nbody"]
    assert split_mbox(b"  \n", ctx) == []


def test_detect_input_kind():
    assert looks_like_mbox(MBOX)
    assert detect_input_kind(MBOX, None) == "mbox"
    single = MBOX.split(b"\n\nFrom bob")[0]
    assert not looks_like_mbox(single)
    assert detect_input_kind(single, "inbox.mbox") == "mbox"
    assert detect_input_kind(single, "mail.eml") == "eml"
    assert detect_input_kind(CFB_MAGIC + b"\x00" * 100, "report.eml") == "msg"
    assert detect_input_kind(b"From: a@b.test\n\nx", "x.msg") == "eml"  # content wins
