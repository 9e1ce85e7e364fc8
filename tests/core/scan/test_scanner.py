"""Scanning: every target kind, the time limits and the byte cap, errors never raised."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from email.message import EmailMessage

from phishloop.core.config import AnalysisConfig, Limits
from phishloop.core.context import AnalysisContext, Deadline
from phishloop.core.model import Analysis
from phishloop.core.parse.mime import parse_message
from phishloop.core.scan import YARA_ERROR, YARA_TIMEOUT, CompiledRules, YaraScanner

Compile = Callable[[str], CompiledRules]
AnalyzeWithYara = Callable[[bytes, YaraScanner], list[Analysis]]

TARGETS = """
rule In_Message { strings: $a = "X-Evil-Campaign: 7" condition: $a and target == "message" }
rule In_Text { strings: $a = "wire the money today" condition: $a and target == "body:text" }
rule In_Html { strings: $a = "<marquee>" condition: $a and target == "body:html" }
rule In_Attachment : doc {
    meta: signal = "malware" weight = 5
    strings: $a = "PAYLOAD-MARKER"
    condition: $a and target == "attachment" and extension == ".txt"
}
"""
# filesize² iterations: far beyond any one-second timeout
SLOW = (
    "rule Slow { condition: for any i in (0..filesize) :"
    " (for any j in (0..filesize) : (uint8(i) == 0x100 + j)) }"
)


def _message() -> bytes:
    msg = EmailMessage()
    msg["From"] = "a@example.org"
    msg["To"] = "b@example.org"
    msg["Subject"] = "Invoice"
    msg["X-Evil-Campaign"] = "7"
    msg.set_content("Please wire the money today.\n")
    msg.add_alternative("<p>Pay <marquee>now</marquee></p>", subtype="html")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("docs/readme.txt", "harmless text then PAYLOAD-MARKER")
    msg.add_attachment(archive.getvalue(), maintype="application", subtype="zip", filename="a.zip")
    return msg.as_bytes()


def test_each_target_kind_is_scanned(
    analyze_with_yara: AnalyzeWithYara, compile_text: Compile
) -> None:
    [analysis] = analyze_with_yara(_message(), YaraScanner(compile_text(TARGETS)))
    found = {(m.rule, m.target) for m in analysis.yara}
    assert found == {
        ("In_Message", "message"),
        ("In_Text", "body:text"),
        ("In_Html", "body:html"),
        ("In_Attachment", "attachment:a.zip/docs/readme.txt"),
    }
    [member] = [m for m in analysis.yara if m.rule == "In_Attachment"]
    assert member.namespace == "test" and member.tags == ("doc",)
    assert dict(member.meta) == {"signal": "malware", "weight": "5"}


def test_no_match_no_record(analyze_with_yara: AnalyzeWithYara, compile_text: Compile) -> None:
    rules = compile_text('rule Never { strings: $a = "not in this mail" condition: $a }')
    [analysis] = analyze_with_yara(_message(), YaraScanner(rules))
    assert analysis.yara == ()
    assert not [e for e in analysis.errors if e.code.startswith("yara")]


def test_attached_email_bodies_are_named_inside_the_attachment(compile_text: Compile) -> None:
    ctx = AnalysisContext.create()
    scan = YaraScanner(compile_text(TARGETS)).start(ctx)
    scan.scan_bodies(parse_message(_message(), ctx), within="fwd.eml")
    targets = {m.target for m in scan.matches}
    assert targets == {"attachment:fwd.eml/body:text", "attachment:fwd.eml/body:html"}


def test_a_slow_rule_times_out_into_an_error(compile_text: Compile) -> None:
    ctx = AnalysisContext.create()
    scan = YaraScanner(compile_text(SLOW), timeout_seconds=1, budget_seconds=30).start(ctx)
    scan.scan("body:text", b"a" * 100_000)
    assert scan.matches == ()
    [error] = ctx.errors.records
    assert error.code == YARA_TIMEOUT and "body:text" in error.message


def test_the_message_budget_skips_later_targets(compile_text: Compile) -> None:
    ctx = AnalysisContext.create()
    scan = YaraScanner(compile_text(SLOW), timeout_seconds=5, budget_seconds=1).start(ctx)
    scan.scan("message", b"a" * 100_000)
    scan.scan_attachment(b"b" * 10, "late.txt")
    codes = [e.code for e in ctx.errors.records]
    assert codes == [YARA_TIMEOUT, YARA_TIMEOUT]
    assert "attachment:late.txt and later skipped" in ctx.errors.records[1].message


def test_an_expired_deadline_stops_scanning(compile_text: Compile) -> None:
    ctx = AnalysisContext.create()
    ctx.deadline = Deadline(-1)
    scan = YaraScanner(compile_text(TARGETS)).start(ctx)
    scan.scan("message", b"X-Evil-Campaign: 7")
    assert scan.matches == ()
    assert [e.code for e in ctx.errors.records] == ["limit.time"]


def test_bytes_beyond_the_member_limit_are_not_scanned(compile_text: Compile) -> None:
    limits = replace(Limits(), max_member_bytes=1000)
    ctx = AnalysisContext.create(AnalysisConfig(limits=limits))
    rules = compile_text('rule Tail { strings: $a = "TAIL" condition: $a }')
    scan = YaraScanner(rules).start(ctx)
    scan.scan_attachment(b"x" * 2000 + b"TAIL", "big.bin")
    scan.scan_attachment(b"x" * 10 + b"TAIL", "small.bin")
    assert [m.target for m in scan.matches] == ["attachment:small.bin"]
    assert [e.code for e in ctx.errors.records] == ["limit.text"]


def test_a_failing_scan_is_an_error_not_an_exception(compile_text: Compile) -> None:
    class Broken:
        def match(self, **_: object) -> list[object]:
            raise RuntimeError("engine exploded")

    ctx = AnalysisContext.create()
    rules = replace(compile_text(TARGETS), compiled=Broken())
    scan = YaraScanner(rules).start(ctx)
    scan.scan("message", b"data")
    [error] = ctx.errors.records
    assert error.code == YARA_ERROR and "engine exploded" in error.message


def test_a_rule_matching_everywhere_is_recorded_once_per_target(compile_text: Compile) -> None:
    ctx = AnalysisContext.create()
    scan = YaraScanner(compile_text("rule Any { condition: true }")).start(ctx)
    for _ in range(3):
        scan.scan("message", b"m")
    scan.scan_attachment(b"a", "x/y.bin")
    assert [(m.rule, m.target) for m in scan.matches] == [
        ("Any", "message"),
        ("Any", "attachment:x/y.bin"),
    ]


def test_file_variables_describe_the_attachment(compile_text: Compile) -> None:
    rule = (
        'rule Named { condition: filename == "Invoice.HTML" and extension == ".html"'
        ' and filepath == "outer.zip/Invoice.HTML" and target == "attachment" }'
    )
    ctx = AnalysisContext.create()
    scan = YaraScanner(compile_text(rule)).start(ctx)
    scan.scan_attachment(b"<html>", "outer.zip/Invoice.HTML")
    scan.scan("message", b"<html>")
    assert [m.target for m in scan.matches] == ["attachment:outer.zip/Invoice.HTML"]
