"""The benchmark helpers that write docs/benchmarks.md and build the baseline table."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from baseline_table import Column, report  # noqa: E402
from benchdoc import share, write_section  # noqa: E402


def test_write_section_appends_then_replaces_only_its_text(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n<!-- bench:other:start -->\nkeep\n<!-- bench:other:end -->\n")
    write_section("eval", "first", "python bench/x.py", doc)
    appended = doc.read_text()
    assert appended.startswith("# Benchmarks") and "keep" in appended
    assert appended.rstrip().endswith("first\n<!-- bench:eval:end -->")
    write_section("eval", "second", "python bench/x.py", doc)
    write_section("eval", "second", "python bench/x.py", doc)
    text = doc.read_text()
    assert text == appended.replace("first", "second")  # idempotent, in place
    assert text.count("<!-- bench:eval:start -->") == 1


def test_baseline_table_sums_sets_and_hides_figures_a_tool_cannot_give() -> None:
    def groups(hits: int) -> dict[str, dict[str, object]]:
        ratio = {"hits": hits, "total": 10, "share": hits / 10}
        group = {"threat_recall": ratio, "bulk_as_bulk": ratio, "confusion": {"spam": {"none": 1}}}
        return {"phishing_pot": group, "spamassassin_public": group}

    ours = Column("phishloop", groups(9), 50.0, has_bulk=True)
    theirs = Column("other", groups(4), 20.0, has_bulk=False)
    text = report([ours, theirs], files=20, jobs=2, sample=None)
    assert "| threat recall: both | 90.0 % (18/20) | 40.0 % (8/20) |" in text
    assert "| bulk (spamassassin, markup) → bulk | 90.0 % (9/10) | – |" in text
    assert "| no answer (error or time-out) | 2 | 2 |" in text
    assert "SpamAssassin's own corpus" in text
    assert share(0, 0) == "–"
