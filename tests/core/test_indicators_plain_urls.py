"""`normalize_url` reads plain URLs (scheme://host/rest, no user, port or brackets) without
urlsplit; the result must be urlsplit's, for those and for every other shape."""

from __future__ import annotations

import random

from phishloop.core import indicators
from phishloop.core.indicators import normalize_url


def test_random_urls_normalise_as_through_urlsplit() -> None:
    pieces = [
        "http",
        "HTTPS",
        "ftp",
        "hTTp",
        "://",
        ":",
        "/",
        "?",
        "#",
        "a",
        "B",
        "-",
        ".",
        "0",
        "xn--",
        "é",
        " ",
        "\t",
        "@",
        "[",
        "]",
        "%",
        "_",
        "..",
        "com",
        "\x7f",
        "\u00a0",
        "127.0.0.1",
        "0x7f.1",
    ]
    rng = random.Random(8)
    plain = 0
    for _ in range(60_000):
        start = rng.choice(["http://", "https://", "HTTP://", "ftp://", ""])
        url = start + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        stripped = url.strip()
        expected = indicators._normalize_any_url(stripped) if stripped else None
        assert normalize_url(url) == expected, repr(url)
        plain += indicators._PLAIN_URL.fullmatch(stripped) is not None
    assert plain > 5000  # the urlsplit-free path was exercised


def test_plain_url_forms() -> None:
    assert normalize_url("HTTPS://Www.Example.COM") == "https://www.example.com/"
    assert normalize_url("http://a.example/p?q=1#frag") == "http://a.example/p?q=1"
    assert normalize_url("http://a.example/p?#frag") == "http://a.example/p"
    assert normalize_url("http://a.example#x?y") == "http://a.example/"
    assert normalize_url("http://a..example/") is None  # an empty label is no host
    assert normalize_url("http://user@a.example:8080/") == "http://user@a.example:8080/"
