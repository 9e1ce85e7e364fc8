"""Zip bombs end in `limit-exceeded` and a `limit.expansion` error, with bounded memory
and bounded work (measured as bytes expanded, since tests never assert wall-clock time)."""

from __future__ import annotations

import io
import os
import struct
import tracemalloc
import zipfile

import pytest

from phishloop.core.config import Limits, MiB

ZEROS = 64 * MiB


@pytest.fixture(scope="module")
def high_ratio_zip() -> bytes:
    """One member of 64 MiB of zeros: ~64 kB compressed, a ratio of ~1000."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", bytes(ZEROS))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def nested_bomb(high_ratio_zip: bytes) -> bytes:
    """42.zip in miniature: 8 copies of 8 copies of 8 copies of the 64 MiB bomb,
    about 32 GiB once fully expanded."""
    data = high_ratio_zip
    for level in range(3):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for copy in range(8):
                archive.writestr(f"l{level}-{copy}.zip", data)
        data = buffer.getvalue()
    return data


def test_single_file_bomb_is_refused_before_expansion(analyze, high_ratio_zip):
    result = analyze(high_ratio_zip, "bomb.zip")
    assert "limit-exceeded" in result.flags
    assert "limit.expansion" in result.error_codes()
    member = result.find("zeros.bin")
    assert "limit-exceeded" in member.flags
    assert member.size == ZEROS  # declared size reported, content never expanded
    assert result.ctx.expanded_bytes < MiB


def test_nested_bomb_stops_with_bounded_memory(analyze, nested_bomb):
    tracemalloc.start()
    try:
        result = analyze(nested_bomb, "42.zip")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "limit-exceeded" in result.all_flags()
    assert "limit.expansion" in result.error_codes()
    assert result.ctx.expanded_bytes <= Limits().max_expanded_bytes
    assert peak < 8 * len(nested_bomb) + 64 * MiB


def test_streaming_cap_stops_a_bomb_whose_ratio_is_allowed(analyze, nested_bomb):
    """With the ratio check off, the byte budget alone must stop the expansion."""
    limits = Limits(max_expansion_ratio=1e9, max_expanded_bytes=100 * MiB)
    result = analyze(nested_bomb, "42.zip", limits=limits)
    assert "limit.expansion" in result.error_codes()
    assert "limit-exceeded" in result.all_flags()
    assert result.ctx.expanded_bytes <= 100 * MiB + 256 * 1024


def test_lying_declared_size_is_cut_at_the_declared_size(analyze):
    """Headers that understate the size cannot smuggle more bytes out: the stream is cut at
    the declared size, the CRC then fails, and the member is not analysed as if whole."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("small.txt", bytes(8 * MiB))
    data = bytearray(buffer.getvalue())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1000)  # uncompressed size in central dir
    struct.pack_into("<I", data, 22, 1000)  # and in the local header
    result = analyze(bytes(data), "liar.zip")
    member = result.find("small.txt")
    assert member.size <= 1000
    assert {"truncated", "not-extracted"} & set(member.flags)
    assert "archive.parse" in result.error_codes()
    assert result.ctx.expanded_bytes <= 1000


def test_budget_applies_to_incompressible_data_too(analyze):
    noise = os.urandom(3 * MiB)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.bin", noise)
        archive.writestr("b.bin", noise)
    result = analyze(buffer.getvalue(), "two.zip", limits=Limits(max_expanded_bytes=4 * MiB))
    assert "limit.expansion" in result.error_codes()
    flags = {child.filename: child.flags for child in result.attachment.children}
    assert "limit-exceeded" not in flags["a.bin"]
    assert "limit-exceeded" in flags["b.bin"]


def test_ordinary_compressible_zip_is_not_a_bomb(analyze, zip_of):
    text = b"Quarterly report, all figures in EUR.\n" * 20_000  # ratio ~100, 760 kB
    result = analyze(zip_of({"report.txt": text}), "report.zip")
    assert "limit-exceeded" not in result.all_flags()
    assert result.error_codes() == set()
    assert result.find("report.txt").size == len(text)
