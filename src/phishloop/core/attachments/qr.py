"""QR codes in images: decoded with zxing-cpp from bounded, in-memory Pillow images.

What an image attachment holds is remembered by its SHA-256 (`qr_memory`): campaigns send
the same logo, banner or QR code to every recipient, and decoding one costs milliseconds.
"""

from __future__ import annotations

import io
import math
import warnings

import zxingcpp
from PIL import Image

from phishloop.core import errors
from phishloop.core.attachments import qr_memory
from phishloop.core.attachments.flattening import flatten
from phishloop.core.attachments.tree import Node, Walk
from phishloop.core.urls.text import extract_text_urls

# Only these decoders: Image.open would otherwise also accept EPS, whose loader runs
# Ghostscript, and a dozen formats nobody mails.
SAFE_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")
MIN_QR_SIDE = 21  # the smallest QR code is 21x21 modules
DECODE_PIXELS = 4_000_000  # larger images are scaled down first: zxing time grows with area
MAX_CODES = 10
_QR_FORMATS = zxingcpp.barcode_formats_from_str("QRCode,MicroQRCode")


def analyze_image(walk: Walk, node: Node) -> None:
    """Decode QR codes in an image attachment."""
    key = (node.sha256(), walk.ctx.limits.max_image_pixels)
    known = qr_memory.recall(key)
    if known is not None:
        _replay(walk, node, known)
        return
    image, refusal = _load(node.data, walk.ctx.limits.max_image_pixels)
    if refusal is not None:
        _refuse(walk, node, refusal)
        qr_memory.remember(key, qr_memory.Refused(refusal))
    elif image is None:
        qr_memory.remember(key, qr_memory.TOO_SMALL)
    else:
        texts = scan_image(walk, node, image, "image")
        if texts is not None:  # None: the message's scan budget was spent, nothing decoded
            qr_memory.remember(key, qr_memory.Decoded(texts))


def _replay(walk: Walk, node: Node, known: qr_memory.Outcome) -> None:
    """What `analyze_image` does for an image whose outcome is known, without decoding."""
    if isinstance(known, qr_memory.Refused):
        _refuse(walk, node, known.reason)
    elif isinstance(known, qr_memory.Decoded) and take_scan(walk):
        walk.ctx.deadline.check()
        _report(walk, node, known.texts, "image")


def open_image(walk: Walk, node: Node) -> Image.Image | None:
    """Open `node.data` as an image, refusing oversized ones before decoding any pixel."""
    image, refusal = _load(node.data, walk.ctx.limits.max_image_pixels)
    if refusal is not None:
        _refuse(walk, node, refusal)
    return image


def _load(data: bytes, limit: int) -> tuple[Image.Image | None, str | None]:
    """(image ready for zxing, None); (None, why it was refused); (None, None) when it is
    too small to hold a QR code."""
    try:
        with warnings.catch_warnings():
            # our own pixel limit applies below; Pillow's warning would only reach stderr
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=SAFE_FORMATS)
    except Image.DecompressionBombError as exc:
        return None, str(exc)
    width, height = image.size
    if min(width, height) < MIN_QR_SIDE:
        return None, None
    if width * height > limit:
        return None, f"{width}x{height} image exceeds {limit} pixels"
    factor = math.ceil(math.sqrt(width * height / DECODE_PIXELS))
    if factor > 1 and image.format == "JPEG":
        image.draft("L", (width // factor, height // factor))  # decode at reduced size
    image.load()
    flat = flatten(image)  # reduce() refuses bilevel and palette images
    if flat.width * flat.height <= DECODE_PIXELS:
        return flat, None
    return flat.reduce(math.ceil(math.sqrt(flat.width * flat.height / DECODE_PIXELS))), None


def _refuse(walk: Walk, node: Node, reason: str) -> None:
    walk.error(errors.LIMIT_IMAGES, f"{node.path}: {reason}")
    node.flag("limit-exceeded", errors.LIMIT_IMAGES, key="limit")


def take_scan(walk: Walk) -> bool:
    """Count one image scanned for QR codes; False once the message's `max_qr_images` is
    reached (counted on the context, so many small attachments share one budget)."""
    walk.ctx.qr_images += 1
    if walk.ctx.qr_images <= walk.ctx.limits.max_qr_images:
        return True
    walk.error(
        errors.LIMIT_IMAGES,
        f"more than {walk.ctx.limits.max_qr_images} images scanned for QR codes",
    )
    return False


def scan_image(walk: Walk, node: Node, image: Image.Image, origin: str) -> tuple[str, ...] | None:
    """Decode QR codes in `image`; their text goes to the URL extractor (source "qr").
    Returns the decoded texts, None when the scan budget was spent."""
    if not take_scan(walk):
        return None
    image = flatten(image)
    walk.ctx.deadline.check()
    codes = zxingcpp.read_barcodes(image, formats=_QR_FORMATS)[:MAX_CODES]
    texts = tuple(code.text[:4000] for code in codes)
    _report(walk, node, texts, origin)
    return texts


def _report(walk: Walk, node: Node, texts: tuple[str, ...], origin: str) -> None:
    for text in texts:
        node.flag("qr-code", f"{origin}: {text}", key="qr-code")
        extract_text_urls(text, walk.urls, walk.ctx, node.source, "qr")
