"""HTML bodies and attachments: links, facts and visible text."""

from __future__ import annotations

import base64

import pytest

from phishloop.core import errors
from phishloop.core.config import AnalysisConfig, Limits
from phishloop.core.context import AnalysisContext
from phishloop.core.model import HtmlFacts, UrlRecord
from phishloop.core.urls.collector import UrlCollector
from phishloop.core.urls.html import HtmlAnalysis, analyze_html


def _analyze(
    html: str, ctx: AnalysisContext | None = None, *sources: str
) -> tuple[HtmlAnalysis, list[UrlRecord]]:
    ctx = ctx or AnalysisContext.create()
    collector = UrlCollector(ctx)
    result = analyze_html(html, collector, ctx, *(sources or ("html",)))
    return result, list(collector.finish())


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def test_anchor_urls_with_display_text() -> None:
    result, records = _analyze(
        _page(
            '<p>Dear customer, <a href="https://evil-bank.com/login?id=1">'
            "<b>Verify</b> your   account</a>.</p>"
            '<map><area href="https://evil-bank.com/map" alt="Map link"></map>'
        )
    )
    assert [(r.url, r.display_text, r.sources) for r in records] == [
        ("https://evil-bank.com/login?id=1", "Verify your account", ("html",)),
        ("https://evil-bank.com/map", "Map link", ("html",)),
    ]
    assert result.facts.links == 2


def test_base_href_resolves_relative_links() -> None:
    _, records = _analyze(
        _page(
            '<a href="login.php?x=1">Sign in</a><a href="/root">Root</a>'
            '<form action="post.php"><input name=u></form>',
            head='<base href="https://evil-host.com/kit/">',
        )
    )
    assert [r.url for r in records] == [
        "https://evil-host.com/kit/login.php?x=1",
        "https://evil-host.com/root",
        "https://evil-host.com/kit/post.php",
    ]


def test_the_first_base_applies_to_links_before_it_too() -> None:
    result, records = _analyze(
        _page(
            '<a href="early.php">Early</a><base href="https://first.example/kit/">'
            '<a href="late.php">Late</a><base href="https://second.example/">'
            '<base target="_blank"><img src="pixel.gif" width=1 height=1>'
        )
    )
    assert [r.url for r in records] == [
        "https://first.example/kit/early.php",
        "https://first.example/kit/late.php",
    ]
    assert result.facts.links == 2 and result.facts.tracking_pixels == 1


def test_relative_links_without_base_are_not_urls() -> None:
    result, records = _analyze(_page('<a href="page.html">x</a><a href="#top">top</a>'))
    assert records == []
    assert result.facts.links == 0


def test_protocol_relative_and_schemeless_www_links() -> None:
    _, records = _analyze(
        _page('<a href="//cdn.evil-host.com/a">a</a><a href="www.evil-host.com/b">b</a>')
    )
    assert [r.url for r in records] == [
        "https://cdn.evil-host.com/a",
        "http://www.evil-host.com/b",
    ]


def test_credential_form() -> None:
    result, records = _analyze(
        _page(
            '<form method="post" action="https://collect.evil-host.com/p.php">'
            '<input type="email" name="u"><input type="PassWord" name="p">'
            '<input type="submit"></form>'
        )
    )
    assert result.facts.forms == 1
    assert result.facts.password_inputs == 1
    assert [r.url for r in records] == ["https://collect.evil-host.com/p.php"]


def test_meta_refresh() -> None:
    result, records = _analyze(
        _page(
            "<p>Redirecting</p>",
            head='<meta http-equiv="Refresh" content="0; URL=\'https://next.evil-host.com/x\'">',
        )
    )
    assert result.facts.meta_refresh == "https://next.evil-host.com/x"
    assert [r.url for r in records] == ["https://next.evil-host.com/x"]


def test_meta_refresh_relative_to_base() -> None:
    result, _ = _analyze(
        _page(
            "",
            head='<base href="https://a.example.com/d/"><meta http-equiv=refresh content="3;next">',
        )
    )
    assert result.facts.meta_refresh == "https://a.example.com/d/next"


