"""The verdict engine's quality on the shared corpora, as `phishloop eval` measures it.

Runs `phishloop eval --json` over every labelled corpus file (the shipped configuration,
exactly as a user installs it), then once more over the PhishMe and spoofed-KnowBe4
samples with bench/phishme-trusted.toml (the simulation targets hold "when the sender is
configured as a trusted training source").

Usage:
    python bench/eval_corpora.py [--jobs 2] [--sets phishing_pot ...] [--config FILE] [--write]
`--write` records the tables in docs/benchmarks.md (section "eval").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchdoc import command_line, markdown_table, share, write_section
from phishloop.core.evaluate import COLUMNS
from phishloop.core.evaluate.targets import KNOWBE4_SPOOFS, PHISHME

BENCH = Path(__file__).resolve().parent
CORPORA = Path(os.environ.get("PHISHLOOP_CORPORA", BENCH.parent.parent / "shared" / "corpora"))
LABELS = CORPORA / "all_labels.csv"
SIMULATION_TARGETS = ("PhishMe training mail: simulation", "spoofed KnowBe4 mail: simulation")


def run_eval(paths: list[Path], jobs: int, config: Path | None) -> dict[str, Any]:
    phishloop = shutil.which("phishloop", path=str(Path(sys.executable).parent)) or "phishloop"
    # --unseen: the sets the shipped model trained on count only with their held-out fifth.
    command = [phishloop, "eval", "--json", "--no-progress", "--unseen", "--labels", str(LABELS)]
    command += ["--jobs", str(jobs), *(["--config", str(config)] if config else [])]
    done = subprocess.run([*command, *map(str, paths)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"phishloop eval failed ({done.returncode}): {done.stderr.strip()}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def confusion_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for group in result["groups"]:
        if group["name"] == "all":
            continue
        for label, counts in group["confusion"].items():
            right = group["correct"][label]
            cells = [str(counts[c]) if counts[c] else "·" for c in COLUMNS]
            total = sum(counts.values())
            rows.append([group["name"], label, str(total), *cells,
                         share(right["hits"], right["total"])])  # fmt: skip
    return rows


def target_rows(targets: list[dict[str, Any]], note: str = "") -> list[list[str]]:
    marks = {True: "✓", False: "✗", None: "not measured"}
    return [
        [t["name"] + note, t["goal"], share(t["measured"]["hits"], t["measured"]["total"]),
         marks[t["met"]]]
        for t in targets
    ]  # fmt: skip


def report(main: dict[str, Any], trusted: dict[str, Any] | None) -> str:
    confusion = markdown_table(["set", "label", "files", *COLUMNS, "right"], confusion_rows(main))
    shown = main["targets"]
    if trusted is not None:
        # The PhishMe target holds only "when the sender is configured as a trusted training
        # source": the shipped defaults trust no one, so only the configured run counts.
        shown = [t for t in shown if t["name"] != SIMULATION_TARGETS[0]]
    targets = target_rows(shown)
    if trusted is not None:
        chosen = [t for t in trusted["targets"] if t["name"] in SIMULATION_TARGETS]
        targets += target_rows(chosen, " — with bench/phishme-trusted.toml")
    config = main["config"] or "shipped defaults"
    header = ["target", "goal", "measured", "met"]
    return "\n\n".join([
        f"{main['files']} labelled files, {main['messages']} messages; configuration: "
        f"{config}; {main['messages_per_second']:.0f} messages/s with {main['jobs']} processes.",
        "**Targets (issue 3)**\n\n" + markdown_table(header, targets),
        "**Verdicts per set and label** (\"right\": the verdicts that count as right for the "
        "label — phish/spam: malicious, suspicious or spam; ham: clean or bulk; bulk: bulk or "
        "clean; malware/bec: malicious or suspicious)\n\n" + confusion,
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sets", nargs="+", help="only these corpus sets (default: all)")
    parser.add_argument("--config", type=Path, help="configuration (default: shipped)")
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()
    paths = [CORPORA / s for s in args.sets] if args.sets else []
    main_result = run_eval(paths, args.jobs, args.config)
    names = (*PHISHME, *KNOWBE4_SPOOFS)
    simulation_files = [CORPORA / "phishing_pot" / "email" / name for name in names]
    trusted = run_eval(simulation_files, 1, BENCH / "phishme-trusted.toml")
    text = report(main_result, trusted)
    print(text)
    if args.write:
        write_section("eval", text, command_line("bench/eval_corpora.py"))


if __name__ == "__main__":
    main()
