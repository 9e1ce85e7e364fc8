"""Throughput with verdicts: `phishloop analyze --json` (rules, model, intel exactly as a
user runs it) against the standard-library parse, plus the cost of the verdict alone.

The end-to-end comparison reuses bench/analyze.py (same files, same alternating rounds,
each side pinned to one core). The verdict cost is measured in-process: every message is
analysed once without a verdict, then `judge()` (rule chain + model + decision) is timed
on each analysis.

Usage:
    python bench/verdicts.py [--rounds 3] [--sets phishing_pot spamassassin_public] [--write]
`--write` records the figures in docs/benchmarks.md (section "verdicts").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from analyze import Run, corpus_files, measure  # bench/analyze.py: the shared baseline
from benchdoc import command_line, markdown_table, write_section
from phishloop.connectors.runtime.runtime import RuntimeOptions, load_runtime
from phishloop.core.classify import judge

TARGET = 0.30


def verdict_costs(files: list[Path]) -> list[float]:
    """Milliseconds of `judge()` per message, with the default runtime's model."""
    runtime = load_runtime(RuntimeOptions())
    costs = []
    for path in files:
        for analysis in runtime.analyze(path.read_bytes(), str(path), verdict=False):
            started = time.perf_counter()
            judge(analysis, runtime.config, model=runtime.model)
            costs.append((time.perf_counter() - started) * 1000)
    return costs


def report(files: list[Path], sets: list[str], baseline: list[Run], ours: list[Run],
           costs: list[float]) -> str:  # fmt: skip
    count = len(files)
    base_s = statistics.median(r.seconds for r in baseline)
    ours_s = statistics.median(r.seconds for r in ours)
    ratio = base_s / ours_s
    table = markdown_table(
        ["", "messages/s", "peak RSS"],
        [
            ["stdlib parse + walk (baseline)", f"{count / base_s:,.0f}",
             f"{max(r.max_rss_mb for r in baseline):.0f} MB"],
            ["`phishloop analyze --json` (with verdicts)", f"{count / ours_s:,.0f}",
             f"{max(r.max_rss_mb for r in ours):.0f} MB"],
        ],
    )  # fmt: skip
    p99 = statistics.quantiles(costs, n=100)[98] if len(costs) >= 100 else max(costs)
    return "\n".join([
        f"Files: {count} messages ({', '.join(sets)}); {len(ours)} alternating rounds, median "
        "shown; each side pinned to one core; configuration and model as shipped.",
        "",
        table,
        "",
        f"With verdicts phishloop reaches **{ratio:.1%}** of the baseline's messages/s "
        f"(target ≥ {TARGET:.0%}: {'met' if ratio >= TARGET else 'NOT met'}).",
        "",
        f"The verdict alone (`judge()`: rule chain, model, decision; in-process over "
        f"{len(costs)} analyses): mean {statistics.fmean(costs):.3f} ms, median "
        f"{statistics.median(costs):.3f} ms, 99th percentile {p99:.3f} ms per message.",
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sets", nargs="+", default=["phishing_pot", "spamassassin_public"])
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()
    files = corpus_files(args.sets)
    baseline, ours = measure(files, args.rounds, extra=())
    print("timing the verdict alone…", file=sys.stderr)
    text = report(files, args.sets, baseline, ours, verdict_costs(files))
    print(text)
    if args.write:
        write_section("verdicts", text, command_line("bench/verdicts.py"))


if __name__ == "__main__":
    main()
