"""Header decoding, addresses, dates and the message summary."""

from __future__ import annotations

import pytest

from phishloop.core.model import Address
from phishloop.core.parse.headers import (
    decode_header_value,
    decoded_headers,
    message_info,
    parse_addresses,
    parse_date,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=?utf-8?q?Hello_?= =?utf-8?q?World?=", "Hello World"),  # whitespace between words dropped
        ("=?UTF-8?B?w6TDtsO8?= und =?iso-8859-1?q?=E4?=", "äöü und ä"),
        ("=?utf-8?B?4oI=?= =?utf-8?B?rA==?=", "€"),  # a character split across two words
        ("Re: plain\r\n\tfolded", "Re: plain\tfolded"),
        ("=?no-such-charset?q?abc?=", "abc"),
        ("Caf\udcc3\udca9", "Café"),  # raw 8-bit UTF-8 as the parser keeps it
        ("Caf\udce9", "Café"),  # raw 8-bit cp1252
        ("=?utf-8*en?Q?x_y?=", "x y"),  # RFC 2231 language tag
        ("=?utf-8?q?broken", "=?utf-8?q?broken"),
    ],
)
def test_decode_header_value(raw, expected):
    assert decode_header_value(raw) == expected


def test_parse_addresses_decodes_after_splitting():
    found = parse_addresses(
        '"=?utf-8?q?Doe=2C_John?=" <j@x.example>, b@y.example,\r\n Foo [mailto:foo@bar.example]'
    )
    assert found == (
        Address("j@x.example", "Doe, John"),
        Address("b@y.example", ""),
        Address("foo@bar.example", "Foo"),
    )
    assert parse_addresses("Undisclosed recipients:;") == ()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mon, 1 Jan 2024 10:00:00 +0100", "2024-01-01T10:00:00+01:00"),
        ("1 Jan 24 10:00 EST", "2024-01-01T10:00:00-05:00"),
        ("Mon, 1 Jan 2024 10:00:00 -0000", "2024-01-01T10:00:00+00:00"),
        ("2024-01-01T10:00:00Z", "2024-01-01T10:00:00+00:00"),
        ("Mon, 45 Jan 2024 10:00:00 +0100", None),
        ("yesterday", None),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


def test_message_info_and_decoded_headers():
    headers = [
        ("Return-Path", " <bounce@mailer.example>"),
        ("From", "=?utf-8?q?J=C3=BCrgen?= <j@sender.example>"),
        ("To", "a@corp.example"),
        ("To", "b@corp.example"),
        ("Cc", "c@corp.example"),
        ("Reply-To", "other@reply.example"),
        ("Subject", "=?utf-8?B?UmVjaG51bmc=?="),
        ("Date", "Tue, 2 Jan 2024 08:00:00 +0000"),
        ("Message-ID", " <abc@sender.example>"),
        ("References", "<r1@x> <r2@x>"),
        ("X-Mailer", "Mailer 1.0"),
    ]
    info = message_info(headers)
    assert info.from_ == Address("j@sender.example", "Jürgen")
    assert [a.address for a in info.to] == ["a@corp.example", "b@corp.example"]
    assert [a.address for a in info.cc] == ["c@corp.example"]
    assert info.reply_to == (Address("other@reply.example"),)
    assert (info.subject, info.date) == ("Rechnung", "2024-01-02T08:00:00+00:00")
    assert (info.message_id, info.return_path) == ("<abc@sender.example>", "bounce@mailer.example")
    assert info.references == ("<r1@x>", "<r2@x>") and info.user_agent == "Mailer 1.0"
    decoded = decoded_headers(headers)
    assert decoded[1].name == "From" and decoded[1].value == "Jürgen <j@sender.example>"


def test_message_info_without_headers():
    info = message_info([])
    assert info.from_ is None and info.subject is None and info.to == ()


@pytest.mark.parametrize(
    ("raw", "address", "name"),
    [
        (
            "Microsoft account team ,_<no-reply@access-accsecurity.com>",
            "no-reply@access-accsecurity.com",
            "Microsoft account team",
        ),
        (
            '"Hilton Hotel - Thank You!!", _ <q3u7u@1gody6s0zz.com>',
            "q3u7u@1gody6s0zz.com",
            "Hilton Hotel - Thank You!!",
        ),
    ],
)
def test_a_comma_in_an_unquoted_display_name_does_not_hide_the_sender(
    raw: str, address: str, name: str
) -> None:
    [parsed] = parse_addresses(raw)
    assert (parsed.address, parsed.display_name) == (address, name)


def test_two_real_addresses_stay_two() -> None:
    assert [a.address for a in parse_addresses("Ann <a@b.example>, c@d.example")] == [
        "a@b.example",
        "c@d.example",
    ]
