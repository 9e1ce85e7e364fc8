"""Every file of the parser-robustness corpora parses without an exception."""

from __future__ import annotations

import pytest

from phishloop.core.context import AnalysisContext
from phishloop.core.parse.detect import detect_input_kind
from phishloop.core.parse.headers import decoded_headers, message_info
from phishloop.core.parse.mime import ParsedMessage, parse_message, part_payload
from phishloop.core.parse.msg import msg_to_rfc822
from phishloop.core.parse.unwrap import find_originals

pytestmark = pytest.mark.corpus


def files(root):
    return [
        p
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in ("labels.csv", "SOURCES.md")
    ]


def analyse_parse_layer(data: bytes, name: str) -> ParsedMessage:
    ctx = AnalysisContext.create()
    if detect_input_kind(data, name) == "msg":
        converted = msg_to_rfc822(data, ctx)
        data = converted if converted is not None else data
    parsed = parse_message(data, ctx)
    message_info(parsed.headers)
    decoded_headers(parsed.headers)
    for part in parsed.attachments:
        part_payload(part, ctx)
    for original in find_originals(parsed, ctx):
        message_info(original.parsed.headers)
    return parsed


def test_every_mime_fixture_parses(corpora):
    paths = files(corpora / "mime_fixtures")
    assert len(paths) >= 500
    for path in paths:
        assert isinstance(analyse_parse_layer(path.read_bytes(), path.name), ParsedMessage), path


def test_every_msg_file_converts(corpora):
    paths = files(corpora / "msg_files")
    assert len(paths) >= 100
    for path in paths:
        ctx = AnalysisContext.create()
        converted = msg_to_rfc822(path.read_bytes(), ctx)
        assert converted is not None, (path, ctx.errors.records)
        parsed = parse_message(converted, ctx)
        assert parsed.headers, path
        assert not [r for r in ctx.errors.records if r.code.startswith(("internal", "input"))]


def test_list_mail_is_never_taken_for_a_report(corpora):
    for path in files(corpora / "modern_lists") + files(corpora / "spamassassin_public"):
        ctx = AnalysisContext.create()
        assert find_originals(parse_message(path.read_bytes(), ctx), ctx) == [], path
