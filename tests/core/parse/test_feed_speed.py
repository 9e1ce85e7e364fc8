"""The sped-up feed parser (`parse.feed_speed`, `feed_lines`, `feed_message`) must build the
very tree the stock stdlib parser builds: same headers, payloads, defects, preambles and
epilogues."""

from __future__ import annotations

import random
import re
from email.feedparser import BufferedSubFile, FeedParser
from email.message import Message
from email.policy import compat32
from pathlib import Path
from typing import Any

import pytest

from phishloop.core.parse.feed import BoundedFeedParser
from phishloop.core.parse.feed_lines import LineBuffer
from phishloop.core.parse.feed_message import IndexedMessage
from phishloop.core.parse.feed_speed import _BoundaryRe, _LineBreakAtEnd
from phishloop.core.parse.feed_text import BoundaryMatcher


class _StockParser(BoundedFeedParser):
    """BoundedFeedParser's limits on the stdlib's own parser code, line buffer and Message
    class."""

    _parsegen = FeedParser._parsegen  # type: ignore[attr-defined]
    _new_message = FeedParser._new_message  # type: ignore[attr-defined]

    def __init__(self, max_depth: int) -> None:
        FeedParser.__init__(self, policy=compat32)
        self._max_depth = max_depth
        self._masked = []
        self.depth_cut = False

    def _parse_headers(self, lines: list[str]) -> None:
        FeedParser._parse_headers(self, lines)  # type: ignore[attr-defined]
        self._headers_parsed(self._cur)  # type: ignore[attr-defined]


def _tree(message: Message) -> list[Any]:
    out: list[Any] = []
    pending = [message]
    while pending:
        part = pending.pop()
        out.append(
            (
                list(part._headers),  # type: ignore[attr-defined]
                [type(defect).__name__ for defect in part.defects],
                part.preamble,
                part.epilogue,
                part.get_content_type(),
                part.get_filename(),
                part.get_boundary(),
                part.get("Content-Transfer-Encoding"),
                "x-absent" in part,
            )
        )
        payload = part._payload  # type: ignore[attr-defined]
        if isinstance(payload, list):
            pending.extend(reversed(payload))
        else:
            out.append(payload)
    return out


def _parse(parser_class: type[BoundedFeedParser], text: str, max_depth: int) -> list[Any]:
    parser = parser_class(max_depth)
    try:
        parser.feed(text)
        root = parser.close()
    except Exception as exc:  # the stock parser's failures must be the same
        return [repr(exc)]
    finally:
        parser.restore()
    return [parser.depth_cut, type(root).__name__ == "IndexedMessage", *_tree(root)]


def _same(text: str, max_depth: int = 30) -> None:
    stock = _parse(_StockParser, text, max_depth)
    fast = _parse(BoundedFeedParser, text, max_depth)
    assert fast[0] == stock[0] and fast[1] is True and stock[1] is False
    assert fast[2:] == stock[2:]


NESTED = (
    "From: a@example.com\nContent-Type: multipart/mixed; boundary=outer\n\npreamble\n"
    "--outer\nContent-Type: multipart/alternative; boundary=inner\n\n"
    "--inner\nContent-Type: text/plain\n\nplain\n-- \nsignature\n--inner\n"
    "Content-Type: text/html\n\n<p>html</p>\n--inner--\n"
    "--outer\nContent-Type: message/rfc822\n\nSubject: inner mail\n\nbody\n"
    "--outer\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n"
    "Action: failed\n--outer--\nepilogue\n"
)


@pytest.mark.parametrize(
    "text",
    [
        NESTED,
        NESTED.replace("\n", "\r\n"),
        NESTED.replace("--outer--\nepilogue\n", ""),  # no closing boundary
        "Content-Type: multipart/mixed; boundary=b\n\n--b\n",  # EOF right after a boundary
        "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n--b--",  # repeated boundaries
        "Content-Type: multipart/mixed\n\nno boundary parameter\n",
        "Subject: no newline at the end",
        "\tcontinuation first\nSubject: x\n\nbody",
        "Subject: x\nnot a header line\nbody",
    ],
)
def test_hand_written_structures_parse_alike(text: str) -> None:
    _same(text)
    _same(text, max_depth=1)


def test_random_mime_fragments_parse_alike() -> None:
    fragments = [
        'Content-Type: multipart/mixed; boundary="b1"\n',
        "Content-Type: multipart/alternative; boundary=b2\n",
        "Content-Type: message/rfc822\n",
        "Content-Type: message/delivery-status\n",
        "Content-Type: text/plain\n",
        "Subject: x\n",
        "X: y\n continued\n",
        "\n",
        "\r\n",
        "\r",
        "--b1\n",
        "--b1--\n",
        "--b2\n",
        "--b2--  \r\n",
        "body line\n",
        "-- signature\n",
        "--b1",
        ": no name\n",
        "line without newline",
    ]
    rng = random.Random(20240611)
    for _ in range(3000):
        text = "".join(rng.choice(fragments) for _ in range(rng.randint(0, 25)))
        _same(text)
        _same(text, max_depth=2)


