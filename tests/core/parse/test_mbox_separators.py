"""The mbox separator search jumps between "From " line starts; it must find exactly what
a plain search of the separator pattern finds."""

from __future__ import annotations

import random
from pathlib import Path

from phishloop.core.parse import mbox
from phishloop.core.parse.mbox import looks_like_mbox, split_mbox


def _plain_spans(data: bytes) -> list[tuple[int, int]]:
    return [match.span() for match in mbox._SEPARATOR.finditer(data)]


def _fast_spans(data: bytes) -> list[tuple[int, int]]:
    return [match.span() for match in mbox._separators(data)]


def test_random_mboxes_split_at_the_same_places() -> None:
    pieces = [
        b"From ",
        b"\n",
        b"\r\n",
        b"\n\n",
        b"a@b 10:20 2002",
        b" 1999 ",
        b"x",
        b"From a@b Mon 12:00\n",
        b">From ",
    ]
    rng = random.Random(7)
    for _ in range(20_000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert _fast_spans(data) == _plain_spans(data), data
        for start in range(6):
            plain = mbox._SEPARATOR.search(data, start)
            fast = mbox._next_separator(data, start)
            assert (fast and fast.span()) == (plain and plain.span()), (data, start)


def test_corpus_files_split_at_the_same_places(corpora: Path) -> None:
    files = sorted((corpora / "spamassassin_public").rglob("*"))[:400]
    files += sorted(p for p in (corpora / "mime_fixtures").rglob("*") if p.suffix == ".mbox")
    checked = 0
    for path in files:
        if path.is_file():
            data = path.read_bytes()
            assert _fast_spans(data) == _plain_spans(data), path
            assert looks_like_mbox(data) == (
                mbox._SEPARATOR.search(data, 5) is not None
                and (mbox._FIRST_LINE.match(data[:1024]) is not None)
            ), path
            checked += 1
    assert checked > 300


def test_a_single_mail_starting_with_a_from_line_is_no_mbox(ctx) -> None:
    mail = b"From x@example.com Mon Jan  1 10:00:00 2024\nFrom: x@example.com\n\nHello\n" + (
        b"From the desk of the CEO, 10:00 2024\n" * 2000  # no blank line before: no separator
    )
    assert not looks_like_mbox(mail)
    assert looks_like_mbox(mail + b"\nFrom y@example.com Tue Jan  2 11:00:00 2024\nbody\n")
    assert len(split_mbox(mail + b"\nFrom y@example.com Tue Jan  2 11:00:00 2024\nb\n", ctx)) == 2
