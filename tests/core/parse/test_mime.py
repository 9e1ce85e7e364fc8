"""parse_message / part_payload / decode_text on small hand-written messages."""

from __future__ import annotations

import base64

from phishloop.core.parse.mime import decode_text, parse_message, part_payload

ALTERNATIVE = b"""From: Alice <alice@example.com>
To: bob@example.org
Subject: Hello
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 plain
--alt
Content-Type: text/html; charset=utf-8

<p>Caf\xc3\xa9 <a href="https://example.net/x">html</a></p>
--alt--
--outer
Content-Type: image/png; name="logo.png"
Content-Disposition: inline; filename="logo.png"
Content-ID: <logo@x>
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--outer
Content-Type: text/plain; name="notes.txt"
Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.txt

not body
--outer
Content-Type: application/octet-stream
Content-Disposition: attachment; filename="=?utf-8?B?Li5cLi5cZXZpbC5leGU=?="

MZ
--outer--
"""


def test_bodies_and_attachments_are_separated(ctx):
    parsed = parse_message(ALTERNATIVE, ctx)
    assert parsed.raw == ALTERNATIVE
    assert parsed.text_body.strip() == "Café plain"
    assert 'href="https://example.net/x"' in parsed.html_body and "Café" in parsed.html_body
    assert [a.content_type for a in parsed.attachments] == [
        "image/png",
        "text/plain",
        "application/octet-stream",
    ]
    logo, notes, exe = parsed.attachments
    assert (logo.path, logo.depth, logo.disposition) == ("2", 1, "inline")
    assert logo.content_id == "logo@x"
    assert part_payload(logo, ctx) == base64.b64decode("iVBORw0KGgo=")
    assert notes.filename == "résumé.txt" and notes.disposition == "attachment"
    assert exe.filename == "evil.exe"  # RFC 2047-decoded, path components stripped
    assert [name for name, _ in parsed.headers][:3] == ["From", "To", "Subject"]
    assert ctx.errors.records == ()


def test_embedded_message_is_an_attachment_with_its_exact_bytes(ctx):
    inner = b"From: mallory@evil.test\nSubject: inner\nContent-Type: text/plain\n\nclick me\n"
    data = (
        b"From: a@example.com\nSubject: FW: x\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee "
        b"attached\n--b\nContent-Type: message/rfc822\n\n" + inner + b"--b--\n"
    )
    parsed = parse_message(data, ctx)
    assert parsed.text_body.strip() == "see attached"  # the inner body is not the wrapper's
    (part,) = parsed.attachments
    assert part.content_type == "message/rfc822"
    assert part_payload(part, ctx) == inner.rstrip(b"\n")
    assert not part.part.is_multipart()  # not walked into


def test_base64_encoded_embedded_message(ctx):
    inner = b"From: x@y.test\nSubject: s\n\nbody\n"
    data = (
        b"From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
        b"--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(inner)
        + b"--b--\n"
    )
    (part,) = parse_message(data, ctx).attachments
    assert part_payload(part, ctx) == inner


def test_thousand_level_nesting_is_cut_without_recursion_error(make_ctx, error_codes):
    depth = 1000
    data = [b"From: a@b.test\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b0\n\n"]
    data += [
        b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (i - 1, i)
        for i in range(1, depth)
    ]
    data.append(b"--b%d\nContent-Type: text/plain\n\ndeepest\n" % (depth - 1))
    data += [b"--b%d--\n" % i for i in reversed(range(depth))]
    context = make_ctx(max_mime_depth=40)
    parsed = parse_message(b"".join(data), context)
    assert "limit.mime-depth" in error_codes(context)
    (opaque,) = parsed.attachments
    assert opaque.depth == 40 and opaque.content_type == "multipart/mixed"
    assert b"deepest" in part_payload(opaque, context)


def test_ten_thousand_parts_stop_at_the_part_limit(make_ctx, error_codes):
    parts = b"".join(
        b"--B\nContent-Type: application/octet-stream\n\nx%d\n" % i for i in range(10_000)
    )
    data = b"From: a@b.test\nContent-Type: multipart/mixed; boundary=B\n\n" + parts + b"--B--\n"
    context = make_ctx(max_parts=500, max_attachments=10_000)
    parsed = parse_message(data, context)
    assert "limit.parts" in error_codes(context)
    assert len(parsed.attachments) == 499  # the root counts as one part


