"""Header decoding shortcuts (ASCII values, caches for short values) give the results of
the full decoder."""

from __future__ import annotations

import random
from email.utils import getaddresses

from phishloop.core.domains import _normalize_host, normalize_host
from phishloop.core.indicators import _make_indicator, make_indicator
from phishloop.core.parse import rfc2047
from phishloop.core.parse.addresses import (
    _SIMPLE_ADDRESS,
    _parse_addresses,
    _split_addresses,
    parse_addresses,
)
from phishloop.core.parse.rfc2047 import decode_header_value


def test_random_values_decode_as_the_full_decoder_does() -> None:
    pieces = [
        "=?utf-8?q?caf=C3?=",
        "=?UTF-8?B?qQ==?=",
        "=?iso-8859-1*en?q?x?=",
        " ",
        "\t",
        "\r\n ",
        "\n",
        "plain",
        "=?",
        "?=",
        "=?koi8-r?b?zsXU?=",
        "é",
        "\udce9",
        "=?utf-8?Q?a_b?=",
    ]
    rng = random.Random(3)
    for _ in range(20_000):
        value = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        assert decode_header_value(value) == rfc2047._decode(value), repr(value)


def test_adjacent_words_join_only_across_whitespace_and_in_one_charset() -> None:
    assert decode_header_value("=?utf-8?q?caf=C3?= \r\n =?UTF-8?q?=A9?=") == "café"
    assert decode_header_value("=?utf-8?q?a?= x =?utf-8?q?b?=") == "a x b"
    assert decode_header_value("=?utf-8?q?a?=  =?iso-8859-1?q?=E9?=") == "aé"
    assert decode_header_value("  folded\r\n\tvalue ") == "folded\tvalue"


def test_long_values_take_the_uncached_path_with_the_same_result() -> None:
    long_value = "Name <a@example.com>, " * 30 + "=?utf-8?q?Jos=C3=A9?= <j@example.com>"
    assert len(long_value) > 512
    assert parse_addresses(long_value) == _parse_addresses(long_value)
    assert parse_addresses(long_value)[-1].display_name == "José"
    long_url = "https://Example.COM/" + "a" * 600
    assert make_indicator("url", long_url) == _make_indicator("url", long_url)
    assert make_indicator("url", long_url).value.startswith("https://example.com/")  # type: ignore[union-attr]
    host = "A" * 400 + ".example"
    assert normalize_host(host) == _normalize_host(host) is None  # longer than a host can be


def test_cached_results_are_the_computed_ones() -> None:
    for value in ("Ann <ann@example.com>", '"Doe, J" <j@example.com>', "PayPal"):
        assert parse_addresses(value) == parse_addresses(value) == _parse_addresses(value)
    for kind, value in (("domain", "WWW.Example.com."), ("ip", "010.1.1.1"), ("email", "A@B.co")):
        assert make_indicator(kind, value) == _make_indicator(kind, value)  # type: ignore[arg-type]
    assert normalize_host(" Bücher.Example. ") == _normalize_host(" Bücher.Example. ")


def test_simple_addresses_split_as_the_stdlib_splits_them() -> None:
    pieces = [*'ab.@<> \t"(),;:[]\\=?-_Z9~`{}|', "x.y", "@ex.com", " <", ">", "=?utf-8?q?x?="]
    pieces += ["Ann ", "ann@ex.com", "<ann@ex.com>", "Lee "]  # make simple forms common
    rng = random.Random(4)
    simple = 0
    for _ in range(50_000):
        value = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert _split_addresses(value) == getaddresses([value]), repr(value)
        simple += _SIMPLE_ADDRESS.fullmatch(value.strip(" \t")) is not None
    assert simple > 200  # the fast path was exercised, not only the fallback
    for value in (
        "a@b.example",
        "Ann Lee <ann.lee@mail.example>",
        " <x@y.example> ",
        "O'Neil <o@n.ie>",
    ):
        assert _split_addresses(value) == getaddresses([value])


def test_generated_simple_forms_take_the_fast_path_with_stdlib_results() -> None:
    atext = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
    rng = random.Random(9)

    def atom() -> str:
        return "".join(rng.choice(atext) for _ in range(rng.randint(1, 6)))

    for _ in range(5000):
        local = ".".join(atom() for _ in range(rng.randint(1, 3)))
        domain = ".".join(rng.choice(["ex", "mail-1", "co", "uk9"]) for _ in range(2))
        name = " ".join(atom() for _ in range(rng.randint(0, 3)))
        value = rng.choice(
            [f"{local}@{domain}", f"<{local}@{domain}>", f"{name} <{local}@{domain}>"]
        )
        value = value.strip()
        assert _SIMPLE_ADDRESS.fullmatch(value), value
        assert _split_addresses(value) == getaddresses([value]), value


def test_runs_of_encoded_words_decode_as_word_by_word() -> None:
    """`_decode_words` decodes a run of same-charset words in one go; any value must come
    out as the word-by-word decoder makes it."""
    pieces = [
        "=?utf-8?B?w6k=?=",
        "=?UTF-8?b?4oKs?=",
        "=?utf-8?Q?=C3=A9?=",
        "=?utf-8*en?q?a_b?=",
        "=?utf-8?B?4o?=",  # half of a character: joined with the next word it completes
        "=?utf-8?B?gqw=?=",
        "=?iso-8859-1?q?=E9?=",
        "=?utf-8?B??=",
        "=?bogus?q?z?=",
        " ",
        "\t",
        "\r\n ",
        "x",
        " y ",
    ]
    rng = random.Random(12)
    runs = 0
    for _ in range(30_000):
        value = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))
        assert rfc2047._decode_words(value) == rfc2047._decode_each(value), repr(value)
        runs += rfc2047._one_run(rfc2047._ENCODED_WORD.split(value))
    assert runs > 1000  # the one-run path was exercised
    assert rfc2047._decode_words("Re: =?utf-8?B?4o?= =?UTF-8?B?gqw=?= rates") == "Re: € rates"


def test_unfolding_without_carriage_returns_skips_nothing() -> None:
    for raw in ["a\n b", "a\n\tb", "a\nb", "a\r\n b", "a\rb", "a\r\n\r\n c", "\n", "plain"]:
        expected = raw.replace("\r\n", "\n").replace("\r", "\n")
        expected = expected.replace("\n ", " ").replace("\n\t", "\t").replace("\n", " ")
        assert rfc2047.unfold(raw) == expected
