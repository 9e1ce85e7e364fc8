"""Reports with attached originals: forward-as-attachment, .eml, .msg, report buttons, ARF."""

from __future__ import annotations

import base64

from phishloop.core.parse.headers import message_info
from phishloop.core.parse.mime import parse_message
from phishloop.core.parse.unwrap import find_originals

ORIGINAL = (
    b"Received: from mx.evil.example ([203.0.113.9]) by mx.corp.example\n"
    b"From: Bank <alerts@bank-secure.example>\nTo: erika@corp.example\n"
    b"Subject: Verify your account\nDate: Mon, 8 Jan 2024 10:15:00 +0100\n"
    b"Message-ID: <orig1@bank-secure.example>\n\nGo to https://bank-secure.example/x\n"
)


def report(
    subject: str,
    parts: list[tuple[str, bytes]],
    sender: str = "erika@corp.example",
    extra: str = "",
    comment: str = "Got this today, looks fishy.",
    top: str = "multipart/mixed",
) -> bytes:
    out = [
        f"From: Erika <{sender}>\nTo: abuse@corp.example\nSubject: {subject}\n"
        f"Date: Tue, 9 Jan 2024 09:00:00 +0100\n{extra}MIME-Version: 1.0\n"
        f'Content-Type: {top}; boundary="r"\n\n'
        f"--r\nContent-Type: text/plain\n\n{comment}\n".encode()
    ]
    for headers, body in parts:
        out.append(b"--r\n" + headers.encode() + b"\n\n" + body + b"\n")
    out.append(b"--r--\n")
    return b"".join(out)


RFC822 = ("Content-Type: message/rfc822", ORIGINAL)
EML_OCTET = (
    'Content-Type: application/octet-stream; name="Verify.eml"\n'
    'Content-Disposition: attachment; filename="Verify.eml"\n'
    "Content-Transfer-Encoding: base64",
    base64.encodebytes(ORIGINAL),
)


def only(originals):
    assert len(originals) == 1
    return originals[0]


def test_forward_as_attachment(ctx):
    original = only(find_originals(parse_message(report("FW: Verify", [RFC822]), ctx), ctx))
    assert original.report.format == "rfc822-attachment"
    assert original.report.fidelity == "full"
    assert original.report.reporter == "erika@corp.example"
    assert original.report.comment == "Got this today, looks fishy."
    assert original.report.date == "2024-01-09T09:00:00+01:00"
    assert original.raw is not None and original.raw.startswith(b"Received: from mx.evil")
    info = message_info(original.parsed.headers)
    assert (info.subject, info.message_id) == ("Verify your account", "<orig1@bank-secure.example>")


def test_eml_attachment_sent_as_octet_stream(ctx):
    original = only(find_originals(parse_message(report("Fwd: Verify", [EML_OCTET]), ctx), ctx))
    assert original.report.format == "eml-attachment"
    assert original.raw == ORIGINAL


def test_msg_attachment_is_converted(corpora, ctx):
    msg = (
        corpora / "msg_files/hughbe_collection/Sicos1977/MSGReader/"
        "HtmlSampleEmailWithAttachment.msg"
    ).read_bytes()
    part = (
        'Content-Type: application/vnd.ms-outlook; name="sample.msg"\n'
        'Content-Disposition: attachment; filename="sample.msg"\n'
        "Content-Transfer-Encoding: base64",
        base64.encodebytes(msg),
    )
    original = only(find_originals(parse_message(report("FW: sample", [part]), ctx), ctx))
    assert original.report.format == "msg-attachment"
    assert message_info(original.parsed.headers).subject == "HtmlSampleEmailWithAttachment"
    assert [a.filename for a in original.parsed.attachments] == ["SampleAttachment.pdf"]


def test_several_attached_originals_and_their_limit(ctx, make_ctx, error_codes):
    parts = [RFC822, EML_OCTET, RFC822]
    assert len(find_originals(parse_message(report("FW: three", parts), ctx), ctx)) == 3
    context = make_ctx(max_originals=2)
    assert len(find_originals(parse_message(report("FW: three", parts), context), context)) == 2
    assert "limit.originals" in error_codes(context)


def test_phishing_mail_carrying_an_eml_is_not_a_report(ctx):
    lure = report(
        "Your voicemail",
        [EML_OCTET],
        sender="voicemail@evil.example",
        comment="You have a new voicemail, open the attachment.",
    )
    assert find_originals(parse_message(lure, ctx), ctx) == []


