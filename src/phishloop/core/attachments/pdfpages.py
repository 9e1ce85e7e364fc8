"""The first pages of a PDF through PDFium, in memory: QR codes in embedded images, QR
codes drawn as vectors (the page rendered only when it has enough vector shapes to hold
one) and URLs written as plain text."""

from __future__ import annotations

import math

import pypdfium2
import pypdfium2.raw as pdfium_c
from PIL import Image

from phishloop.core.attachments import qr
from phishloop.core.attachments.flattening import flatten
from phishloop.core.attachments.tree import Node, Walk
from phishloop.core.urls.text import extract_text_urls

SCAN_PAGES = 2  # QR lures and their text sit on the first page or two
RENDER_PIXELS = 2_500_000  # A4 at 144 dpi: vector QR codes of ~2 cm still decode
VECTOR_QR_SEGMENTS = 120  # the smallest QR code drawn as shapes needs more path segments
MAX_IMAGES_PER_PAGE = 8
MAX_PATH_OBJECTS = 5000
MAX_TEXT_CHARS = 200_000
_FAST_RENDER = {
    "no_smoothimage": True,
    "no_smoothtext": True,
    "no_smoothpath": True,
    "draw_annots": False,
    "may_draw_forms": False,
    "grayscale": True,
}


def scan_pages(walk: Walk, node: Node) -> None:
    """Scan up to SCAN_PAGES pages (within limits.max_pdf_pages) for QR codes and collect
    their text URLs with sources attachment:<path> and pdf."""
    document = pypdfium2.PdfDocument(node.data, password="")
    try:
        pages = min(len(document), SCAN_PAGES, walk.ctx.limits.max_pdf_pages)
        text: list[str] = []
        for index in range(pages):
            walk.ctx.deadline.check()
            page = document[index]
            try:
                text.append(_page_text(page))
                _scan_page(walk, node, page, index + 1)
            finally:
                page.close()
        joined = "\n".join(text)[:MAX_TEXT_CHARS]
        extract_text_urls(joined, walk.urls, walk.ctx, node.source, "pdf")
    finally:
        document.close()


def _page_text(page: pypdfium2.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        return str(textpage.get_text_range())[:MAX_TEXT_CHARS]
    finally:
        textpage.close()


def _scan_page(walk: Walk, node: Node, page: pypdfium2.PdfPage, number: int) -> None:
    images = 0
    segments = 0
    kinds = (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH)
    for count, item in enumerate(page.get_objects(filter=kinds, max_depth=3)):
        if count > MAX_PATH_OBJECTS or walk.ctx.qr_images >= walk.ctx.limits.max_qr_images:
            return
        if isinstance(item, pypdfium2.PdfImage):
            images += 1
            if images <= MAX_IMAGES_PER_PAGE:
                _scan_embedded_image(walk, node, item, number)
        elif segments < VECTOR_QR_SEGMENTS:
            segments += max(0, pdfium_c.FPDFPath_CountSegments(item.raw))
    if segments >= VECTOR_QR_SEGMENTS and "qr-code" not in node.flags:
        _scan_rendered(walk, node, page, number)


def _scan_embedded_image(walk: Walk, node: Node, image: pypdfium2.PdfImage, number: int) -> None:
    width, height = image.get_px_size()
    if min(width, height) < qr.MIN_QR_SIDE or width * height > walk.ctx.limits.max_image_pixels:
        return
    try:
        # the bitmap's buffer belongs to PDFium and is released with the page
        picture = flatten(image.get_bitmap(render=False).to_pil())
    except Exception:  # an image PDFium cannot decode (odd colour space, damage): skip it
        return
    if picture.width * picture.height > qr.DECODE_PIXELS:
        factor = math.ceil(math.sqrt(picture.width * picture.height / qr.DECODE_PIXELS))
        picture = picture.reduce(factor)
    qr.scan_image(walk, node, picture, f"page {number} image")


def _scan_rendered(walk: Walk, node: Node, page: pypdfium2.PdfPage, number: int) -> None:
    width, height = page.get_size()
    budget = min(walk.ctx.limits.max_image_pixels, RENDER_PIXELS)
    scale = min(2.0, math.sqrt(budget / max(width * height, 1.0)))
    if min(width, height) * scale < qr.MIN_QR_SIDE:
        return
    bitmap = page.render(scale=scale, **_FAST_RENDER)
    try:
        picture: Image.Image = bitmap.to_pil()
        qr.scan_image(walk, node, picture, f"page {number}")
    finally:
        bitmap.close()
