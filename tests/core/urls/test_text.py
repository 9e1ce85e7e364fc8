"""URLs in plain text."""

from __future__ import annotations

import pytest

from phishloop.core import errors
from phishloop.core.config import AnalysisConfig, Limits
from phishloop.core.context import AnalysisContext
from phishloop.core.model import UrlRecord
from phishloop.core.urls.collector import UrlCollector
from phishloop.core.urls.text import extract_text_urls, trim_url


def _urls(text: str, ctx: AnalysisContext | None = None) -> list[UrlRecord]:
    ctx = ctx or AnalysisContext.create()
    collector = UrlCollector(ctx)
    extract_text_urls(text, collector, ctx, "text")
    return list(collector.finish())


def _destinations(text: str) -> list[str]:
    return [record.url for record in _urls(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Go to https://example.com/login.", ["https://example.com/login"]),
        ("Really? https://example.com/a?b=1!", ["https://example.com/a?b=1"]),
        ('He said "https://example.com/q", then left', ["https://example.com/q"]),
        ("'https://example.com/q'", ["https://example.com/q"]),
        (
            "see https://example.com/x, https://example.org/y;",
            [
                "https://example.com/x",
                "https://example.org/y",
            ],
        ),
        ("(see https://example.com/a)", ["https://example.com/a"]),
        (
            "https://en.wikipedia.org/wiki/Python_(language)",
            [
                "https://en.wikipedia.org/wiki/Python_(language)",
            ],
        ),
        (
            "(https://en.wikipedia.org/wiki/Python_(language))",
            [
                "https://en.wikipedia.org/wiki/Python_(language)",
            ],
        ),
        ("[link](https://example.com/md)", ["https://example.com/md"]),
        ("**https://example.com/bold**", ["https://example.com/bold"]),
        ("<https://example.com/angle>", ["https://example.com/angle"]),
        ("Visit www.example.com/path.", ["http://www.example.com/path"]),
        ("ftp://files.example.com/pub/x.zip", ["ftp://files.example.com/pub/x.zip"]),
        ("Click herehttps://glued.example.com/x", ["https://glued.example.com/x"]),
        ("https://example.com/中文。次", ["https://example.com/中文"]),
        ("https://example.com/a&gt;", ["https://example.com/a"]),
        ("http://[2001:db8::1]:8080/x", ["http://[2001:db8::1]:8080/x"]),
    ],
)
def test_trailing_punctuation_and_brackets(text: str, expected: list[str]) -> None:
    assert _destinations(text) == expected


def test_defanged_forms() -> None:
    records = _urls(
        "IOCs: hxxps[:]//evil[.]com/login, hXXp://bad(.)example(.)net/x and "
        "www[.]phish[.]org plus the host login[.]evil-bank[.]com/verify"
    )
    assert [r.url for r in records] == [
        "https://evil.com/login",
        "http://bad.example.net/x",
        "http://www.phish.org",
        "http://login.evil-bank.com/verify",
    ]
    assert records[0].original == "hxxps[:]//evil[.]com/login"  # as found
    assert records[3].host == "login.evil-bank.com"


def test_url_wrapped_across_lines_in_angle_brackets() -> None:
    text = "Please read <https://example.com/a/very/long/\n   path/to/page?x=1\n   &y=2> today"
    assert _destinations(text) == ["https://example.com/a/very/long/path/to/page?x=1&y=2"]


def test_angle_brackets_around_prose_do_not_join_words() -> None:
    assert _destinations("<https://example.com/a is here>") == ["https://example.com/a"]


@pytest.mark.parametrize(
    "text",
    [
        "mail support@www.example.com now",  # an address, not a link
        "the site example.com and file report.pdf",  # bare names are not links
        "http:// and www. and https://",
        "",
    ],
)
def test_not_urls(text: str) -> None:
    assert _destinations(text) == []


def test_sources_and_duplicates() -> None:
    ctx = AnalysisContext.create()
    collector = UrlCollector(ctx)
    extract_text_urls("https://example.com/a https://example.com/a", collector, ctx, "text")
    extract_text_urls("www.example.com", collector, ctx, "attachment:notes.txt")
    extract_text_urls("https://example.com/a", collector, ctx, "attachment:notes.txt")
    records = collector.finish()
    assert [(r.url, r.sources) for r in records] == [
        ("https://example.com/a", ("text", "attachment:notes.txt")),
        ("http://www.example.com", ("attachment:notes.txt",)),
    ]


def test_rewritten_url_in_text_is_decoded() -> None:
    (record,) = _urls(
        "Open https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil-bank.com"
        "%2Flogin&data=05%7C02&reserved=0."
    )
    assert record.url == "https://evil-bank.com/login"
    assert record.original.startswith("https://nam12.safelinks.protection.outlook.com/")
    assert record.rewriters == ("safelinks",)
    assert record.registered_domain == "evil-bank.com"


def test_scan_is_bounded_by_the_limit() -> None:
    limits = Limits(max_text_scan_bytes=100)
    ctx = AnalysisContext.create(AnalysisConfig(limits=limits))
    text = "https://early.example.com/ " + "x" * 200 + " https://late.example.com/"
    assert [r.url for r in _urls(text, ctx)] == ["https://early.example.com/"]
    assert [e.code for e in ctx.errors.records] == [errors.LIMIT_TEXT]


def test_url_count_is_bounded() -> None:
    ctx = AnalysisContext.create(AnalysisConfig(limits=Limits(max_urls=5)))
    text = " ".join(f"https://h{i}.example.com/" for i in range(50))
    assert len(_urls(text, ctx)) == 5
    assert [e.code for e in ctx.errors.records] == [errors.LIMIT_URLS]


@pytest.mark.parametrize(
    "hostile",
    [
        "http://" + "a" * 200_000,
        "<http://" + "a\n" * 100_000,
        "<https://x" + " " * 100_000,
        "www." * 100_000,
        "a[.]" * 100_000,
        "(" * 50_000 + "https://example.com/" + ")" * 50_000,
        "hxxp[:]//" * 50_000,
    ],
)
def test_hostile_text_finishes(hostile: str) -> None:
    # A catastrophically backtracking pattern would not return from these.
    records = _urls(hostile)
    assert all(len(r.url) <= 8192 for r in records)


def test_trim_url_keeps_balanced_brackets() -> None:
    assert trim_url("https://example.com/a_(b)_(c)).") == "https://example.com/a_(b)_(c)"
    assert trim_url("https://example.com/[x]]") == "https://example.com/[x]"