def test_iframes_and_scripts() -> None:
    result, records = _analyze(
        _page(
            '<iframe src="https://frame.evil-host.com/f" width=0 height=0></iframe>'
            '<script src="https://js.evil-host.com/kit.js"></script><script>var x = 1;</script>'
        )
    )
    assert result.facts.iframes == 1
    assert result.facts.scripts == 2
    assert [r.url for r in records] == [
        "https://frame.evil-host.com/f",
        "https://js.evil-host.com/kit.js",
    ]


def test_frameset() -> None:
    result, records = _analyze(
        '<html><frameset cols="*"><frame src="https://frame.evil-host.com/g">'
        '<frame src="https://frame.evil-host.com/h"></frameset></html>'
    )
    assert result.facts.iframes == 2
    assert [r.url for r in records] == [
        "https://frame.evil-host.com/g",
        "https://frame.evil-host.com/h",
    ]


def test_javascript_data_and_mailto_hrefs_are_not_urls() -> None:
    result, records = _analyze(
        _page(
            '<a href="  java\tscript:alert(1)">js</a>'
            '<a href="data:text/html;base64,PGgxPkhpPC9oMT4=">data</a>'
            '<a href="mailto:boss@example.com">mail</a><a href="tel:+123">call</a>'
        )
    )
    assert records == []
    assert result.facts.javascript_links == 1
    assert result.facts.data_links == 1
    assert result.facts.scripts == 0  # no <script> element
    assert result.facts.links == 0
    assert result.facts.smuggling is False  # data:text/html without download


def test_hidden_text() -> None:
    result, _ = _analyze(
        _page(
            '<div style="display: none">Secret words</div>'
            '<p>Pay<span style="font-size:0px">zz</span>Pal</p>'
            '<span style="VISIBILITY:hidden">abc <b style="display:none">nested</b></span>'
            '<i style="opacity: 0;">op</i><i style="opacity:0.5">half</i>'
            '<p hidden>attr</p><p style="font-size:0.8em">small but visible</p>'
        )
    )
    # "Secret words" 12 + "zz" 2 + "abc nested" 10 + "op" 2 + "attr" 4; nested not twice
    assert result.facts.hidden_text_chars == 30
    assert result.text == "PayPal half small but visible"


def test_visible_text_drops_scripts_styles_and_head() -> None:
    result, _ = _analyze(
        "<html><head><title>Title</title><style>p {color: red}</style></head><body>"
        "<script>var secret = 1;</script><table><tr><td>cell one</td><td>cell two</td></tr>"
        "</table><p>Hello<br>world</p><ul><li>a</li><li>b</li></ul></body></html>"
    )
    assert result.text == "cell one cell two Hello world a b"


def test_visible_text_is_bounded() -> None:
    ctx = AnalysisContext.create(AnalysisConfig(limits=Limits(max_body_text_chars=10)))
    result, _ = _analyze(_page("<p>" + "word " * 100 + "</p>"), ctx)
    assert result.text == "word word "[:10]


def test_tracking_pixels_and_external_images() -> None:
    result, _ = _analyze(
        _page(
            '<img src="https://t.evil-host.com/open.gif" width="1" height="1">'
            '<img src="https://t.evil-host.com/o2.gif" style="width:0px;height:0px">'
            '<img src="https://t.evil-host.com/o3.gif" style="display:none">'
            '<img src="https://cdn.example.com/logo.png" width="200" height="50">'
            '<img src="https://cdn.example.com/banner.png">'
            '<img src="cid:logo@local" width="1" height="1">'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="1" height="1">'
        )
    )
    assert result.facts.tracking_pixels == 3
    assert result.facts.external_images == 2


_PAYLOAD = base64.b64encode(b"MZ" + bytes(range(256)) * 20).decode()


@pytest.mark.parametrize(
    "body",
    [
        # The classic: decode, Blob, object URL, click a download link.
        "<script>var b = atob('" + _PAYLOAD[:200] + "'); var a = new Uint8Array(b.length);"
        "var blob = new Blob([a], {type: 'application/octet-stream'});"
        "var l = document.createElement('a'); l.href = window.URL.createObjectURL(blob);"
        "l.download = 'invoice.iso'; l.click();</script>",
        # Old Edge/IE path.
        "<script>var blob = new Blob([data]); window.navigator.msSaveOrOpenBlob(blob, 'a.zip');"
        "</script>",
        # A data: link with a download attribute.
        '<a href="data:application/octet-stream;base64,TVqQAAMAAAAEAAAA" download="x.exe">'
        "Get it</a>",
        # A file-type data: link even without the attribute.
        '<a href="data:application/zip;base64,UEsDBBQAAAAIAA==">Open</a>',
        # A large base64 payload inside a script.
        "<script>var p = '" + "QUJD" * 6000 + "';</script>",
        '<embed src="data:application/pdf;base64,JVBERi0xLjQ=">',
    ],
)
def test_smuggling_positive(body: str) -> None:
    result, _ = _analyze(_page(body))
    assert result.facts.smuggling is True