def test_corpus_messages_parse_alike(corpora: Path) -> None:
    files = sorted(p for p in (corpora / "mime_fixtures").rglob("*") if p.is_file())
    files += sorted((corpora / "spamassassin_public").rglob("*"))[:300:3]
    files += sorted((corpora / "phishing_pot" / "email").glob("*.eml"))[:300:3]
    assert len(files) > 150
    for path in files:
        if path.is_file():
            _same(path.read_bytes().decode("ascii", "surrogateescape"))


def test_header_index_follows_every_change() -> None:
    message = IndexedMessage()
    message["Subject"] = "one"
    message["X-Tag"] = "a"
    assert message.get("subject") == "one" and "x-tag" in message
    message["subject"] = "two"  # a second field: get() still finds the first
    assert message.get("SUBJECT") == "one"
    del message["Subject"]
    assert message.get("subject") is None and "subject" not in message
    message["Subject"] = "three"
    message.replace_header("x-tag", "b")
    assert message.get("subject") == "three" and message["X-TAG"] == "b"
    message.set_param("charset", "utf-8")
    assert message.get_content_charset() == "utf-8"
    message._headers = [("Content-Type", "text/html")]  # type: ignore[attr-defined]
    assert message.get("content-type") == "text/html" and message.get("subject", 7) == 7


def test_line_buffer_reads_like_the_stdlib_one() -> None:
    lines = ["a\n", "--b\n", "c\n", "--b--\n", "d\n"]
    stock, fast = BufferedSubFile(), LineBuffer()
    for buffer in (stock, fast):
        buffer.pushlines(list(lines))
        buffer.close()  # else an exhausted buffer answers NeedMoreData forever
        buffer.push_eof_matcher(lambda line: line.startswith("--b"))
    assert list(fast) == list(stock) == ["a\n"]  # a plain predicate: the generic path
    assert fast.readline() == stock.readline() == ""  # still at the boundary
    for buffer in (stock, fast):
        buffer.pop_eof_matcher()
        buffer.unreadline("")  # an EOF marker pushed back ends the next loop
    assert list(fast) == list(stock) == []
    assert list(fast) == list(stock) == ["--b\n", "c\n", "--b--\n", "d\n"]


def test_line_buffer_stops_at_a_boundary_like_the_stdlib_one() -> None:
    # The predicate the stdlib pushes for a multipart: only lines starting "--" can match.
    boundary = re.compile(
        "(?P<sep>" + re.escape("--b") + r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
    )
    lines = ["a\n", "-- sig\n", "--bx\n", "--b \n", "c\n"]
    stock, fast = BufferedSubFile(), LineBuffer()
    for buffer in (stock, fast):
        buffer.pushlines(list(lines))
        buffer.close()
        buffer.push_eof_matcher(boundary.match)
    assert list(fast) == list(stock) == ["a\n", "-- sig\n", "--bx\n"]
    assert fast.readline() == stock.readline() == ""
    for buffer in (stock, fast):
        buffer.pop_eof_matcher()
    assert list(fast) == list(stock) == ["--b \n", "c\n"]


@pytest.mark.parametrize(
    "value",
    [
        'text/plain; charset="utf-8"',
        'multipart/mixed; boundary="=_a;b\\"c"; x=1',
        'application/pdf; name*0="inv"; name*1="oice.pdf"',
        "attachment; filename*=UTF-8''%E2%82%AC%20rates.pdf",
        'attachment; filename="a;b.txt"; size=12; bare',
        "text/html;;; charset=",
        "x/y; " + "p=v; " * 300,  # longer than the cache takes
        "text/plain; name=caf\udce9.txt",  # undeclared 8-bit: not cached
    ],
)
def test_header_parameters_read_as_the_stdlib_reads_them(value: str) -> None:
    for header in ("Content-Type", "Content-Disposition"):
        stock, indexed = Message(policy=compat32), IndexedMessage(policy=compat32)
        for message in (stock, indexed):
            message[header] = value
        for _ in range(2):  # the second read comes from the cache
            assert indexed.get_params(header=header) == stock.get_params(header=header)
            assert indexed.get_params(header=header, unquote=False) == stock.get_params(
                header=header, unquote=False
            )
            assert indexed.get_filename() == stock.get_filename()
            assert indexed.get_boundary() == stock.get_boundary()
            assert indexed.get_content_charset() == stock.get_content_charset()
    assert IndexedMessage().get_params(["absent"]) == ["absent"]


