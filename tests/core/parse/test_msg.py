"""Outlook .msg conversion on files of the msg_files corpus."""

from __future__ import annotations

import logging
import os

import pytest

from phishloop.core.context import AnalysisContext
from phishloop.core.parse.headers import message_info
from phishloop.core.parse.mime import parse_message, part_payload
from phishloop.core.parse.msg import msg_to_rfc822


def convert(corpora, relative, ctx):
    data = (corpora / "msg_files" / relative).read_bytes()
    rfc822 = msg_to_rfc822(data, ctx)
    assert rfc822 is not None
    return parse_message(rfc822, ctx)


def test_transport_headers_bodies_and_attachments(corpora, ctx):
    parsed = convert(
        corpora, "hughbe_collection/Sicos1977/MSGReader/EmailWith2Attachments.msg", ctx
    )
    info = message_info(parsed.headers)
    assert info.subject == "E-mail with 2 attachments"
    assert info.from_ is not None and info.from_.address.endswith("@achmea.nl")
    assert any(name.lower() == "received" for name, _ in parsed.headers)  # transport headers
    assert parsed.text_body.strip() and parsed.html_body.strip()
    names = sorted(a.filename or "" for a in parsed.attachments)
    assert names == ["Installatie handleiding.docx", "Installatiehandleiding S&I Agro.xlsx"]
    assert all(part_payload(a, ctx).startswith(b"PK") for a in parsed.attachments)


def test_headers_synthesised_from_mapi_properties(corpora, ctx):
    parsed = convert(corpora, "hughbe_collection/ctabin/jotlmsg/with-attachments-2.msg", ctx)
    info = message_info(parsed.headers)
    assert info.subject == "This is a message"
    assert info.from_ is not None and info.from_.address == "sender@jotlmsg.com"
    assert [a.filename for a in parsed.attachments] == [
        "message.txt",
        "message2.txt",
        "message3.txt",
    ]


def test_embedded_msg_becomes_message_rfc822(corpora, ctx):
    parsed = convert(
        corpora, "hughbe_collection/HiraokaHyperTools/msgreader/msgInMsgInMsg.msg", ctx
    )
    inner_part = next(a for a in parsed.attachments if a.content_type == "message/rfc822")
    assert inner_part.filename == "I have attachments!.eml"
    inner = parse_message(part_payload(inner_part, ctx), ctx)
    assert message_info(inner.headers).subject == "I have attachments!"
    assert any(a.content_type == "message/rfc822" for a in inner.attachments)  # one level deeper


def test_html_from_rtf_encapsulation(corpora, ctx):
    parsed = convert(corpora, "hughbe_collection/hughbe/hughbe_Sample.msg", ctx)
    assert "<html" in parsed.html_body.lower()


@pytest.mark.parametrize(
    "name",
    [
        "hughbe_collection/hughbe/Sample Contact.msg",
        "hughbe_collection/hughbe/Simple Task.msg",
        "hughbe_collection/aspose_email/Aspose_Email_for_Java/Note.msg",
    ],
)
def test_non_mail_items_still_give_a_result(corpora, ctx, error_codes, name):
    parsed = convert(corpora, name, ctx)
    assert "msg.not-mail" in error_codes(ctx)
    assert message_info(parsed.headers).subject


def test_garbage_is_not_a_msg(ctx, error_codes):
    assert msg_to_rfc822(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ctx) is None
    assert error_codes(ctx) == ["msg.parse"]


def test_conversion_writes_nothing_and_logs_nothing(corpora, tmp_path, capfd, caplog):
    os.chdir(tmp_path)
    caplog.set_level(logging.DEBUG)
    for path in sorted((corpora / "msg_files").rglob("*.msg"))[:15]:
        # One context per file, as the pipeline does: each message has its own time budget.
        msg_to_rfc822(path.read_bytes(), AnalysisContext.create())
    assert list(tmp_path.iterdir()) == []
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""
    assert not [r for r in caplog.records if r.name.startswith(("extract_msg", "RTFDE"))]
