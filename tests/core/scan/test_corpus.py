"""The shipped rule pack on real mail: silent on legitimate mail, and it finds the
threats it was written for."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from phishloop.core.model import Analysis
from phishloop.core.scan import CompiledRules, YaraScanner

AnalyzeWithYara = Callable[[bytes, YaraScanner], list[Analysis]]
# Legitimate mail: person-to-person, list discussion (code included), newsletters, Outlook.
LEGITIMATE = {
    "spamassassin_public": {"ham", "bulk"},
    "modern_lists": {"bulk"},
    "markup_newsletters": {"bulk", "ham"},
    "msg_files": {"ham"},
    "modern_fixtures": {"ham", "bulk"},
}
# Reported threats the pack is written for: sample -> the rule expected to match it.
THREATS = {
    "phishing_pot/email/sample-402.eml": "HTML_Smuggling_Dangerous_Download",
    "phishing_pot/email/sample-1133.eml": "JS_Decode_And_Execute",
    "phishing_pot/email/sample-1258.eml": "Phish_Password_Form_Posts_Remote",
    "phishing_pot/email/sample-896.eml": "HTML_Attachment_Auto_Redirect",
    "phishing_pot/email/sample-1213.eml": "Phish_Telegram_Bot_Exfiltration",
    "phishing_pot/email/sample-3108.eml": "Extortion_Bitcoin_Demand",
    "phishing_pot/email/sample-4411.eml": "Extortion_Bitcoin_Demand",
    "office_attachments/rtfobj/issue_251.rtf": "RTF_Equation_Editor_Object",
}


def _labelled(corpora: Path, wanted: dict[str, set[str]]) -> list[Path]:
    with (corpora / "all_labels.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return [
        corpora / row["path"]
        for row in rows
        if row["label"] in wanted.get(row["path"].split("/", 1)[0], set())
    ]


@pytest.mark.corpus
def test_shipped_pack_is_silent_on_legitimate_mail(
    corpora: Path, analyze_with_yara: AnalyzeWithYara, shipped: CompiledRules
) -> None:
    scanner = YaraScanner(shipped)
    paths = _labelled(corpora, LEGITIMATE)
    assert len(paths) > 4500
    fired = {
        f"{path.relative_to(corpora)}: {match.rule} in {match.target}"
        for path in paths
        for analysis in analyze_with_yara(path.read_bytes(), scanner)
        for match in analysis.yara
    }
    assert sorted(fired) == []


@pytest.mark.corpus
def test_shipped_pack_finds_reported_threats(
    corpora: Path, analyze_with_yara: AnalyzeWithYara, shipped: CompiledRules
) -> None:
    scanner = YaraScanner(shipped)
    for sample, rule in THREATS.items():
        [analysis] = analyze_with_yara((corpora / sample).read_bytes(), scanner)
        assert rule in {match.rule for match in analysis.yara}, sample
        assert not [e for e in analysis.errors if e.code.startswith("yara")], sample
