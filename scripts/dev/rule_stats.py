"""Development aid: how often each rule fires per corpus set and label, and the verdicts.

Analyses every labelled corpus file once (cached under /tmp for fast re-runs; delete the
cache after changing the analysis core), then runs the current rule chain and decision.

    .venv/bin/python scripts/dev/rule_stats.py [--sets phishing_pot modern_lists] [--rule auth.]
        [--examples RULE] [--no-cache]
"""

from __future__ import annotations

import argparse
import csv
import os
import pickle
import sys
from collections import Counter, defaultdict
from pathlib import Path

from phishloop.core.classify.chain import run_chain
from phishloop.core.classify.decide import decide
from phishloop.core.classify.facts import Facts
from phishloop.core.config import DEFAULT_CONFIG
from phishloop.core.model import Analysis
from phishloop.core.pipeline import analyze

REPO = Path(__file__).resolve().parents[2]
CORPORA = Path(os.environ.get("PHISHLOOP_CORPORA", REPO.parent / "shared" / "corpora"))
CACHE = Path("/tmp/phishloop-analyses.pickle")


def labelled_files() -> list[tuple[str, str, Path]]:
    rows = []
    with (CORPORA / "all_labels.csv").open() as handle:
        for row in csv.DictReader(handle):
            rows.append((row["path"].split("/", 1)[0], row["label"], CORPORA / row["path"]))
    return rows


def analyses(use_cache: bool) -> list[tuple[str, str, str, Analysis]]:
    if use_cache and CACHE.exists():
        with CACHE.open("rb") as handle:
            cached: list[tuple[str, str, str, Analysis]] = pickle.load(handle)  # noqa: S301 - our own dev cache
            return cached
    out = []
    for number, (corpus, label, path) in enumerate(labelled_files()):
        if number % 1000 == 0:
            print(f"analysing {number}…", file=sys.stderr)
        for result in analyze(path.read_bytes(), path=str(path), verdict=False):
            out.append((corpus, label, str(path), result))
    with CACHE.open("wb") as handle:
        pickle.dump(out, handle)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", nargs="*")
    parser.add_argument("--rule", default="", help="only rules whose name starts with this")
    parser.add_argument("--examples", help="print paths where this rule fires")
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()
    totals: Counter[tuple[str, str]] = Counter()
    fired: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    verdicts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for corpus, label, path, analysis in analyses(not args.no_cache):
        if args.sets and corpus not in args.sets:
            continue
        key = (corpus, label)
        totals[key] += 1
        hits, _ = run_chain(Facts(analysis, DEFAULT_CONFIG), DEFAULT_CONFIG.rules)
        verdicts[key][decide(hits, DEFAULT_CONFIG.verdict, None).category] += 1
        for hit in hits:
            fired[hit.rule][key] += 1
            if args.examples and hit.rule == args.examples:
                print(f"{path}\t{hit.evidence}")
    keys = sorted(totals)
    print("rule".ljust(34) + "".join(f"{c[:10]}/{l[:5]}".rjust(18) for c, l in keys))
    print("(messages)".ljust(34) + "".join(str(totals[k]).rjust(18) for k in keys))
    for rule in sorted(fired):
        if rule.startswith(args.rule):
            cells = "".join(f"{100 * fired[rule][k] / totals[k]:.1f}%".rjust(18) for k in keys)
            print(rule.ljust(34) + cells)
    print()
    for key in keys:
        shares = ", ".join(
            f"{c} {100 * n / totals[key]:.1f}%" for c, n in verdicts[key].most_common()
        )
        print(f"{key[0]}/{key[1]}: {shares}")


if __name__ == "__main__":
    main()
