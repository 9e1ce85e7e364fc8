"""Name-based flags: executable, double-extension, extension-mismatch, password-in-name."""

from __future__ import annotations

import io

import pytest
from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name",
    [
        "invoice.pdf.exe",
        "invoice.pdf          .exe",
        "Rechnung.docx.scr",
        "scan.jpg.js",
        "invoice.pdf.html",
        "photo\u202egpj.exe",
        "payment          .exe",
    ],
)
def test_double_extension_fires(analyze, pe_bytes, name):
    result = analyze(pe_bytes, name)
    assert "double-extension" in result.flags
    assert result.attachment.details  # evidence recorded


@pytest.mark.parametrize(
    "name", ["report.2023.pdf", "invoice.pdf", "archive.tar.gz.pdf", "my.photo.jpeg.pdf"]
)
def test_double_extension_does_not_fire_on_plain_dotted_names(analyze, name):
    assert "double-extension" not in analyze(PDF, name).flags


@pytest.mark.parametrize(
    "name",
    [
        "run.js",
        "a.vbs",
        "b.hta",
        "c.ps1",
        "d.lnk",
        "e.iso",
        "f.bat",
        "g.wsf",
        "h.jse",
        "i.vbe",
        "j.cmd",
        "k.scr",
        "l.msi",
        "m.jar",
    ],
)
def test_script_and_container_names_are_executable(analyze, name):
    result = analyze(b"var shell = new ActiveXObject('WScript.Shell');\n", name)
    assert "executable" in result.flags


def test_executable_content_is_executable_whatever_the_name(analyze, pe_bytes):
    result = analyze(pe_bytes, "invoice.pdf")
    assert "executable" in result.flags
    assert "extension-mismatch" in result.flags
    assert result.attachment.detected_type in (
        "application/x-dosexec",
        "application/vnd.microsoft.portable-executable",
    )


def test_text_is_not_executable(analyze):
    result = analyze(b"Hello, see you tomorrow.\n", "notes.txt")
    assert "executable" not in result.flags
    assert "extension-mismatch" not in result.flags


def test_mismatch_fires_for_zip_named_pdf(analyze, zip_of):
    result = analyze(zip_of({"a.txt": b"hello"}), "invoice.pdf")
    assert "extension-mismatch" in result.flags
    assert "archive" in result.flags


@pytest.mark.parametrize("name", ["photo.jpg", "photo.jpeg", "photo.JPG"])
def test_jpeg_names_match_jpeg_content(analyze, name):
    assert "extension-mismatch" not in analyze(_jpeg(), name).flags


def test_png_named_jpeg_is_not_a_mismatch(analyze):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buffer, "PNG")
    assert "extension-mismatch" not in analyze(buffer.getvalue(), "blob.jpg").flags


def test_pdf_named_jpeg_is_a_mismatch(analyze):
    result = analyze(PDF, "photo.jpg")
    assert "extension-mismatch" in result.flags
    assert (
        "extension-mismatch",
        ".jpg but content is application/pdf",
    ) in result.attachment.details


def test_docx_that_is_a_zip_is_not_a_mismatch(analyze, zip_of):
    docx = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    result = analyze(docx, "letter.docx")
    assert "extension-mismatch" not in result.flags
    assert "archive" not in result.flags
    assert "wordprocessingml" in result.attachment.detected_type


def test_unknown_extension_is_never_a_mismatch(analyze):
    assert "extension-mismatch" not in analyze(PDF, "document.xyz").flags


@pytest.mark.parametrize(
    "name", ["invoice_password_4417.zip", "Rechnung PW-8812.zip", "docs (pass: abc123).7z"]
)
def test_password_in_name_fires(analyze, zip_of, name):
    result = analyze(zip_of({"a.txt": b"x"}), name)
    assert "password-in-name" in result.flags


@pytest.mark.parametrize("name", ["passport.zip", "password-policy.pdf", "compass.zip"])
def test_password_in_name_does_not_fire_on_ordinary_words(analyze, zip_of, name):
    assert "password-in-name" not in analyze(zip_of({"a.txt": b"x"}), name).flags
