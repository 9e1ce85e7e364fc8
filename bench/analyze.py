"""Throughput and memory of `phishloop analyze` against the standard-library parse.

Both sides run as separate processes over the same files, read from disk one at a time:
- baseline: `email.message_from_bytes(data, policy=policy.default)` and a walk over all parts;
- phishloop: the real command, `phishloop analyze --json --no-verdict --no-progress FILES >
  /dev/null` (the analysis; bench/verdicts.py measures the same command with verdicts).
Rounds alternate (baseline, phishloop, baseline, ...) so machine noise hits both; the median
round is reported. Peak memory is the child's maximum resident set size.

Usage:
    python bench/analyze.py [--rounds 3] [--sets phishing_pot spamassassin_public] [--write]
`--write` records the figures in docs/benchmarks.md (section "Analysis throughput").
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("PHISHLOOP_CORPORA", REPO.parent / "shared" / "corpora"))
NOT_MAIL = {"labels.csv", "hints.csv", "SOURCES.md"}
BASELINE = """
import email, sys
from email import policy
for line in open(sys.argv[1]):
    with open(line.rstrip("\\n"), "rb") as handle:
        message = email.message_from_bytes(handle.read(), policy=policy.default)
    for part in message.walk():
        pass
"""


TARGET = 0.35  # issue 2: full analysis at >= 35 % of the baseline's messages/s


@dataclass
class Run:
    seconds: float
    max_rss_mb: float


def corpus_files(sets: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in sets:
        files += sorted(
            p for p in (CORPORA / name).rglob("*") if p.is_file() and p.name not in NOT_MAIL
        )
    return files


def timed(command: list[str]) -> Run:
    """Run a child on one core and return its wall time and peak memory."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(command, stdout=sink)
        _pin_to_one_core(process.pid)
        _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[:3]} failed with status {status}")
    return Run(elapsed, usage.ru_maxrss / 1024)


def _pin_to_one_core(pid: int) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(pid, {min(os.sched_getaffinity(0))})


ANALYSIS_ONLY = ("--no-verdict",)  # issue 2 measures the analysis; bench/verdicts.py the rest


def measure(
    files: list[Path], rounds: int, extra: tuple[str, ...] = ANALYSIS_ONLY
) -> tuple[list[Run], list[Run]]:
    """Alternate baseline and `phishloop analyze --json [extra]` runs over `files`."""
    phishloop = shutil.which("phishloop", path=str(Path(sys.executable).parent)) or "phishloop"
    with tempfile.NamedTemporaryFile("w", suffix=".lst", delete=False) as listing:
        listing.write("\n".join(map(str, files)) + "\n")
    baseline_runs, phishloop_runs = [], []
    try:
        for round_number in range(1, rounds + 1):
            baseline_runs.append(timed([sys.executable, "-c", BASELINE, listing.name]))
            phishloop_runs.append(
                timed([phishloop, "analyze", "--json", "--no-progress", *extra, *map(str, files)])
            )
            print(
                f"round {round_number}: baseline {baseline_runs[-1].seconds:.2f} s, "
                f"phishloop {phishloop_runs[-1].seconds:.2f} s",
                file=sys.stderr,
            )
    finally:
        os.unlink(listing.name)
    return baseline_runs, phishloop_runs


def report(files: list[Path], sets: list[str], baseline: list[Run], ours: list[Run]) -> str:
    count = len(files)
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    base_s = statistics.median(r.seconds for r in baseline)
    ours_s = statistics.median(r.seconds for r in ours)
    peak = max(r.max_rss_mb for r in ours)
    lines = [
        f"Files: {count} messages, {megabytes:.1f} MB ({', '.join(sets)}); "
        f"{len(ours)} alternating rounds, median shown; each side pinned to one core.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.",
        "",
        "| | messages/s | MB/s | peak RSS |",
        "|---|---|---|---|",
        f"| stdlib parse + walk (baseline) | {count / base_s:,.0f} | {megabytes / base_s:.1f} | "
        f"{max(r.max_rss_mb for r in baseline):.0f} MB |",
        f"| `phishloop analyze --json --no-verdict` | {count / ours_s:,.0f} | "
        f"{megabytes / ours_s:.1f} | "
        f"{max(r.max_rss_mb for r in ours):.0f} MB |",
        "",
        f"phishloop reaches **{base_s / ours_s:.1%}** of the baseline's messages/s "
        f"(target ≥ 35 %: {'met' if base_s / ours_s >= TARGET else 'NOT met'}; per round: "
        + ", ".join(f"{b.seconds / o.seconds:.1%}" for b, o in zip(baseline, ours, strict=True))
        + f"); peak memory {peak:.0f} MB (target < 300 MB: {'met' if peak < 300 else 'NOT met'}).",
    ]
    return "\n".join(lines)


def write_section(text: str, command: str) -> None:
    path = REPO / "docs" / "benchmarks.md"
    start, end = "<!-- bench:analyze:start -->", "<!-- bench:analyze:end -->"
    body = f"{start}\nMeasured {time.strftime('%Y-%m-%d')} with `{command}`.\n\n{text}\n{end}"
    content = path.read_text()
    before, _, rest = content.partition(start)
    _, _, after = rest.partition(end)
    path.write_text(before + body + after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sets", nargs="+", default=["phishing_pot", "spamassassin_public"])
    parser.add_argument(
        "--write", action="store_true", help="record the figures in docs/benchmarks.md"
    )
    args = parser.parse_args()
    files = corpus_files(args.sets)
    baseline, ours = measure(files, args.rounds)
    text = report(files, args.sets, baseline, ours)
    print(text)
    if args.write:
        write_section(text, "python bench/analyze.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
