"""The side-by-side table of bench/baselines.py, from per-set figures in the JSON shape of
`phishloop eval --json` (`phishloop.cli.eval_report.group_json`)."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from typing import Any

from benchdoc import markdown_table, share

SA, MARKUP = "spamassassin_public", "markup_newsletters"
# (row title, sets summed, figure, needs categories beyond spam/not spam)
ROWS = (
    ("threat recall: phishing_pot `phish` → malicious, suspicious or spam",
     ("phishing_pot",), "threat_recall", False),
    ("threat recall: spamassassin `spam` → malicious, suspicious or spam", (SA,),
     "threat_recall", False),
    ("threat recall: both", ("phishing_pot", SA), "threat_recall", False),
    ("ham false positives: spamassassin `ham` → malicious, suspicious or spam", (SA,),
     "ham_unwanted", False),
    ("spamassassin `ham` → malicious", (SA,), "ham_malicious", True),
    ("bulk (spamassassin, markup) → bulk or clean", (SA, MARKUP), "bulk_handled", False),
    ("bulk (spamassassin, markup) → bulk", (SA, MARKUP), "bulk_as_bulk", True),
    ("modern_lists → malicious or spam (must be none)", ("modern_lists",), "bulk_unwanted",
     False),
)  # fmt: skip
CAVEATS = """Notes:
- Each tool had the same 2 processes on this 2-core machine: `phishloop eval --jobs 2`;
  spamd with 2 children and 2 concurrent `spamc` clients; rspamd with 2 normal workers and
  2 concurrent `/checkv2` clients. messages/s counts the scanning only, not server start.
- SpamAssassin and rspamd only say spam or not spam: "bulk" and "malicious" figures do not
  apply to them (–), and "bulk → bulk or clean" means "not called spam" for them.
- Both run offline, as phishloop does: SpamAssassin `-L` (no DNSBL, Razor, Pyzor, no Bayes
  or auto-learning), rspamd with DNS pointed at a closed port and its network modules off
  (RBLs, SPF, DKIM, DMARC, fuzzy, reputation, neural, greylisting). Online they would score
  higher; so would phishloop with intel feeds.
- rspamd's greylist action (score ≥ 4, a temporary deferral: the message is delivered on
  retry) is shown both as not spam and as spam.
- SpamAssassin ran with its defaults: without `trusted_networks` for the receiving site it
  infers the trust path from the Received headers, and `RDNS_NONE` (2.4 points) plus the
  freemail rules account for most of its false positives on the 2002 ham.
- **Caveat:** spamassassin_public is SpamAssassin's own corpus, the mail its rules were
  written and scored against; its figures on that set are flattering to it."""


@dataclass(frozen=True)
class Column:
    name: str
    groups: dict[str, dict[str, Any]]  # group_json(...) by set name
    messages_per_second: float
    has_bulk: bool  # tells bulk (and malicious) from spam


def figure(column: Column, sets: tuple[str, ...], name: str) -> tuple[int, int]:
    hits = total = 0
    for set_name in sets:
        ratio = column.groups.get(set_name, {}).get(name, {"hits": 0, "total": 0})
        hits, total = hits + ratio["hits"], total + ratio["total"]
    return hits, total


def unanswered(column: Column) -> int:
    return sum(
        counts.get("none", 0)
        for name, group in column.groups.items()
        if name != "all"
        for counts in group["confusion"].values()
    )


def report(columns: list[Column], *, files: int, jobs: int, sample: int | None) -> str:
    rows = [
        [title, *(share(*figure(c, sets, name)) if c.has_bulk or not detailed else "–"
                  for c in columns)]
        for title, sets, name, detailed in ROWS
    ]  # fmt: skip
    rows.append(["no answer (error or time-out)", *(str(unanswered(c)) for c in columns)])
    rows.append(["messages/s", *(f"{c.messages_per_second:,.1f}" for c in columns)])
    scope = f"at most {sample} per set and label" if sample else "every file of these labels"
    return "\n\n".join([
        f"{files} files ({scope}); {jobs} processes per tool; {platform.machine()}, "
        f"{os.cpu_count()} cores.",
        markdown_table(["", *(c.name for c in columns)], rows),
        CAVEATS,
    ])  # fmt: skip
