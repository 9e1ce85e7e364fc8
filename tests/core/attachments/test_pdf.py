"""PDF attachments: link and action URLs, JavaScript/Launch, encryption, embedded files
and QR codes on pages."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from pypdf import PdfReader, PdfWriter


def build_pdf(
    catalog_extra: str = "", page_extra: str = "", objects: tuple[str, ...] = ()
) -> bytes:
    """A minimal PDF written by hand, with a correct xref table. Objects 1-3 are the
    catalog, the page tree and the page; `objects` become 4, 5, ..."""
    bodies = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] {page_extra} >>",
        *objects,
    ]
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


LINK = (
    "<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] "
    "/A << /S /URI /URI (https://pdf-link.evil.example/login) >> >>"
)


def test_link_annotation_url(analyze):
    result = analyze(build_pdf(page_extra="/Annots [4 0 R]", objects=(LINK,)), "invoice.pdf")
    record = result.url("https://pdf-link.evil.example/login")
    assert set(record.sources) == {"attachment:invoice.pdf", "pdf"}
    assert "pdf-javascript" not in result.flags
    assert "extension-mismatch" not in result.flags


def test_open_action_javascript(analyze):
    js = "<< /S /JavaScript /JS (app.launchURL\\('https://js.evil.example/p', true\\);) >>"
    result = analyze(build_pdf("/OpenAction 4 0 R", objects=(js,)), "doc.pdf")
    assert {"pdf-javascript", "autoopen"} <= set(result.flags)
    assert result.url("https://js.evil.example/p")


def test_document_level_javascript_name_tree(analyze):
    names = "<< /JavaScript << /Names [(init) 5 0 R] >> >>"
    js = "<< /S /JavaScript /JS (this.print\\(\\);) >>"
    result = analyze(build_pdf("/Names 4 0 R", objects=(names, js)), "doc.pdf")
    assert "pdf-javascript" in result.flags


def test_launch_action_in_page_additional_actions(analyze):
    launch = "<< /S /Launch /Win << /F (cmd.exe) /P (/c calc) >> >>"
    result = analyze(build_pdf(page_extra="/AA << /O 4 0 R >>", objects=(launch,)), "doc.pdf")
    assert {"pdf-javascript", "autoopen"} <= set(result.flags)
    assert any(
        key == "pdf-launch" and "cmd.exe" in value for key, value in result.attachment.details
    )


def test_open_action_uri_opens_a_site(analyze):
    uri = "<< /S /URI /URI (https://auto.evil.example/) >>"
    result = analyze(build_pdf("/OpenAction 4 0 R", objects=(uri,)), "doc.pdf")
    assert "autoopen" in result.flags
    assert "pdf-javascript" not in result.flags
    assert result.url("https://auto.evil.example/")


def test_plain_pdf_has_no_flags(analyze):
    result = analyze(build_pdf(), "plain.pdf")
    assert result.all_flags() == set()
    assert result.error_codes() == set()


def _writer_pdf(**encrypt: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if encrypt:
        writer.encrypt(**encrypt)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_password_protected_pdf_is_encrypted(analyze):
    result = analyze(_writer_pdf(user_password="4417", owner_password="x"), "statement.pdf")
    assert "encrypted" in result.flags


def test_permissions_only_pdf_is_not_encrypted(analyze):
    result = analyze(_writer_pdf(user_password="", owner_password="owner"), "statement.pdf")
    assert "encrypted" not in result.flags
    assert any(key == "pdf-encryption" for key, _ in result.attachment.details)


def test_embedded_file_is_extracted(analyze, pe_bytes):
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_attachment("update.exe", pe_bytes)
    buffer = io.BytesIO()
    writer.write(buffer)
    result = analyze(buffer.getvalue(), "notice.pdf")
    assert "embedded-file" in result.flags
    child = result.find("update.exe")
    assert "executable" in child.flags
    assert child.size == len(pe_bytes)


def _qr_image(text: str) -> Image.Image:
    image = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=6)
    return Image.fromarray(image).convert("RGB")


def test_qr_code_on_a_pdf_page(analyze):
    buffer = io.BytesIO()
    _qr_image("https://qr-in-pdf.evil.example/mfa").save(buffer, "PDF")
    result = analyze(buffer.getvalue(), "scan.pdf")
    assert "qr-code" in result.flags
    record = result.url("https://qr-in-pdf.evil.example/mfa")
    assert {"qr", "attachment:scan.pdf"} <= set(record.sources)


def test_text_url_on_a_pdf_page_is_found(analyze):
    content = b"BT /F1 12 Tf 20 150 Td (Visit https://text.evil.example/pay today) Tj ET"
    font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    stream = f"<< /Length {len(content)} >>\nstream\n{content.decode()}\nendstream"
    page = "/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>"
    data = build_pdf(page_extra=page, objects=(stream, font))
    assert PdfReader(io.BytesIO(data)).pages[0].extract_text().startswith("Visit")
    result = analyze(data, "letter.pdf")
    assert "pdf" in result.url("https://text.evil.example/pay").sources


def test_qr_code_drawn_as_vector_shapes(analyze):
    """No image at all: the code is ~300 filled rectangles, found by rendering the page."""
    modules = Image.fromarray(
        zxingcpp.create_barcode(
            "https://vector.evil.example/", zxingcpp.BarcodeFormat.QRCode
        ).to_image(scale=1)
    )
    size = 6
    rects = [
        f"{30 + x * size} {270 - (y + 1) * size} {size} {size} re"
        for y in range(modules.height)
        for x in range(modules.width)
        if modules.getpixel((x, y)) < 128
    ]
    content = ("0 g\n" + "\n".join(rects) + "\nf").encode()
    stream = f"<< /Length {len(content)} >>\nstream\n{content.decode()}\nendstream"
    result = analyze(build_pdf(page_extra="/Contents 4 0 R", objects=(stream,)), "vector.pdf")
    assert "qr-code" in result.flags
    assert ("qr-code", "page 1: https://vector.evil.example/") in result.attachment.details