@pytest.mark.parametrize(
    "body",
    [
        "<script>var token = atob('aGVsbG8=');</script>",  # decoding alone builds no file
        "<script>var w = new Worker(URL.createObjectURL(new Blob(['onmessage=1'])));</script>",
        '<a href="https://cdn.example.com/report.pdf" download>Report</a>',  # a real download
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        "<script>var s = '" + "QUJD" * 1000 + "';</script>",  # 4,000 chars: not large
        "<p>Use the Blob() API and atob() to download files</p>",  # prose, not script
    ],
)
def test_smuggling_negative(body: str) -> None:
    result, _ = _analyze(_page(body))
    assert result.facts.smuggling is False


def test_display_mismatch_from_anchor() -> None:
    _, records = _analyze(
        _page(
            '<a href="https://evil-login.com/paypal">https://www.paypal.com/signin</a>'
            '<a href="https://www.paypal.com/home">paypal.com</a>'
            '<a href="https://evil-login.com/other">Click here</a>'
        )
    )
    assert [(r.url, r.mismatch) for r in records] == [
        ("https://evil-login.com/paypal", True),
        ("https://www.paypal.com/home", False),
        ("https://evil-login.com/other", False),
    ]


def test_rewritten_href_is_decoded_before_comparing() -> None:
    href = "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil-login.com%2F"
    _, records = _analyze(_page(f'<a href="{href}&amp;data=05">www.paypal.com</a>'))
    (record,) = records
    assert (record.url, record.rewriters, record.mismatch) == (
        "https://evil-login.com/",
        ("safelinks",),
        True,
    )


def test_sources_are_recorded() -> None:
    _, records = _analyze(_page('<a href="https://a.example.com/">a</a>'), None, "attachment:x.htm")
    assert records[0].sources == ("attachment:x.htm",)


def test_empty_html() -> None:
    result, records = _analyze("   ")
    assert result == HtmlAnalysis(HtmlFacts(), "")
    assert records == []


@pytest.mark.parametrize(
    "hostile",
    [
        "<" * 100_000,
        "<a href='" + "x" * 100_000,
        "<div>" * 20_000 + "deep" + "</div>" * 20_000,
        '\x00\ud800<a href="https://x.example.com/\udcff">\x00</a>',
        "<script>" + "A" * 300_000 + "</script>",
        '<span style="display:none">' * 5_000 + "x",
    ],
)
def test_hostile_html_does_not_raise(hostile: str) -> None:
    result, _ = _analyze(hostile)
    assert result.facts.present is True
    assert len(result.text) <= Limits().max_body_text_chars


def test_oversized_html_is_cut_and_reported() -> None:
    ctx = AnalysisContext.create(AnalysisConfig(limits=Limits(max_html_bytes=200)))
    html = _page(
        '<a href="https://early.example.com/">a</a>'
        + "x" * 500
        + '<a href="https://late.example.com/">b</a>'
    )
    _, records = _analyze(html, ctx)
    assert [r.url for r in records] == ["https://early.example.com/"]
    assert errors.LIMIT_TEXT in [e.code for e in ctx.errors.records]


def test_url_only_written_in_the_text_is_not_a_link() -> None:
    # The shown address is the lure; only the href is where the reader is sent.
    result, records = _analyze(
        _page(
            '<p>Sign in at https://www.paypal.com/signin: <a href="https://evil-login.com/">'
            "https://www.paypal.com/signin</a></p>"
        )
    )
    assert [r.url for r in records] == ["https://evil-login.com/"]
    assert "https://www.paypal.com/signin" in result.text


def test_hidden_body_still_counts_what_is_hidden_inside() -> None:
    result, _ = _analyze(
        '<html><body style="display:none">shown <span style="font-size:0">xy</span></body></html>'
    )
    assert result.facts.hidden_text_chars == 2
    assert result.text == "shown"
