"""Property tests: no input makes the extractors raise, and their outputs keep their shape."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from phishloop.core.config import OrganisationConfig
from phishloop.core.context import AnalysisContext
from phishloop.core.extract.auth import parse_authentication
from phishloop.core.extract.fingerprint import compute_fingerprint
from phishloop.core.extract.iocs import text_indicators
from phishloop.core.extract.received import parse_received
from phishloop.core.indicators import make_indicator
from phishloop.core.model import Address, MessageInfo

# Text built from the characters these parsers care about, plus anything else.
SYNTAX = st.sampled_from([*'()[];:=@."\\<>/ \t\r\n-_0123456789abcdefxyzABC', "\u00e9", "\udcff"])
TEXT = st.one_of(st.text(max_size=400), st.lists(SYNTAX, max_size=400).map("".join))
WORDS = st.sampled_from(
    [
        "from",
        "by",
        "with",
        "id",
        "for",
        "via",
        "spf=pass",
        "dkim=",
        "none",
        "[1.2.3.4]",
        "(2603:10b6::1)",
        "helo=x.example",
        "; Mon, 1 Jan 2024 00:00:00 +0000",
        "mx.example;",
        "header.d=a.example",
        'reason="x',
        "i=1;",
        "8.8.8.8",
        "a@b.com",
        "http://x.com/",
        "www.",
    ]
)
PHRASES = st.lists(st.one_of(WORDS, TEXT), max_size=30).map(" ".join)
ORG = OrganisationConfig(authserv_ids=("mx.example", "(none)"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Received", "received", "X"]), PHRASES), max_size=6))
def test_received_never_raises(headers: list[tuple[str, str]]) -> None:
    hops = parse_received(headers, AnalysisContext.create())
    assert [hop.index for hop in hops] == list(range(len(hops)))
    for hop in hops:
        assert hop.from_ip is None or make_indicator("ip", hop.from_ip) is not None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["Authentication-Results", "ARC-Authentication-Results", "Received-SPF"]
            ),
            PHRASES,
        ),
        max_size=5,
    )
)
def test_authentication_never_raises(headers: list[tuple[str, str]]) -> None:
    auth = parse_authentication(headers, ORG, AnalysisContext.create())
    assert auth.trusted is False or auth.authserv_id in (*ORG.authserv_ids, None)
    assert all(result.method and result.result for result in auth.results)


@settings(max_examples=300, deadline=None)
@given(PHRASES)
def test_text_indicators_never_raise(text: str) -> None:
    for indicator in text_indicators(text, AnalysisContext.create()):
        assert make_indicator(indicator.type, indicator.value) == indicator


@settings(max_examples=200, deadline=None)
@given(PHRASES, PHRASES, TEXT)
def test_fingerprint_never_raises(body: str, subject: str, html: str) -> None:
    message = MessageInfo(
        subject=subject, from_=Address(subject), to=(Address(body[:40], html[:20]),)
    )
    fingerprint = compute_fingerprint(
        raw=body.encode("utf-8", "surrogatepass"),
        message=message,
        body_text=body,
        html=html,
        urls=(),
        attachments=(),
        origin_ip=None,
        origin_host=None,
    )
    assert fingerprint.raw_sha256 is not None and len(fingerprint.raw_sha256) == 64
