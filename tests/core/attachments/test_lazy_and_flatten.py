"""Speed-ups that must not change results: handler modules imported on first use, and
`flattening.flatten` skipping the white background for opaque images."""

from __future__ import annotations

import io
import random
import subprocess
import sys

import pytest
from PIL import Image

from phishloop.core.attachments import analyzer, flattening


def _composited(image: Image.Image) -> Image.Image:
    """What flatten did for every image with an alpha band or a palette."""
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("L")


def _noise(rng: random.Random, mode: str, size: tuple[int, int] = (64, 48)) -> Image.Image:
    data = bytes(rng.randrange(256) for _ in range(size[0] * size[1] * len(mode)))
    return Image.frombytes(mode, size, data)


def _reloaded(image: Image.Image, fmt: str, **options: object) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    loaded = Image.open(io.BytesIO(buffer.getvalue()))
    loaded.load()
    return loaded


def test_flatten_gives_the_composited_pixels() -> None:
    rng = random.Random(11)
    for _ in range(20):
        translucent = _noise(rng, "RGBA")
        opaque = translucent.copy()
        opaque.putalpha(255)
        palette = _noise(rng, "RGB").quantize(colors=rng.choice([2, 16, 256]))
        samples = [
            translucent,
            opaque,
            palette,
            _reloaded(palette, "PNG"),
            _reloaded(palette, "PNG", transparency=rng.randrange(2)),
            _reloaded(palette, "GIF"),
        ]
        short_palette = Image.frombytes(
            "P", (40, 30), bytes(rng.randrange(256) for _ in range(1200))
        )
        short_palette.putpalette(bytes(rng.randrange(256) for _ in range(3 * 20)))
        short_palette.info["transparency"] = bytes(rng.randrange(256) for _ in range(12))
        samples.append(short_palette)  # indices past the palette's end, per-entry alpha
        for image in samples:
            flat = flattening.flatten(image)
            assert flat.mode == "L"
            assert flat.tobytes() == _composited(image).tobytes(), image.mode


def test_opaque_images_skip_the_composite() -> None:
    opaque = Image.new("RGBA", (30, 30), (10, 20, 30, 255))
    assert flattening._opaque(opaque)
    opaque.putpixel((3, 3), (0, 0, 0, 254))
    assert not flattening._opaque(opaque)
    assert not flattening._opaque(_reloaded(Image.new("P", (30, 30)), "PNG", transparency=0))


@pytest.mark.parametrize("kind", sorted(analyzer._HANDLERS))
def test_every_handler_resolves(kind: str) -> None:
    handler = analyzer._handler_for(kind)
    assert callable(handler)
    module, name = analyzer._HANDLERS[kind]
    assert handler.__name__ == name and handler.__module__.endswith(f".{module}")


def test_unknown_kinds_have_no_handler() -> None:
    assert analyzer._handler_for("executable") is None
    assert analyzer._handler_for("no-such-kind") is None


def test_the_pipeline_imports_no_document_library_before_it_needs_one() -> None:
    code = (
        "import sys, phishloop.core.pipeline;"
        "print(','.join(sorted(m for m in ('pypdf', 'pypdfium2', 'py7zr', 'rarfile',"
        " 'oletools', 'msoffcrypto', 'zxingcpp') if m in sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert loaded == ""