def test_attachment_limit(make_ctx, error_codes):
    parts = b"".join(b"--B\nContent-Type: image/gif\n\nx\n" for _ in range(20))
    data = b"From: a@b.test\nContent-Type: multipart/mixed; boundary=B\n\n" + parts + b"--B--\n"
    context = make_ctx(max_attachments=5)
    assert len(parse_message(data, context).attachments) == 5
    assert "limit.attachments" in error_codes(context)


def test_message_size_limit_analyses_the_first_bytes(make_ctx, error_codes):
    data = b"From: a@b.test\nSubject: big\n\n" + b"A" * 5000
    context = make_ctx(max_message_bytes=1000)
    parsed = parse_message(data, context)
    assert "limit.message-size" in error_codes(context)
    assert parsed.raw == data[:1000] and len(parsed.text_body) < 1000


def test_header_limit(make_ctx, error_codes):
    data = b"".join(b"X-H%d: v\n" % i for i in range(50)) + b"\nbody"
    context = make_ctx(max_headers=10)
    assert len(parse_message(data, context).headers) == 10
    assert "limit.headers" in error_codes(context)


def test_empty_and_garbage_input_still_give_a_result(ctx, make_ctx, error_codes):
    empty = parse_message(b"", ctx)
    assert error_codes(ctx) == ["input.empty"] and empty.headers == []
    context = make_ctx()
    garbage = parse_message(b"%PDF-1.4\n\x00\x01\x02 binary stuff\n", context)
    assert "input.not-email" in error_codes(context)
    assert garbage.headers == [] and garbage.attachments == []


def test_leading_bom_and_blank_lines_do_not_hide_headers(ctx):
    parsed = parse_message(b"\xef\xbb\xbf\r\n\r\nFrom: a@b.test\r\nSubject: s\r\n\r\nhi\r\n", ctx)
    assert [n for n, _ in parsed.headers] == ["From", "Subject"]
    assert parsed.text_body.strip() == "hi"


def test_broken_base64_is_repaired_and_recorded(ctx, error_codes):
    data = (
        b"From: a@b.test\nContent-Type: text/plain; charset=utf-8\n"
        b"Content-Transfer-Encoding: base64\n\naGVsbG8gd29y!!bGQ\n"
    )
    parsed = parse_message(data, ctx)
    assert parsed.text_body.startswith("hello wor")
    assert "mime.decode" in error_codes(ctx)


def test_bad_and_bogus_charsets_fall_back(ctx, make_ctx, error_codes):
    bogus = b"From: a@b.test\nContent-Type: text/plain; charset=x-no-such-charset\n\nna\xc3\xafve\n"
    assert parse_message(bogus, ctx).text_body.strip() == "naïve"
    assert "mime.charset" in error_codes(ctx)
    context = make_ctx()
    wrong = b"From: a@b.test\nContent-Type: text/plain; charset=utf-8\n\nna\xefve \xe9t\xe9\n"
    assert "na\ufffdve" in parse_message(wrong, context).text_body
    assert "mime.charset" in error_codes(context)
    latin = b"From: a@b.test\nContent-Type: text/plain; charset=iso-8859-1\n\n\xe9t\xe9 \x80\n"
    quiet = make_ctx()
    assert parse_message(latin, quiet).text_body.strip() == "été €"
    assert error_codes(quiet) == []


def test_decode_text_undeclared_8bit(ctx):
    assert decode_text("Grüße".encode(), None, ctx) == "Grüße"
    assert decode_text("Grüße".encode("cp1252"), None, ctx) == "Grüße"
    assert decode_text(b"\x1b$B$3$s$K$A$O\x1b(B", "iso-2022-jp", ctx) == "こんにちは"


def test_mime_defects_are_summarised(ctx):
    data = (
        b"From: a@b.test\nContent-Type: multipart/mixed; boundary=zz\n\n"
        b"--zz\nContent-Type: text/plain\n\nunterminated\n"
    )
    parse_message(data, ctx)
    defects = [r.message for r in ctx.errors.records if r.code == "mime.defect"]
    assert any("CloseBoundaryNotFoundDefect" in m for m in defects)
