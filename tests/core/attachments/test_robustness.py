"""Hostile and damaged input: never an exception, always a result and a recorded error."""

from __future__ import annotations

import builtins
import gzip
import io
import os
import subprocess
import tarfile

import py7zr
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from phishloop.core.context import AnalysisContext, Deadline


def _samples(zip_of) -> dict[str, bytes]:
    png = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(png, "PNG")
    seven = io.BytesIO()
    with py7zr.SevenZipFile(seven, "w") as archive:
        archive.writestr(b"hello world " * 100, "a.txt")
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w:gz") as archive:
        info = tarfile.TarInfo("a.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    docx = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    return {
        "a.zip": zip_of({"a.txt": b"hello " * 1000, "b.bin": bytes(range(256)) * 40}),
        "a.png": png.getvalue(),
        "a.7z": seven.getvalue(),
        "a.tgz": tar.getvalue(),
        "a.docx": docx,
        "a.gz": gzip.compress(b"x" * 5000),
        "a.pdf": b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n",
    }


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9])
def test_truncated_files_give_results(analyze, zip_of, cut):
    for name, data in _samples(zip_of).items():
        damaged = data[: int(len(data) * cut)]
        result = analyze(damaged, name)
        assert result.attachment.size == len(damaged)
        assert result.attachment.filename == name


def test_corrupted_zip_records_an_error(analyze, zip_of):
    data = bytearray(zip_of({"a.txt": b"hello " * 1000}))
    data[40:80] = b"\xff" * 40  # inside the compressed member
    result = analyze(bytes(data), "broken.zip")
    assert result.error_codes() & {"archive.parse", "attachment.parse"}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=2048),
    name=st.sampled_from(
        [
            "a.zip",
            "b.pdf",
            "c.docx",
            "d.png",
            "e.7z",
            "f.rar",
            "g.eml",
            "h.html",
            "i.ics",
            "j.xls",
            "k.rtf",
            "l.gz",
            "m.msg",
            None,
        ]
    ),
    prefix=st.sampled_from(
        [
            b"",
            b"PK\x03\x04",
            b"%PDF-1.7\n",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            b"Rar!\x1a\x07\x00",
            b"7z\xbc\xaf\x27\x1c",
            b"\x89PNG\r\n\x1a\n",
            b"{\\rtf1",
            b"\x1f\x8b\x08",
        ]
    ),
)
def test_random_bytes_never_raise(analyze, data, name, prefix):
    result = analyze(prefix + data, name)
    assert result.attachment.size == len(prefix) + len(data)


def test_expired_deadline_stops_the_walk(analyze, zip_of):
    ctx = AnalysisContext.create()
    ctx.deadline = Deadline(-1.0)
    result = analyze(zip_of({f"{index}.txt": b"x" for index in range(20)}), "a.zip", ctx=ctx)
    assert "limit.time" in result.error_codes()
    assert "limit-exceeded" in result.flags
    assert result.attachment.children == ()


def test_no_disk_writes_and_no_processes(analyze, zip_of, corpora, monkeypatch):
    """Every container and document type is analysed in memory: any attempt to write a
    file or start a process fails the test."""
    real_open, real_os_open = builtins.open, os.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(flag in str(mode) for flag in "wax+"):
            raise AssertionError(f"write attempted: {file}")
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise AssertionError(f"write attempted: {path}")
        return real_os_open(path, flags, *args, **kwargs)

    def no_process(*args, **kwargs):
        raise AssertionError(f"process started: {args}")

    samples = dict(_samples(zip_of))
    office = corpora / "office_attachments"
    for path in (
        "encrypted/autostart-encrypt-standardpassword.xlsm",
        "msodde/dde-test.xlsb",
        "oleobj/sample_with_lnk_file.ppt",
        "oleform/oleform-PR314.docm",
        "excel4-macros/excel4_sample_macro.slk",
        "rtfobj/issue_251.rtf",
    ):
        samples[path.rsplit("/", 1)[-1]] = (office / path).read_bytes()
    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    monkeypatch.setattr(subprocess, "Popen", no_process)
    for name, data in samples.items():
        result = analyze(data, name)
        assert "internal.error" not in result.error_codes()
        assert not any(
            "write attempted" in r.message or "process started" in r.message
            for r in result.ctx.errors.records
        ), name


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R", "a.pdf", "pdf.parse"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x02\x00\x00\x00"
            b"\x00\x00\x00\x00",
            "a.png",
            "image.parse",
        ),
        (b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 40, "a.7z", "archive.parse"),
    ],
)
def test_parse_errors_name_the_format(analyze, data, name, code):
    result = analyze(data, name)
    assert code in result.error_codes()
    assert result.attachment.size == len(data)
