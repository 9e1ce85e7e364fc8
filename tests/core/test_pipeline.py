"""The pipeline as a whole: input kinds, isolation of failing steps, limits, enrichment."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from phishloop.core import pipeline
from phishloop.core.config import AnalysisConfig, Limits
from phishloop.core.enrich import IntelRecord, MemoryIntel
from phishloop.core.errors import describe_exception
from phishloop.core.model import Indicator
from phishloop.core.pipeline import analyze


def _mail(body: str = "Visit https://login.evil-example.com/a now") -> bytes:
    message = EmailMessage()
    message["From"] = "Sender <sender@example.org>"
    message["To"] = "you@example.net"
    message["Subject"] = "Test"
    message.set_content(body)
    return message.as_bytes()


def test_a_plain_email_is_not_a_report() -> None:
    [result] = analyze(_mail())
    assert result.report is None
    assert result.message.subject == "Test"
    assert [u.url for u in result.urls] == ["https://login.evil-example.com/a"]
    assert result.errors == ()


def test_a_standalone_document_is_analysed_as_an_attachment(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("invoice.pdf.exe", b"MZ" + b"\0" * 200)
    [result] = analyze(buffer.getvalue(), path=str(tmp_path / "invoice.zip"))
    assert result.errors[0].code == "input.not-email"
    [attachment] = result.attachments
    assert attachment.filename == "invoice.zip"
    assert "archive" in attachment.flags
    assert {"executable", "double-extension"} <= set(attachment.children[0].flags)
    assert result.source.size == len(buffer.getvalue())


def test_a_legacy_office_file_is_a_document_not_an_outlook_message(corpora: Path) -> None:
    document = next((corpora / "office_attachments").rglob("*.doc"))
    [result] = analyze(document.read_bytes(), path=str(document))
    assert result.attachments[0].filename == document.name
    outlook = next((corpora / "msg_files").rglob("*.msg"))
    [message] = analyze(outlook.read_bytes(), path=str(outlook))
    assert not message.attachments or message.attachments[0].filename != outlook.name


def test_intel_matches_are_attached_to_the_analysis() -> None:
    listed = IntelRecord(Indicator("domain", "evil-example.com"), "feed", category="phishing")
    [result] = analyze(_mail(), intel=MemoryIntel([listed]))
    [match] = result.intel
    assert match.source == "feed" and match.matched.value == "evil-example.com"
    [clean] = analyze(_mail("nothing to see"), intel=MemoryIntel([listed]))
    assert clean.intel == ()


def test_a_failing_step_costs_only_that_step(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("phishloop.core.message_analysis.parse_received", broken)
    [result] = analyze(_mail())
    assert result.received == ()
    assert result.urls  # later steps still ran
    assert any(e.code == "internal.error" and "boom" in e.message for e in result.errors)


def test_the_time_limit_records_an_error_and_still_returns_a_result() -> None:
    config = AnalysisConfig(limits=Limits(max_seconds=0))
    [result] = analyze(_mail(), config=config)
    assert any(e.code == "limit.time" for e in result.errors)
    assert result.source.size > 0


def test_garbage_still_yields_one_result() -> None:
    for data in (b"", b"\x00\x01\x02" * 100, b"\xff" * 10, "x\u2028y".encode()):
        [result] = analyze(data)
        assert result.errors, data


def test_an_unexpected_crash_yields_a_minimal_result(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise MemoryError("simulated")

    monkeypatch.setattr(pipeline, "parse_message", broken)
    [result] = analyze(_mail())
    assert [e.code for e in result.errors] == ["internal.error"]
    assert result.source.size == len(_mail())


def test_a_standalone_document_gives_the_same_result_every_run(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.txt", b"quarterly figures")
    data = buffer.getvalue()
    [first] = analyze(data, path=str(tmp_path / "a.zip"), verdict=False)
    [second] = analyze(data, path=str(tmp_path / "a.zip"), verdict=False)
    assert first.fingerprint.raw_sha256 == second.fingerprint.raw_sha256
    assert first.headers == second.headers


def test_error_records_carry_no_memory_addresses() -> None:
    class Opaque:
        pass

    text = describe_exception(ValueError(f"cannot read {Opaque()!r}"))
    assert text.startswith("ValueError: cannot read <")
    assert "0x" not in text
