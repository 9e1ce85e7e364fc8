"""URLs in calendar invitations."""

from __future__ import annotations

from phishloop.core import errors
from phishloop.core.config import AnalysisConfig, Limits
from phishloop.core.context import AnalysisContext
from phishloop.core.model import UrlRecord
from phishloop.core.urls.collector import UrlCollector
from phishloop.core.urls.ics import extract_ics_urls


def _extract(data: bytes, ctx: AnalysisContext | None = None) -> list[UrlRecord]:
    ctx = ctx or AnalysisContext.create()
    collector = UrlCollector(ctx)
    extract_ics_urls(data, collector, ctx, "attachment:invite.ics", "ics")
    return list(collector.finish())


def _calendar(*event_lines: str) -> bytes:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example//Invite//EN", "METHOD:REQUEST",
        "BEGIN:VEVENT", "UID:0f1e2d3c@example.com", "DTSTAMP:20240118T015733Z",
        "DTSTART:20240127T113000Z", "DTEND:20240127T123000Z",
        "ORGANIZER;CN=Payroll:mailto:payroll@evil-host.com",
        *event_lines,
        "END:VEVENT", "END:VCALENDAR",
    ]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode()


def test_urls_from_every_property() -> None:
    data = _calendar(
        "SUMMARY:Salary review",
        "DESCRIPTION:Review your salary at https://evil-host.com/review?a=1\\, then\\n"
        "confirm at https://conf",
        " irm.evil-host.com/x",  # a folded line
        "LOCATION:https://meet.evil-host.com/j/123",
        "URL:https://evil-host.com/event",
        "ATTACH;FMTTYPE=application/pdf:https://files.evil-host.com/salary.pdf",
        "CONFERENCE;VALUE=URI;FEATURE=VIDEO:https://video.evil-host.com/room",
        "COMMENT:Questions? www.evil-host.com/faq",
        'X-ALT-DESC;FMTTYPE=text/html:<html><body><a href="https://html.evil-host.com/a?x=1\\,2">'
        "Open payroll</a> as in https://shown.example.com/</body></html>",
    )
    records = _extract(data)
    assert {r.url for r in records} == {
        "https://evil-host.com/review?a=1",
        "https://confirm.evil-host.com/x",
        "https://meet.evil-host.com/j/123",
        "https://evil-host.com/event",
        "https://files.evil-host.com/salary.pdf",
        "https://video.evil-host.com/room",
        "http://www.evil-host.com/faq",
        "https://html.evil-host.com/a?x=1,2",
    }  # HTML text that only shows a URL is not a link (see test_html)
    assert all(r.sources == ("attachment:invite.ics", "ics") for r in records)
    anchor = next(r for r in records if r.url.startswith("https://html."))
    assert anchor.display_text == "Open payroll"


def test_teams_meeting_property() -> None:
    data = _calendar(
        "X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/19"
    )
    assert [r.url for r in _extract(data)] == ["https://teams.microsoft.com/l/meetup-join/19"]


def test_inline_binary_attachment_is_skipped() -> None:
    payload = "QUJD" * 1000
    data = _calendar(f"ATTACH;ENCODING=BASE64;VALUE=BINARY:{payload}")
    ctx = AnalysisContext.create()
    assert _extract(data, ctx) == []
    assert ctx.errors.records == ()


def test_broken_calendar_falls_back_to_a_raw_scan() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDESCRIPTION:Pay at https://evil-host.com/pay\\,now"
        b"\r\n  and https://evil-host.com/lo\r\n ng\r\n"  # never ends: icalendar rejects it
    )
    ctx = AnalysisContext.create()
    assert [r.url for r in _extract(data, ctx)] == [
        "https://evil-host.com/pay,now",
        "https://evil-host.com/long",
    ]
    assert [e.code for e in ctx.errors.records] == [errors.ICS_PARSE]


def test_garbage_is_reported_not_raised() -> None:
    ctx = AnalysisContext.create()
    assert _extract(b"\xff\xfe\x00\x00 not a calendar", ctx) == []
    assert [e.code for e in ctx.errors.records] == [errors.ICS_PARSE]


def test_bad_property_value_is_reported_and_the_rest_kept() -> None:
    data = _calendar("RRULE:FREQ=NEVER;COUNT=x", "DESCRIPTION:https://evil-host.com/a")
    data = data.replace(b"DTSTART:20240127T113000Z", b"DTSTART:not-a-date")
    ctx = AnalysisContext.create()
    assert [r.url for r in _extract(data, ctx)] == ["https://evil-host.com/a"]
    assert ctx.errors.records and all(e.code == errors.ICS_PARSE for e in ctx.errors.records)


def test_oversized_calendar_is_cut_and_scanned_raw() -> None:
    ctx = AnalysisContext.create(AnalysisConfig(limits=Limits(max_text_scan_bytes=400)))
    data = _calendar("DESCRIPTION:https://early.evil-host.com/", "COMMENT:" + "x" * 1000,
                     "URL:https://late.evil-host.com/")  # fmt: skip
    assert [r.url for r in _extract(data, ctx)] == ["https://early.evil-host.com/"]
    assert errors.LIMIT_TEXT in [e.code for e in ctx.errors.records]
