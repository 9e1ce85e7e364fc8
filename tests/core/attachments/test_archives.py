"""Containers: zip, gzip/bzip2/xz, tar, 7z and rar, built in memory by the tests."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import struct
import tarfile
import zipfile
import zlib

import py7zr
import pytest

from phishloop.core.config import Limits

URL_TEXT = b"Please log in at https://login.evil.example/verify now.\n"


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _7z(members: dict[str, bytes], password: str | None = None, headers: bool = False) -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", password=password, header_encryption=headers) as archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return buffer.getvalue()


def _rar_block(kind: int, flags: int, body: bytes, data: bytes = b"") -> bytes:
    """One RAR 1.5-4.x block: CRC16 (low bits of CRC32) over type..end of header."""
    header = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
    crc = zlib.crc32(header) & 0xFFFF
    return struct.pack("<H", crc) + header + data


def _rar(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """RAR4 archive; members are (name, data, method, extra flags). Method 0x30 = stored."""
    out = b"Rar!\x1a\x07\x00" + _rar_block(0x73, 0, b"\x00" * 6)
    for name, data, method, flags in members:
        encoded = name.encode()
        body = (
            struct.pack(
                "<IIBIIBBHI",
                len(data),
                len(data),
                2,
                zlib.crc32(data),
                0,
                29,
                method,
                len(encoded),
                0x20,
            )
            + encoded
        )
        out += _rar_block(0x74, 0x8000 | flags, body, data)
    return out + _rar_block(0x7B, 0x4000, b"")


def test_zip_members_are_extracted_hashed_and_scanned(analyze, zip_of):
    payload = b"MZ" + b"\x00" * 200
    result = analyze(zip_of({"docs/readme.txt": URL_TEXT, "invoice.pdf.exe": payload}), "outer.zip")
    assert "archive" in result.flags
    member = result.find("invoice.pdf.exe")
    assert member.sha256 == hashlib.sha256(payload).hexdigest()
    assert member.md5 == hashlib.md5(payload).hexdigest()
    assert member.size == len(payload)
    assert {"executable", "double-extension"} <= set(member.flags)
    assert member.path == "outer.zip/invoice.pdf.exe"
    record = result.url("https://login.evil.example/verify")
    assert "attachment:outer.zip/docs/readme.txt" in record.sources


def test_zip_in_zip_is_opened_recursively(analyze, zip_of):
    inner = zip_of({"deep.txt": URL_TEXT})
    result = analyze(zip_of({"inner.zip": inner}), "outer.zip")
    assert result.find("deep.txt").path == "outer.zip/inner.zip/deep.txt"
    assert "archive" in result.find("inner.zip").flags


def test_zip_without_members_is_not_flagged_as_anything_but_archive(analyze, zip_of):
    result = analyze(zip_of({}), "empty.zip")
    assert result.flags == ("archive",)
    assert result.attachment.children == ()


@pytest.mark.parametrize(
    ("compress", "name", "inner"),
    [
        (gzip.compress, "logs.txt.gz", "logs.txt"),
        (bz2.compress, "logs.txt.bz2", "logs.txt"),
        (lzma.compress, "logs.txt.xz", "logs.txt"),
    ],
)
def test_single_stream_compressors(analyze, compress, name, inner):
    result = analyze(compress(URL_TEXT), name)
    assert "archive" in result.flags
    assert result.find(inner).sha256 == hashlib.sha256(URL_TEXT).hexdigest()
    assert result.url("https://login.evil.example/verify")


@pytest.mark.parametrize(
    ("compress", "name"),
    [
        (lambda d: d, "bundle.tar"),
        (gzip.compress, "bundle.tar.gz"),
        (gzip.compress, "bundle.tgz"),
        (bz2.compress, "bundle.tar.bz2"),
        (lzma.compress, "bundle.tar.xz"),
    ],
)
def test_tar_and_compressed_tar(analyze, compress, name):
    result = analyze(compress(_tar({"a/run.js": b"WScript.Echo(1)", "b.txt": URL_TEXT})), name)
    assert "executable" in result.find("a/run.js").flags
    assert result.find("b.txt").size == len(URL_TEXT)
    assert any(node.detected_type == "application/x-tar" for node in result.walk())


def test_7z_members_are_extracted(analyze):
    result = analyze(_7z({"note.txt": URL_TEXT, "tool.exe": b"MZ" + b"\x00" * 100}), "a.7z")
    assert result.attachment.detected_type == "application/x-7z-compressed"
    assert "archive" in result.flags
    assert result.find("note.txt").sha1 == hashlib.sha1(URL_TEXT).hexdigest()
    assert "executable" in result.find("tool.exe").flags
    assert result.url("https://login.evil.example/verify")


def test_encrypted_7z_lists_names_without_content(analyze):
    result = analyze(_7z({"invoice.pdf.exe": b"MZ" + b"\x00" * 100}, password="4417"), "a.7z")
    assert "encrypted" in result.flags
    member = result.find("invoice.pdf.exe")
    assert "double-extension" in member.flags
    assert member.sha256 is None
    assert member.size == 102


def test_7z_with_encrypted_headers_is_encrypted(analyze):
    result = analyze(_7z({"x.exe": b"MZ"}, password="4417", headers=True), "a.7z")
    assert "encrypted" in result.flags
    assert result.attachment.children == ()


def test_encrypted_zip_members_are_listed(analyze, zip_of):
    data = bytearray(zip_of({"invoice.js": b"WScript.Echo(1)"}, method=zipfile.ZIP_STORED))
    # Set the "encrypted" general-purpose bit in the local and the central header (what
    # any password-protected zip carries); stdlib zipfile cannot write encrypted zips.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.index(signature) + offset
        data[position] |= 0x01
    result = analyze(bytes(data), "invoice.zip")
    assert {"archive", "encrypted"} <= set(result.flags)
    member = result.find("invoice.js")
    assert {"encrypted", "executable"} <= set(member.flags)
    assert member.sha256 is None


def test_plain_zip_is_not_encrypted(analyze, zip_of):
    assert "encrypted" not in analyze(zip_of({"a.txt": b"x"}), "a.zip").all_flags()


def test_rar_stored_member_is_read_without_any_tool(analyze):
    result = analyze(_rar([("note.txt", URL_TEXT, 0x30, 0)]), "files.rar")
    assert result.attachment.detected_type in ("application/x-rar", "application/vnd.rar")
    assert "archive" in result.flags
    assert result.find("note.txt").sha256 == hashlib.sha256(URL_TEXT).hexdigest()
    assert result.url("https://login.evil.example/verify")


def test_rar_compressed_and_encrypted_members_are_listed_only(analyze):
    result = analyze(
        _rar([("packed.exe", b"\x01" * 50, 0x33, 0), ("secret.js", b"\x02" * 40, 0x30, 0x04)]),
        "files.rar",
    )
    packed = result.find("packed.exe")
    assert {"not-extracted", "executable"} <= set(packed.flags)
    assert packed.sha256 is None
    assert packed.size == 50
    assert {"encrypted", "executable"} <= set(result.find("secret.js").flags)
    assert "encrypted" in result.flags


def test_archive_depth_limit(analyze, zip_of):
    data = zip_of({"core.txt": URL_TEXT})
    for level in range(6):
        data = zip_of({f"level{level}.zip": data})
    result = analyze(data, "deep.zip", limits=Limits(max_archive_depth=3))
    assert "limit.archive-depth" in result.error_codes()
    assert "limit-exceeded" in result.all_flags()
    assert all(node.path.count("/") <= 4 for node in result.walk())


def test_archive_member_limit(analyze, zip_of):
    members = {f"file{index}.txt": b"x" for index in range(30)}
    result = analyze(zip_of(members), "many.zip", limits=Limits(max_archive_members=5))
    assert len(result.attachment.children) == 5
    assert "limit.archive-members" in result.error_codes()
    assert "limit-exceeded" in result.flags


def test_unsupported_compression_method_is_listed_not_extracted(analyze, zip_of):
    data = bytearray(zip_of({"report.pdf.exe": b"MZ" * 100}))
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        position = data.index(signature) + offset
        data[position : position + 2] = (9).to_bytes(2, "little")  # Deflate64
    result = analyze(bytes(data), "a.zip")
    member = result.find("report.pdf.exe")
    assert {"not-extracted", "double-extension"} <= set(member.flags)
    assert "archive.parse" in result.error_codes()


def test_onenote_embedded_files_are_extracted(analyze, pe_bytes):
    header = bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3") + b"\x00" * 64
    store = bytes.fromhex("e716e3bd65261145a4c48d4d0b7a9eac")
    payload = b'<script language="VBScript">CreateObject("WScript.Shell").Run "calc"</script>'
    blob = b""
    for data in (pe_bytes, payload):
        blob += store + struct.pack("<QIQ", len(data), 0, 0) + data + b"\x00" * 8
    result = analyze(header + blob, "Invoice.one")
    assert result.attachment.detected_type == "application/onenote"
    assert "embedded-file" in result.flags
    children = result.attachment.children
    assert [child.size for child in children] == [len(pe_bytes), len(payload)]
    assert "executable" in children[0].flags
    assert children[1].detected_type == "text/html"


def test_onenote_without_embedded_files(analyze):
    data = bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3") + b"\x00" * 200
    result = analyze(data, "notes.one")
    assert result.all_flags() == set()
    assert result.attachment.children == ()
