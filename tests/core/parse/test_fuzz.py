"""Hostile bytes never make the parse layer raise."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from phishloop.core.context import AnalysisContext
from phishloop.core.parse.headers import decode_header_value, message_info, parse_addresses
from phishloop.core.parse.mime import parse_message, part_payload
from phishloop.core.parse.unwrap import find_originals

SEED = (
    b"From: a@b.test\nSubject: Fwd: =?utf-8?B?w6k=?=\nContent-Type: multipart/mixed; "
    b'boundary="x"\n\n--x\nContent-Type: text/plain; charset=utf-8\n'
    b"Content-Transfer-Encoding: base64\n\n---------- Forwarded message ---------\n--x\n"
    b"Content-Type: message/rfc822\n\nFrom: c@d.test\n\nhi\n--x--\n"
)
pieces = st.sampled_from(
    [
        b"\n",
        b"--x\n",
        b"Content-Type: multipart/mixed; boundary=x\n",
        b"=?utf-8?q?",
        b"?=",
        b"\xff\xfe",
        b": ",
        b"From: ",
        b"begin 644 a\n",
        b"Content-Transfer-Encoding: base64\n",
        b"message/rfc822",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=40), pieces), max_size=40), st.integers(0, 400))
def test_mutated_messages_never_raise(chunks, cut):
    data = SEED[:cut] + b"".join(chunks) + SEED[cut:]
    ctx = AnalysisContext.create()
    parsed = parse_message(data, ctx)
    message_info(parsed.headers)
    for part in parsed.attachments:
        part_payload(part, ctx)
    find_originals(parsed, ctx)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_header_functions_never_raise(value):
    decode_header_value(value)
    parse_addresses(value)
