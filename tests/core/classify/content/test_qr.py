"""Rules: qr.* — links decoded from QR codes and the wording around them."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

LURE = (
    "Your Microsoft 365 multi-factor authentication expires today. Scan the QR code below "
    "with your phone camera to re-authenticate and keep access to your mailbox. "
    "IT Service Desk, Example Corp. This is an automated message, do not reply."
)


def _qr_png(text: str) -> bytes:
    matrix = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=5)
    buffer = io.BytesIO()
    Image.fromarray(matrix).save(buffer, "PNG")
    return buffer.getvalue()


def _with_qr(url: str) -> list[tuple[bytes, str, str]]:
    return [(_qr_png(url), "code.png", "image/png")]


def test_scan_lure(fire) -> None:
    finding = fire("qr.scan-lure", LURE, attachments=_with_qr("https://mfa-reset.example.top/x"))
    assert finding is not None
    assert "mfa-reset.example.top" in finding.evidence


def test_credential_pretext(fire) -> None:
    found = fire("qr.credential-pretext", LURE, attachments=_with_qr("https://mfa.example.top/"))
    assert found is not None


def test_unrelated_domain(fire) -> None:
    qr = _with_qr("https://login.example.top/")
    assert fire("qr.unrelated-domain", LURE, attachments=qr) is not None
    own = _with_qr("https://events.example.org/ticket/123")
    assert fire("qr.unrelated-domain", LURE, attachments=own) is None


def test_image_only(fire) -> None:
    qr = _with_qr("https://login.example.top/")
    assert fire("qr.image-only", "Scan below.", attachments=qr) is not None
    assert fire("qr.image-only", LURE, attachments=qr) is None


def test_scan_wording_without_a_qr_link_is_quiet(fire) -> None:
    assert fire("qr.scan-lure", LURE) is None
    wifi = [(_qr_png("WIFI:S:guest;T:WPA;P:secret;;"), "wifi.png", "image/png")]
    assert (
        fire("qr.scan-lure", "Scan the QR code to join the guest Wi-Fi.", attachments=wifi) is None
    )


def test_ticket_on_the_senders_own_domain_stays_weak(fire, facts, mail, rule) -> None:
    body = "Your ticket for Saturday. Show this QR code at the entrance."
    message = facts(mail(body, attachments=_with_qr("https://tickets.example.org/t/123")))
    assert rule("qr.unrelated-domain", message) is None
    assert rule("qr.credential-pretext", message) is None
