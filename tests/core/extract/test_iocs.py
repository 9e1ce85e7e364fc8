"""Indicators found in text and collected from a whole message, normalised and deduplicated."""

from __future__ import annotations

import hashlib

import pytest

from phishloop.core import errors
from phishloop.core.config import AnalysisConfig, Limits
from phishloop.core.context import AnalysisContext
from phishloop.core.extract.iocs import collect_indicators, text_indicators
from phishloop.core.model import (
    Address,
    Attachment,
    Indicator,
    MessageInfo,
    ReceivedHop,
    UrlRecord,
)

MD5 = hashlib.md5(b"x").hexdigest()
SHA1 = hashlib.sha1(b"x").hexdigest()
SHA256 = hashlib.sha256(b"x").hexdigest()


def found(text: str) -> set[tuple[str, str]]:
    return {(i.type, i.value) for i in text_indicators(text, AnalysisContext.create())}


def test_addresses_and_hashes_in_text() -> None:
    text = (
        f"Your payment failed. Contact Billing.Dept@Secure-Pay.example.com or visit 8.8.8.8.\n"
        f"Server: [2001:4860:4860::8888] md5={MD5}; sha1 {SHA1.upper()} sha256:{SHA256}"
    )
    assert found(text) == {
        ("email", "billing.dept@secure-pay.example.com"),
        ("ip", "8.8.8.8"),
        ("ip", "2001:4860:4860::8888"),
        ("md5", MD5),
        ("sha1", SHA1),
        ("sha256", SHA256),
    }


@pytest.mark.parametrize(
    "text",
    [
        "running version 1.2.3.4 of the agent",
        "Build: 8.8.8.8 released",
        "printer at 192.168.1.20 and loopback 127.0.0.1, docs 203.0.113.5",
        "part 1.2.3.4.5 and 10.0.19041.1",
        "octets 300.1.1.1",
        "meeting at 12:30:45, MAC 00:1a:2b:3c:4d:5e",
        "Message-ID: <CAF12345678901234567@mail.gmail.com>",
        "In-Reply-To: <abc@mail.example.com>",
        "src=cid:image001.png@01D8A1B2.C3D4E5F0",
        "icon at logo@2x.png and user@localhost",
        "ref 20230101120000123456.789012@mailer.example.com",
        f"{MD5}00",  # part of a longer hex run
        f"x{MD5}",  # glued to a word
        "0123456789" * 4,  # digits only: a number
        "abcdefabcdefabcdefabcdefabcdefab",  # letters only
        "AbCdEf0123456789AbCdEf0123456789",  # mixed case: an identifier
        f"https://tracker.example/open/{SHA256}?u=bob@corp.example&ip=8.8.8.8",
        f"www.example.com/{MD5}",
    ],
)
def test_noise_is_skipped(text: str) -> None:
    assert found(text) == set()


def test_values_are_normalised_and_deduplicated() -> None:
    text = "Mail BOB@Example.COM or bob@example.com; IPv6 2001:DB8:0:0:0:0:0:1 vs 2606:4700::1111."
    values = text_indicators(text, AnalysisContext.create())
    assert values == [Indicator("ip", "2606:4700::1111"), Indicator("email", "bob@example.com")]


def test_text_scan_is_bounded() -> None:
    config = AnalysisConfig(limits=Limits(max_text_scan_bytes=100))
    ctx = AnalysisContext.create(config)
    text = "a" * 90 + " 8.8.8.8 " + "b" * 1000 + " 1.1.1.1"
    assert text_indicators(text, ctx) == [Indicator("ip", "8.8.8.8")]
    assert [record.code for record in ctx.errors.records] == [errors.LIMIT_TEXT]


@pytest.mark.parametrize(
    "text",
    ["", "@" * 5000, ":" * 5000, "." * 5000, "1." * 5000, "a@" * 5000, "\udcff@\udcfe.com"],
)
def test_hostile_text_never_raises(text: str) -> None:
    assert isinstance(text_indicators(text, AnalysisContext.create()), list)


def attachment(name: str, content: bytes, *children: Attachment) -> Attachment:
    return Attachment(
        filename=name,
        content_type="application/octet-stream",
        detected_type="application/octet-stream",
        size=len(content),
        md5=hashlib.md5(content).hexdigest(),
        sha1=hashlib.sha1(content).hexdigest(),
        sha256=hashlib.sha256(content).hexdigest(),
        children=children,
    )


def url(value: str, host: str | None) -> UrlRecord:
    return UrlRecord(
        url=value, original=value, host=host, registered_domain=None, sources=("html",)
    )


def test_collect_indicators_from_a_message() -> None:
    inner = attachment("invoice.exe", b"MZ payload")
    archive = attachment("invoice.zip", b"PK zip", inner)
    message = MessageInfo(
        from_=Address("Billing@Pay-Secure.example.co.uk", "Billing"),
        sender=Address("bulk@esp.example"),
        reply_to=(Address("collect@gmail.com"),),
        return_path="bounce+123@esp.example",
        to=(Address("victim@corp.example"),),
    )
    hops = (
        ReceivedHop(index=0, from_ip="10.0.0.5", from_host="pc"),
        ReceivedHop(index=1, from_ip="185.220.101.4", from_host="relay.example"),
        ReceivedHop(index=2, from_ip="185.220.101.4", from_host="relay.example"),
    )
    urls = (
        url("https://Login.Pay-Secure.example.co.uk/verify?id=1", "login.pay-secure.example.co.uk"),
        url("http://185.234.72.10:8080/a.exe", "185.234.72.10"),
        url("mailto:Refunds%40pay-desk.com,x@y.org?subject=hi", None),
    )
    indicators = collect_indicators(
        message=message,
        urls=urls,
        attachments=(archive,),
        hops=hops,
        body_text="Call us, or write to help@pay-secure.example.co.uk. Ref 9.9.9.9",
        ctx=AnalysisContext.create(),
    )
    pairs = [(i.type, i.value) for i in indicators]
    assert len(pairs) == len(set(pairs))
    expected = {
        ("email", "billing@pay-secure.example.co.uk"),
        ("domain", "pay-secure.example.co.uk"),
        ("email", "bulk@esp.example"),
        ("email", "collect@gmail.com"),
        ("domain", "gmail.com"),
        ("email", "bounce+123@esp.example"),
        ("url", "https://login.pay-secure.example.co.uk/verify?id=1"),
        ("domain", "login.pay-secure.example.co.uk"),
        ("url", "http://185.234.72.10:8080/a.exe"),
        ("ip", "185.234.72.10"),
        ("ip", "185.220.101.4"),
        ("md5", archive.md5),
        ("sha1", inner.sha1),
        ("sha256", inner.sha256),
        ("email", "help@pay-secure.example.co.uk"),
        ("email", "refunds@pay-desk.com"),
        ("domain", "pay-desk.com"),
        ("email", "x@y.org"),
        ("ip", "9.9.9.9"),
    }
    assert expected <= set(pairs)
    assert ("ip", "10.0.0.5") not in pairs
    assert ("email", "victim@corp.example") not in pairs  # recipients are not indicators
    assert len([p for p in pairs if p[0] in {"md5", "sha1", "sha256"}]) == 6


def test_collect_indicators_of_an_empty_message() -> None:
    indicators = collect_indicators(
        message=MessageInfo(return_path="<>"),
        urls=(),
        attachments=(),
        hops=(),
        body_text="",
        ctx=AnalysisContext.create(),
    )
    assert indicators == ()
