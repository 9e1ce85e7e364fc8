"""QR codes in image attachments."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
import zxingcpp
from PIL import Image

from phishloop.core.attachments import qr, qr_memory
from phishloop.core.config import Limits


def _qr(text: str, mode: str = "L", fmt: str = "PNG") -> bytes:
    matrix = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=5)
    image = Image.fromarray(matrix)
    if mode == "RGBA":  # black modules on a fully transparent background
        alpha = image.point(lambda value: 255 - value)
        image = Image.new("RGBA", image.size, (0, 0, 0, 0))
        image.putalpha(alpha)
    buffer = io.BytesIO()
    image.convert("RGB" if fmt == "JPEG" else image.mode).save(buffer, fmt)
    return buffer.getvalue()


def test_qr_url_in_png(analyze):
    result = analyze(_qr("https://qr.evil.example/login?u=1"), "scan.png", "image/png")
    assert "qr-code" in result.flags
    record = result.url("https://qr.evil.example/login?u=1")
    assert set(record.sources) == {"qr", "attachment:scan.png"}
    assert ("qr-code", "image: https://qr.evil.example/login?u=1") in result.attachment.details


def test_qr_in_jpeg(analyze):
    result = analyze(_qr("https://jpeg.evil.example/", fmt="JPEG"), "photo.jpg")
    assert "qr-code" in result.flags
    assert result.url("https://jpeg.evil.example/")


def test_qr_on_transparent_background(analyze):
    result = analyze(_qr("https://alpha.evil.example/", mode="RGBA"), "logo.png")
    assert "qr-code" in result.flags


def test_qr_with_plain_text_adds_no_url(analyze):
    result = analyze(_qr("WIFI:S:office;T:WPA;P:secret;;"), "wifi.png")
    assert "qr-code" in result.flags
    assert result.urls == ()


def test_image_without_qr(analyze):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buffer, "PNG")
    result = analyze(buffer.getvalue(), "banner.png")
    assert result.all_flags() == set()
    assert result.error_codes() == set()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous size (a decompression bomb's header)."""
    buffer = io.BytesIO()
    Image.new("L", (32, 32), 255).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


def test_oversized_image_is_refused_before_decoding(analyze):
    result = analyze(_png_claiming(60_000, 60_000), "huge.png")
    assert "limit-exceeded" in result.flags
    assert "limit.images" in result.error_codes()


def test_qr_image_budget(analyze, zip_of):
    members = {f"code{index}.png": _qr(f"https://n{index}.evil.example/") for index in range(3)}
    result = analyze(zip_of(members), "codes.zip", limits=Limits(max_qr_images=2))
    assert sum("qr-code" in node.flags for node in result.walk()) == 2
    assert "limit.images" in result.error_codes()


def _decodes(monkeypatch) -> list[int]:
    """Counts zxing calls: an image met before must not be decoded again."""
    calls: list[int] = []
    real = qr.zxingcpp.read_barcodes

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(qr.zxingcpp, "read_barcodes", counting)
    return calls


def test_an_image_met_again_gives_the_same_facts_without_decoding(analyze, monkeypatch):
    qr_memory.forget_all()
    calls = _decodes(monkeypatch)
    image = _qr("https://again.evil.example/x")
    first = analyze(image, "a.png", "image/png")
    second = analyze(image, "b.png", "image/png")
    assert len(calls) == 1
    assert second.flags == first.flags == ("qr-code",)
    assert second.attachment.details == first.attachment.details
    assert [r.url for r in second.urls] == [r.url for r in first.urls]
    assert set(second.url("https://again.evil.example/x").sources) == {"qr", "attachment:b.png"}


def test_remembered_images_still_count_against_the_scan_budget(analyze, zip_of, monkeypatch):
    qr_memory.forget_all()
    calls = _decodes(monkeypatch)
    members = {f"same{index}.png": _qr("https://same.evil.example/") for index in range(3)}
    result = analyze(zip_of(members), "codes.zip", limits=Limits(max_qr_images=2))
    assert len(calls) == 1
    assert sum("qr-code" in node.flags for node in result.walk()) == 2
    assert "limit.images" in result.error_codes()


def test_a_refused_image_is_refused_again_from_memory(analyze, monkeypatch):
    qr_memory.forget_all()
    huge = _png_claiming(60_000, 60_000)
    first = analyze(huge, "huge.png")
    monkeypatch.setattr(qr, "_load", lambda *args: pytest.fail("decoded a remembered image"))
    second = analyze(huge, "huge.png")
    assert "limit-exceeded" in second.flags and "limit.images" in second.error_codes()
    assert second.attachment.details == first.attachment.details


def test_the_memory_is_bounded() -> None:
    qr_memory.forget_all()
    for index in range(qr_memory.MAX_REMEMBERED + 50):
        qr_memory.remember((f"{index:064x}", 1), qr_memory.TOO_SMALL)
    assert qr_memory.recall((f"{0:064x}", 1)) is None  # the oldest went first
    assert qr_memory.recall((f"{qr_memory.MAX_REMEMBERED + 49:064x}", 1)) is qr_memory.TOO_SMALL
    assert len(qr_memory._outcomes) == qr_memory.MAX_REMEMBERED
    qr_memory.forget_all()
