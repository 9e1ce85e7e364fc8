"""`analysis_to_json` hands plain dataclasses to orjson as they are; its bytes must be those
of `analysis_to_dict` written by orjson, whatever the analysis holds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import orjson

from phishloop.core.model import Header, Reason, ReceivedHop, Verdict
from phishloop.core.pipeline import analyze
from phishloop.core.serialize import analysis_to_dict, analysis_to_json
from phishloop.core.serialize_plain import float_fields

MAIL = (
    b"Received: from mx.example.net (mx.example.net [203.0.113.9]) by in.example.org"
    b" with ESMTP id 1; Tue, 1 Oct 2024 10:00:05 +0000\r\n"
    b"Received: from out.example.com ([198.51.100.7]) by mx.example.net; "
    b"Tue, 1 Oct 2024 10:00:00 +0000\r\n"
    b"From: =?utf-8?q?Ren=C3=A9?= <rene@example.com>\r\nTo: a@example.org\r\n"
    b"Subject: invoice\r\nContent-Type: text/html\r\n\r\n"
    b'<a href="https://evil.example/login">https://bank.example</a>\r\n'
)


def _reference(analysis) -> bytes:  # type: ignore[no-untyped-def]
    return orjson.dumps(analysis_to_dict(analysis))


def test_json_is_the_dict_written_by_orjson() -> None:
    [result] = analyze(MAIL, path="mail.eml")
    assert result.received and result.urls and result.verdict is not None
    assert analysis_to_json(result) == _reference(result)
    assert analysis_to_json(result, indent=True) == orjson.dumps(
        analysis_to_dict(result), option=orjson.OPT_INDENT_2
    )


def test_floats_that_need_rounding_are_rounded() -> None:
    [result] = analyze(MAIL, path="mail.eml")
    hop = replace(result.received[0], delay_seconds=1.234567)
    reason = Reason("rule", "evidence", 0.123456, "phish")
    verdict = Verdict("suspicious", "phish", 0.98765, (reason,), (("phish", 0.3333333),))
    changed = replace(result, received=(hop,), verdict=verdict, duration_ms=3.14159)
    written = analysis_to_json(changed)
    assert written == _reference(changed)
    assert b'"delay_seconds":1.235' in written and b'"weight":0.123' in written


def test_text_orjson_refuses_is_scrubbed_as_before() -> None:
    [result] = analyze(MAIL, path="mail.eml")
    changed = replace(result, headers=(Header("X-Bad", "caf\udce9"),))
    written = analysis_to_json(changed)
    assert b"X-Bad" in written and orjson.loads(written)["headers"][0]["value"] == "caf?"


def test_only_types_written_alike_go_to_orjson_as_they_are() -> None:
    assert float_fields(Header) == ()
    assert float_fields(ReceivedHop) == ("delay_seconds",)
    assert float_fields(Verdict) is None  # its scores are pairs, written as an object


def test_corpus_analyses_are_written_alike(corpora: Path) -> None:
    files = sorted((corpora / "phishing_pot" / "email").glob("*.eml"))[:60]
    files += sorted((corpora / "mime_fixtures").rglob("*.eml"))[:60]
    for path in files:
        for result in analyze(path.read_bytes(), path=str(path)):
            assert analysis_to_json(result) == _reference(result), path
