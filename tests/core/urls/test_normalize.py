"""From URL text as found to the address a browser opens."""

from __future__ import annotations

import pytest

from phishloop.core.urls.normalize import (
    decoded_destination,
    host_of,
    refang,
    to_destination,
    whatwg_ipv4,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hxxps://evil[.]com/login", "https://evil.com/login"),
        ("hXXp://evil(.)com", "http://evil.com"),
        ("https[:]//evil{.}com", "https://evil.com"),
        ("evil[dot]com", "evil.com"),
        ("hxxps[:]//evil[.]com", "https://evil.com"),
        ("fxp://files[.]evil.com/x", "ftp://files.evil.com/x"),
        ("https://example.com/a", "https://example.com/a"),
    ],
)
def test_refang(text: str, expected: str) -> None:
    assert refang(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  https://example.com/a\n", "https://example.com/a"),
        ("https://exa\tmple.com/a\r\nb", "https://example.com/ab"),  # browsers drop tab/LF
        ("www.example.com/path", "http://www.example.com/path"),
        ("WWW.Example.com:8080/x", "http://WWW.Example.com:8080/x"),
        ("hxxps://evil[.]com/login", "https://evil.com/login"),
        ("evil[.]com/x", "http://evil.com/x"),  # defanged on purpose: a host
        ("hxxp[:]//evil[.]com/x", "http://evil.com/x"),
        ("fxp://files.evil.com/x", "ftp://files.evil.com/x"),
        ("example.com", None),  # a bare name in text is not a link
        ("http://", None),
        ("https:///path", None),
        ("//cdn.example.com/x.js", "https://cdn.example.com/x.js"),
        ("http://0x7f.1/admin", "http://127.0.0.1/admin"),
        ("http://user@2130706433:8080/", "http://user@127.0.0.1:8080/"),
        ("http://[2001:db8::1]/", "http://[2001:db8::1]/"),
        ("mailto:a@example.com", None),
        ("javascript:alert(1)", None),
        ("file://server/share/doc.lnk", "file://server/share/doc.lnk"),
        ("not a url", None),
    ],
)
def test_to_destination(text: str, expected: str | None) -> None:
    assert to_destination(text) == expected


def test_decoded_destination_reads_a_bare_host_as_http() -> None:
    assert decoded_destination("evil.example.com/x?y=1") == "http://evil.example.com/x?y=1"
    assert decoded_destination("not a host") is None


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("0x3E.0004.0x10.0256", "62.4.16.174"),
        ("2130706433", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("192.168.1.1", "192.168.1.1"),
        ("09.1.1.1", None),  # 9 is no octal digit: browsers reject it
        ("256.1.1.1", None),
        ("4294967296", None),
        ("example.com", None),
        ("1.2.3.4.5", None),
    ],
)
def test_whatwg_ipv4(host: str, expected: str | None) -> None:
    assert whatwg_ipv4(host) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:pw@Example.COM:8080/x", "example.com"),
        ("http://[::1]:80/", "::1"),
        ("https://evil.example\\@good.example/", "evil.example"),  # "\" ends the host
        ("http://a.example?x@y", "a.example"),
        ("http://", None),
        ("http://@/", None),
    ],
)
def test_host_of_reads_like_a_browser(url: str, expected: str | None) -> None:
    assert host_of(url) == expected
