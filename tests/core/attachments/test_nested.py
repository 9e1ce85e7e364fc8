"""Nested emails are handed to the pipeline's analyser, with path and depth."""

from __future__ import annotations

from phishloop.core.model import Address, Attachment, MessageInfo

EML = b"""From: Bank <alerts@bank.example>
To: victim@example.org
Subject: Verify your account
Message-ID: <1@bank.example>

Click https://nested.evil.example/verify
"""


class RecordingNested:
    def __init__(self) -> None:
        self.calls: list[tuple[bytes, str, int]] = []

    def __call__(
        self, data: bytes, path: str, depth: int
    ) -> tuple[MessageInfo | None, tuple[Attachment, ...]]:
        self.calls.append((data, path, depth))
        child = Attachment(
            filename="inner.txt",
            content_type="text/plain",
            detected_type="text/plain",
            size=1,
            md5="m",
            sha1="s",
            sha256="h",
            path=f"{path}/inner.txt",
        )
        return MessageInfo(subject="Verify your account", from_=Address("alerts@bank.example")), (
            child,
        )


def test_eml_attachment_is_analysed_by_the_nested_analyser(analyze):
    nested = RecordingNested()
    result = analyze(EML, "forwarded.eml", "message/rfc822", nested=nested)
    assert nested.calls == [(EML, "forwarded.eml", 1)]
    assert result.attachment.detected_type == "message/rfc822"
    assert result.attachment.message is not None
    assert result.attachment.message.subject == "Verify your account"
    assert [child.filename for child in result.attachment.children] == ["inner.txt"]


def test_eml_inside_a_zip_gets_its_path_and_depth(analyze, zip_of):
    nested = RecordingNested()
    analyze(zip_of({"mail/original.eml": EML}), "reports.zip", nested=nested)
    assert [(path, depth) for _, path, depth in nested.calls] == [
        ("reports.zip/mail/original.eml", 2)
    ]


def test_without_a_nested_analyser_the_email_is_noted(analyze):
    result = analyze(EML, "forwarded.eml", "message/rfc822")
    assert result.attachment.message is None
    assert any(key == "nested-email" for key, _ in result.attachment.details)


def test_text_that_is_not_an_email_is_not_nested(analyze):
    nested = RecordingNested()
    result = analyze(b"just some words\n", "notes.txt", "text/plain", nested=nested)
    assert nested.calls == []
    assert result.attachment.message is None


def test_outlook_msg_attachment(analyze, corpora):
    path = sorted((corpora / "msg_files").rglob("*.msg"))[0]
    nested = RecordingNested()
    result = analyze(path.read_bytes(), "original.msg", nested=nested)
    assert result.attachment.detected_type == "application/vnd.ms-outlook"
    assert len(nested.calls) == 1
    assert "extension-mismatch" not in result.flags
