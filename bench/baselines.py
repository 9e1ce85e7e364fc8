"""phishloop against SpamAssassin and rspamd on the same evaluation files.

Files (from shared/corpora/all_labels.csv): phishing_pot `phish`, spamassassin_public
`ham`/`spam`/`bulk`, markup_newsletters `bulk`, modern_lists `bulk`; `--sample N` takes a
fixed pseudo-random N per set and label. Each tool gets 2 processes (`--jobs`):
- phishloop: `phishloop eval --json --jobs 2` (shipped configuration and model);
- SpamAssassin 4 (`spamd -L`, 2 children, no Bayes), 2 concurrent `spamc` clients;
  score ≥ 5 counts as spam;
- rspamd 3 offline (network modules off), 2 normal workers, 2 concurrent clients;
  reject / add header / rewrite subject count as spam; greylist (a soft, temporary
  action) is shown both ways.
messages/s is wall time of the scanning only (servers and phishloop's workers are
started first). Servers bind random free ports on 127.0.0.1 and are stopped at the end.

Usage:
    python bench/baselines.py [--sample 300] [--jobs 2] [--write]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import baseline_servers as servers
from baseline_table import Column, report
from benchdoc import command_line, write_section
from eval_corpora import CORPORA, LABELS, run_eval
from phishloop.cli.eval_report import group_json
from phishloop.cli.eval_unseen import is_unseen
from phishloop.core.classify.learn import shipped_model
from phishloop.core.evaluate import NO_VERDICT, Outcome
from phishloop.core.evaluate.metrics import summarise_groups

T = TypeVar("T")
SELECTION = {
    "phishing_pot": ("phish",),
    "spamassassin_public": ("ham", "spam", "bulk"),
    "markup_newsletters": ("bulk",),
    "modern_lists": ("bulk",),
}
SPAM_ACTIONS = frozenset({"reject", "add header", "rewrite subject"})
SOFT_ACTIONS = frozenset({"greylist", "soft reject"})


def evaluation_files(sample: int | None) -> list[tuple[Path, str, str]]:
    """(path, set, label) of the evaluation files, `sample` per set and label at most."""
    chosen: dict[tuple[str, str], list[tuple[str, Path]]] = {}
    model = shipped_model()  # files it trained on are left out, for all three tools alike
    with LABELS.open(newline="") as handle:
        for row in csv.DictReader(handle):
            set_name = row["path"].split("/", 1)[0]
            if row["label"] not in SELECTION.get(set_name, ()):
                continue
            if is_unseen(CORPORA / row["path"], set_name, model):
                key = hashlib.sha256(row["path"].encode()).hexdigest()
                chosen.setdefault((set_name, row["label"]), []).append((key, CORPORA / row["path"]))
    files = []
    for (set_name, label), entries in sorted(chosen.items()):
        files += [(path, set_name, label) for _, path in sorted(entries)[:sample]]
    return files


def scan(files: list[tuple[Path, str, str]], scorer: Callable[[Path], T], jobs: int
         ) -> tuple[list[T], float]:  # fmt: skip
    """`scorer`'s answer for every file, `jobs` at a time; and the wall time."""
    started = time.perf_counter()
    pool = ThreadPoolExecutor(jobs)
    try:
        answers = list(pool.map(scorer, [path for path, _, _ in files]))
    finally:  # on Ctrl-C, drop the queued files instead of scanning them all first
        pool.shutdown(wait=True, cancel_futures=True)
    return answers, time.perf_counter() - started


def column(name: str, files: list[tuple[Path, str, str]], categories: list[str],
           seconds: float) -> Column:  # fmt: skip
    outcomes = [
        Outcome(str(path), label, set_name, set_name, category)
        for (path, set_name, label), category in zip(files, categories, strict=True)
    ]
    groups = {g.name: group_json(g) for g in summarise_groups(outcomes)}
    return Column(name, groups, len(outcomes) / seconds, has_bulk=False)


def run_spamassassin(files: list[tuple[Path, str, str]], jobs: int) -> Column:
    with servers.spamd(jobs) as port:
        scores, seconds = scan(files, lambda path: servers.spamc_score(port, path), jobs)
    categories = [
        NO_VERDICT if s is None else "spam" if float(s) >= 5.0 else "clean" for s in scores
    ]
    name = servers.version(["spamassassin", "--version"]).replace(" version", "")
    return column(f"{name} (score ≥ 5)", files, categories, seconds)


def run_rspamd(files: list[tuple[Path, str, str]], jobs: int) -> list[Column]:
    with servers.rspamd(jobs) as url:
        actions, seconds = scan(files, lambda path: servers.rspamd_action(url, path), jobs)
    name = servers.version(["rspamd", "--version"]).replace("Rspamd daemon version", "rspamd")
    columns = []
    for title, spam in (
        (name, SPAM_ACTIONS),
        (f"{name}, greylist as spam", SPAM_ACTIONS | SOFT_ACTIONS),
    ):
        categories = [
            NO_VERDICT if a is None else "spam" if a in spam else "clean" for a in actions
        ]
        columns.append(column(title, files, categories, seconds))
    return columns


def run_phishloop(files: list[tuple[Path, str, str]], jobs: int) -> Column:
    result = run_eval([path for path, _, _ in files], jobs, None)
    groups = {group["name"]: group for group in result["groups"]}
    return Column("phishloop", groups, float(result["messages_per_second"]), has_bulk=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so that `finally` blocks stop the servers on SIGTERM too


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sample", type=int, help="at most N files per set and label")
    parser.add_argument("--jobs", type=int, default=2, help="processes per tool")
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()
    servers.ensure_packages()
    files = evaluation_files(args.sample)
    print(f"{len(files)} files; phishloop…", file=sys.stderr)
    columns = [run_phishloop(files, args.jobs)]
    print("SpamAssassin…", file=sys.stderr)
    columns.append(run_spamassassin(files, args.jobs))
    print("rspamd…", file=sys.stderr)
    columns += run_rspamd(files, args.jobs)
    text = report(columns, files=len(files), jobs=args.jobs, sample=args.sample)
    print(text)
    if args.write:
        write_section("baselines", text, command_line("bench/baselines.py"))


if __name__ == "__main__":
    main()