# Lines that stress the text buffer: lone "\r" line ends, separators that are prefixes of
# each other or hold regex characters, lines starting like a boundary, breaks that
# str.splitlines() knows and the stdlib buffer does not.
_TRICKY_FRAGMENTS = [
    'Content-Type: multipart/mixed; boundary="b1"\n',
    "Content-Type: multipart/alternative; boundary=b2\r\n",
    'Content-Type: multipart/related; boundary="b1.x(y)"\r',
    'Content-Type: multipart/mixed; boundary="b"\n',
    "Content-Type: message/rfc822\n",
    "Content-Type: text/plain\n",
    "Subject: x\n",
    "X: y\r\n continued\r\n",
    "\n",
    "\r\n",
    "\r",
    "--b1\n",
    "--b1--\n",
    "--b1 \t\r\n",
    "--b1x\n",
    "--b\n",
    "--b--\r",
    "--b1.x(y)\r",
    "--b1.x(y)--\n",
    "--b2\r\n",
    "--b2--  \r\n",
    "body line\n",
    "-- signature\n",
    "--b1",
    ": no name\n",
    "From x\n",
    "From me\r\n",
    "line without newline",
    "a\rb\r",
    "\t folded\n",
    "\x0bvertical tab\x0c\n",
    "\x1cfile separator\n",
    "\u2028",
]


def test_tricky_line_ends_and_boundaries_parse_alike() -> None:
    rng = random.Random(20261127)
    for _ in range(4000):
        text = "".join(rng.choice(_TRICKY_FRAGMENTS) for _ in range(rng.randint(0, 30)))
        _same(text)
        _same(text, max_depth=1)


def _parse_in_pieces(
    parser_class: type[BoundedFeedParser], text: str, cuts: list[int]
) -> list[Any]:
    parser = parser_class(30)
    try:
        for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True):
            parser.feed(text[start:end])
        root = parser.close()
    except Exception as exc:
        return [repr(exc)]
    finally:
        parser.restore()
    return [parser.depth_cut, *_tree(root)]


def test_data_fed_in_pieces_parses_alike() -> None:
    """The buffer keeps an unfinished last line back until more data or the end comes."""
    rng = random.Random(11)
    for _ in range(3000):
        text = "".join(rng.choice(_TRICKY_FRAGMENTS) for _ in range(rng.randint(0, 30)))
        cuts = sorted(rng.randint(0, len(text)) for _ in range(rng.randint(1, 6)))
        fast = _parse_in_pieces(BoundedFeedParser, text, cuts)
        assert fast == _parse_in_pieces(_StockParser, text, cuts), (text, cuts)


@pytest.mark.parametrize("boundary", ["b", "=_a.b(c)+d?", "x y", "a\\b", "----=_Part_1_2.3"])
def test_boundary_matcher_matches_like_the_stdlib_pattern(boundary: str) -> None:
    separator = "--" + boundary
    pattern = re.compile(
        "(?P<sep>" + re.escape(separator) + r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
    )
    matcher = _BoundaryRe.compile(pattern.pattern)
    assert isinstance(matcher, BoundaryMatcher) and matcher.separator == separator
    for tail in ["", "\n", "\r\n", "\r", "--", "--\n", " \t\n", "x\n", "-\n", "--x", " x", "\n\n"]:
        line = separator + tail
        stock, fast = pattern.match(line), matcher.match(line)
        assert (stock is None) == (fast is None), repr(line)
        if stock is not None and fast is not None:
            assert [stock.group(g) for g in ("end", "ws", "linesep")] == [
                fast.group(g) for g in ("end", "ws", "linesep")
            ]
    assert matcher.match(boundary) is None and matcher.match("x" + separator) is None


def test_other_patterns_are_compiled_as_usual() -> None:
    assert _BoundaryRe.compile(r"\d+").match("12") is not None
    assert _BoundaryRe.compile("(?P<sep>x)", re.IGNORECASE).pattern == "(?P<sep>x)"


def test_line_break_at_end_is_found_like_the_stdlib_search() -> None:
    stock = re.compile(r"(\r\n|\r|\n)\Z")
    for text in ["", "a", "\n", "\r", "\r\n", "a\r\n", "a\n\r", "a\r\r\n", "x\ny", "\n\n"]:
        stock_match, fast_match = stock.search(text), _LineBreakAtEnd.search(text)
        assert (stock_match and stock_match.group(0)) == (fast_match and fast_match.group(0))


def test_lines_pushed_behind_unread_text_are_refused() -> None:
    buffer = LineBuffer()
    buffer.push("a\nb\n")
    with pytest.raises(NotImplementedError):
        buffer.pushlines(["c\n"])
