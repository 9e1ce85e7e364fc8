"""Merging URLs found in different places into records."""

from __future__ import annotations

from phishloop.core import errors
from phishloop.core.config import AnalysisConfig, Limits
from phishloop.core.context import AnalysisContext
from phishloop.core.urls.collector import UrlCollector

SAFE = (
    "https://eur03.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil-login.com%2Fa&data=05"
)


def test_a_url_and_its_rewritten_form_are_one_record() -> None:
    collector = UrlCollector(AnalysisContext.create())
    collector.add(SAFE, "html", display_text="Open")
    collector.add("https://evil-login.com/a", "text")
    collector.add(SAFE, "html")
    (record,) = collector.finish()
    assert record.url == "https://evil-login.com/a"
    assert record.original == SAFE  # the first form seen
    assert record.sources == ("html", "text")
    assert record.rewriters == ("safelinks",)
    assert (record.host, record.registered_domain) == ("evil-login.com", "evil-login.com")
    assert record.display_text == "Open"
    assert len(collector) == 1


def test_mismatching_display_text_is_kept_as_evidence() -> None:
    collector = UrlCollector(AnalysisContext.create())
    collector.add("https://evil-login.com/a", "html", display_text="Log in")
    collector.add("https://evil-login.com/a", "html", display_text="www.paypal.com")
    collector.add("https://evil-login.com/a", "html", display_text="Help")
    (record,) = collector.finish()
    assert (record.mismatch, record.display_text) == (True, "www.paypal.com")


def test_other_engineers_inputs() -> None:
    collector = UrlCollector(AnalysisContext.create())
    collector.add("  https://qr.evil-login.com/x \n", "qr")
    collector.add("file://evil-share.com/share/doc.lnk", "attachment:a.pdf")
    collector.add("mailto:someone@example.com", "attachment:a.pdf")
    collector.add("not a url at all", "pdf")
    collector.add("", "pdf")
    records = collector.finish()
    assert [(r.url, r.host) for r in records] == [
        ("https://qr.evil-login.com/x", "qr.evil-login.com"),
        ("file://evil-share.com/share/doc.lnk", "evil-share.com"),
    ]  # mailto: is no URL


def test_ip_and_idn_hosts() -> None:
    collector = UrlCollector(AnalysisContext.create())
    collector.add("http://0x7f.1/admin", "text")
    collector.add("https://bücher.example.de/x", "text")
    ip, idn = collector.finish()
    assert (ip.url, ip.host, ip.registered_domain) == ("http://127.0.0.1/admin", "127.0.0.1", None)
    assert (idn.host, idn.registered_domain) == ("xn--bcher-kva.example.de", "example.de")


def test_limit() -> None:
    ctx = AnalysisContext.create(AnalysisConfig(limits=Limits(max_urls=3)))
    collector = UrlCollector(ctx)
    for index in range(10):
        collector.add(f"https://h{index}.example.com/", "text")
    collector.add("https://h0.example.com/", "html")  # already known: still merged
    records = collector.finish()
    assert [r.url for r in records] == [f"https://h{i}.example.com/" for i in range(3)]
    assert records[0].sources == ("text", "html")
    assert [e.code for e in ctx.errors.records] == [errors.LIMIT_URLS]