def test_microsoft_report_format(ctx):
    original = only(
        find_originals(parse_message(report("3|Verify your account", [EML_OCTET]), ctx), ctx)
    )
    assert original.report.format == "microsoft-report"
    junk = only(find_originals(parse_message(report("Not junk: newsletter", [RFC822]), ctx), ctx))
    assert junk.report.format == "microsoft-report"


def test_report_button_headers(ctx):
    extra = (
        "X-PhishAlarm-Reporter: Erika Muster <erika.muster@corp.example>\n"
        "X-PhishAlarm-Format: rfc822\n"
    )
    original = only(
        find_originals(
            parse_message(
                report(
                    "Suspicious message", [RFC822], sender="phishalarm@relay.example", extra=extra
                ),
                ctx,
            ),
            ctx,
        )
    )
    assert original.report.format == "proofpoint-phishalarm"
    assert original.report.reporter == "erika.muster@corp.example"
    cofense = report("Suspicious", [RFC822], extra="X-Cofense-Reporter: 4.2\n")
    assert (
        only(find_originals(parse_message(cofense, ctx), ctx)).report.format == "cofense-reporter"
    )


def test_report_words_in_a_subject_of_their_own(ctx):
    original = only(find_originals(parse_message(report("Phishing?", [RFC822]), ctx), ctx))
    assert original.report.format == "rfc822-attachment"


def test_organisation_config(make_ctx):
    external = report("FW: Verify", [RFC822], sender="someone@partner.example")
    context = make_ctx(domains=("corp.example",))
    assert find_originals(parse_message(external, context), context) == []
    context = make_ctx(domains=("corp.example",), report_addresses=("abuse@corp.example",))
    assert len(find_originals(parse_message(external, context), context)) == 1
    internal_no_prefix = report("look at this", [RFC822])
    context = make_ctx(domains=("corp.example",))
    assert len(find_originals(parse_message(internal_no_prefix, context), context)) == 1


FEEDBACK = (
    b"Feedback-Type: abuse\nUser-Agent: SomeGenerator/1.0\nVersion: 1\n"
    b"Original-Mail-From: <alerts@bank-secure.example>\nArrival-Date: Mon, 8 Jan 2024 "
    b"10:15:00 +0100\nReported-Domain: bank-secure.example\n"
)


def test_arf_with_the_full_message(ctx):
    data = report(
        "Abuse report",
        [("Content-Type: message/feedback-report", FEEDBACK), RFC822],
        sender="fbl@isp.example",
        comment="This is an email abuse report",
        top='multipart/report; report-type="feedback-report"',
    )
    original = only(find_originals(parse_message(data, ctx), ctx))
    assert original.report.format == "arf/abuse"
    assert original.report.fidelity == "full"
    assert original.report.reporter == "fbl@isp.example"
    assert message_info(original.parsed.headers).subject == "Verify your account"


def test_arf_with_headers_only(ctx):
    headers_only = ORIGINAL.split(b"\n\n")[0]
    data = report(
        "Abuse report",
        [
            ("Content-Type: message/feedback-report", FEEDBACK),
            ("Content-Type: text/rfc822-headers", headers_only),
        ],
        sender="fbl@isp.example",
        top="multipart/report; report-type=feedback-report",
    )
    original = only(find_originals(parse_message(data, ctx), ctx))
    assert original.report.fidelity == "reconstructed" and original.raw is None
    assert message_info(original.parsed.headers).message_id == "<orig1@bank-secure.example>"


def test_dmarc_failure_reports_and_bounces_are_not_user_reports(make_ctx):
    ctx = make_ctx(domains=("corp.example",))
    failure = FEEDBACK.replace(b"abuse", b"auth-failure")
    dmarc = report(
        "DMARC failure",
        [("Content-Type: message/feedback-report", failure), RFC822],
        top="multipart/report; report-type=feedback-report",
    )
    assert find_originals(parse_message(dmarc, ctx), ctx) == []
    bounce = report(
        "Undelivered Mail Returned to Sender",
        [("Content-Type: message/delivery-status", b"Status: 5.1.1\n"), RFC822],
        sender="mailer-daemon@corp.example",
        top="multipart/report; report-type=delivery-status",
    )
    assert find_originals(parse_message(bounce, ctx), ctx) == []
