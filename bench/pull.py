"""How fast a pull gets a campaign out of 1,000 mailboxes, against a real Dovecot.

Builds the organisation of bench/pull_org.py (default 1,000 mailboxes × 200 messages, a
campaign to 300 of them through nested groups, 10 siblings, 20 internal forwards), starts
Dovecot on loopback and runs phishloop's service (Django, SQLite, the job table) as in
embedded mode. For IMAP with 1, 4 and 8 connections and for the doveadm HTTP API it
measures: the plan (a dry run over every mailbox), approve → every copy quarantined
(batch jobs run by one worker), and the restore. Each is compared with the bare IMAP
sweep of bench/mailstore_sweep.py (login, select, search one Message-ID, move) over the
same 1,000 mailboxes, measured in the same run with the same connection counts.

Usage:
    python bench/pull.py [--mailboxes 1000] [--messages 200] [--recipients 300]
                         [--forwards 20] [--siblings 10] [--connections 1,4,8]
                         [--repeat 2] [--write]
`--write` records the figures in docs/benchmarks.md between the bench:pull markers.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.dovecot_store import DovecotServer, start_dovecot

import pull_org
from benchdoc import command_line, markdown_table, write_section
from mailstore_sweep import CAMPAIGN, bare_sweep, put_back


def main() -> None:
    args = _arguments()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per doveadm request
    with tempfile.TemporaryDirectory(prefix="phishloop-bench-pull-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        org = pull_org.build(root / "dovecot", args.mailboxes, args.messages, args.recipients,
                             args.siblings, args.forwards)  # fmt: skip
        print(f"organisation written in {time.perf_counter() - started:.0f} s", flush=True)
        server = start_dovecot(root / "dovecot", org.users, timeout=60)
        try:
            rows = run_all(root, server, org, args)
        finally:
            server.stop()
    text = report(rows, args)
    print(text)
    if args.write:
        write_section("pull", text, command_line("bench/pull.py"))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mailboxes", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--recipients", type=int, default=300)
    parser.add_argument("--forwards", type=int, default=20)
    parser.add_argument("--siblings", type=int, default=10)
    parser.add_argument("--connections", default="1,4,8")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=2, help="runs per path; the best counts")
    parser.add_argument("--write", action="store_true")
    return parser.parse_args()


def run_all(root: Path, server: DovecotServer, org: pull_org.BenchOrg,
            args: argparse.Namespace) -> list[dict[str, Any]]:  # fmt: skip
    os.environ["PHISHLOOP_DATA_DIR"] = str(root / "data")
    os.environ["PHISHLOOP_CONFIG"] = str(root / "phishloop.toml")
    _write_config(root, server, org, _imap(server, 8), args.batch_size)
    from phishloop.cli.django_env import ensure_django  # noqa: PLC0415

    ensure_django()
    incident = _incident()
    mailboxes = [m for m in org.mailboxes if m != pull_org.ABUSE]
    _warm(server, mailboxes)
    rows = []
    expected = len(org.recipients)
    for threads in [int(n) for n in args.connections.split(",")]:
        _write_config(root, server, org, _imap(server, threads), args.batch_size)
        rows.append(_best(args.repeat, partial(_imap_row, server, mailboxes, threads,
                                               expected, incident, org)))  # fmt: skip
    doveadm = {"type": "doveadm", "url": server.doveadm_url, "api_key": server.api_key,
               "workers": 4, "chunk_size": 50}  # fmt: skip
    _write_config(root, server, org, doveadm, args.batch_size)
    rows.append(_best(args.repeat, lambda: {"path": "doveadm HTTP API (4 workers)", "imap": False,
                                            "bare": _bare_doveadm(server, expected),
                                            **_pull(incident, org)}))  # fmt: skip
    return rows


def _imap_row(server: DovecotServer, mailboxes: list[str], threads: int, expected: int,
              incident: Any, org: pull_org.BenchOrg) -> dict[str, Any]:  # fmt: skip
    bare = _bare(server, mailboxes, threads, expected)
    return {
        "path": f"IMAP, {threads} connection(s)",
        "imap": True,
        "bare": bare,
        **_pull(incident, org),
    }


def _best(repeat: int, measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The fastest of `repeat` runs, figure by figure (the machine may be shared)."""
    runs = [measure() for _ in range(max(1, repeat))]
    best = dict(runs[0])
    for key in ("bare", "plan", "execute", "restore"):
        if best.get(key) is not None:
            best[key] = min(run[key] for run in runs)
    return best


def _imap(server: DovecotServer, connections: int) -> dict[str, Any]:
    return {"type": "imap", "host": "127.0.0.1", "port": server.imap_port, "security": "none",
            "master_user": server.master_user, "master_password": server.master_password,
            "max_connections": connections}  # fmt: skip


def _write_config(root: Path, server: DovecotServer, org: pull_org.BenchOrg,
                  store: dict[str, Any], batch_size: int) -> None:  # fmt: skip
    lines = [
        "[organisation]", f'domains = ["{pull_org.DOMAIN}"]',
        f'report_addresses = ["{pull_org.ABUSE}"]', "", "[mailstore]",
        *(f"{key} = {json.dumps(value)}" for key, value in store.items()), "",
        "[directory]", 'type = "file"', f"file = {json.dumps(str(org.directory_file))}", "",
        "[remediation]", f"batch_size = {batch_size}", "",
    ]  # fmt: skip
    (root / "phishloop.toml").write_text("\n".join(lines))
    if "django" in sys.modules:
        from django.conf import settings  # noqa: PLC0415

        from phishloop.server.pipeline import runtime  # noqa: PLC0415

        settings.PHISHLOOP_CONFIG = str(root / "phishloop.toml")
        runtime.reset()


def _incident() -> Any:
    import hashlib  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from phishloop.core.pipeline import analyze  # noqa: PLC0415
    from phishloop.core.serialize import analysis_to_dict  # noqa: PLC0415
    from phishloop.server.incidents.models import Incident  # noqa: PLC0415
    from phishloop.server.reports.models import Message  # noqa: PLC0415

    raw, now = pull_org.phish(), timezone.now()
    incident = Incident.objects.create(
        title=pull_org.SUBJECT, state="resolved", category="malicious", confidence=0.99,
        verdict_source="auto", first_seen=now, last_seen=now, message_count=1,
    )  # fmt: skip
    Message.objects.create(
        content_sha256=hashlib.sha256(raw).hexdigest(), message_id=pull_org.PHISH_ID,
        subject=pull_org.SUBJECT, sender="hr@evil.test", incident=incident,
        analysis=analysis_to_dict(analyze(raw, verdict=False)[0]), category="malicious",
        first_reported_at=now, last_reported_at=now, report_count=1,
    )  # fmt: skip
    return incident


def _warm(server: DovecotServer, mailboxes: list[str]) -> None:
    """One untimed pass so every configuration meets the same warm caches and indexes."""
    bare_sweep(server, mailboxes, 8)
    put_back(server)


def _bare(server: DovecotServer, mailboxes: list[str], threads: int, expected: int) -> float:
    """bench/mailstore_sweep.py's bare sweep of the same mailboxes, then put back."""
    start = time.perf_counter()
    moved = bare_sweep(server, mailboxes, threads)
    seconds = time.perf_counter() - start
    assert moved == expected, f"bare sweep moved {moved}, expected {expected}"
    put_back(server)
    return seconds


def _bare_doveadm(server: DovecotServer, expected: int) -> float:
    """The doveadm API's own fastest sweep: one `move` over all users (`doveadm move -A`),
    one Message-ID in INBOX, no plan, no per-mailbox result; then put back."""
    from phishloop.connectors.mailstore.doveadm_api import DoveadmApi  # noqa: PLC0415

    api = DoveadmApi(server.doveadm_url, server.api_key)
    query = ["mailbox", "INBOX", "header", "Message-ID", CAMPAIGN]
    start = time.perf_counter()
    (answer,) = api.call([("move", {"allUsers": True, "destinationMailbox": "Quarantine",
                                    "query": query})])  # fmt: skip
    seconds = time.perf_counter() - start
    api.close()
    moved = server.doveadm("search", "-A", "mailbox", "Quarantine", "header", "Message-ID",
                           CAMPAIGN).strip().splitlines()  # fmt: skip
    assert isinstance(answer, list) and len(moved) == expected, (answer, len(moved), expected)
    put_back(server)
    return seconds


def _pull(incident: Any, org: pull_org.BenchOrg) -> dict[str, Any]:
    from phishloop.server.jobs.queue import drain  # noqa: PLC0415
    from phishloop.server.remediation import service  # noqa: PLC0415

    plan_s, pull = _timed(lambda: service.plan_pull(incident.pk, actor="bench", dry_run=True))
    found = pull.counts["messages"]
    assert found == org.expected_copies, (found, org.expected_copies, pull.plan.get("errors"))
    execute_s, _ = _timed(lambda: (service.approve_pull(pull.pk, actor="bench"), drain()))
    pull.refresh_from_db()
    assert pull.state == "done" and pull.counts["moved"] == found, pull.counts
    restore_s, _ = _timed(lambda: (service.restore_pull(pull.pk, actor="bench"), drain()))
    pull.refresh_from_db()
    assert pull.state == "restored" and pull.counts["restored"] == found, pull.counts
    print(f"  plan {plan_s:.2f} s, execute {execute_s:.2f} s, restore {restore_s:.2f} s",
          flush=True)  # fmt: skip
    return {"plan": plan_s, "execute": execute_s, "restore": restore_s, "copies": found,
            "mailboxes": pull.counts["mailboxes"], "searched": pull.plan["counts"]
            ["searched_mailboxes"]}  # fmt: skip


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def report(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    header = ("path", "plan (dry run)", "approve → all quarantined", "restore",
              "bare sweep (same path)", "plan + execute vs bare")  # fmt: skip
    table = []
    for row in rows:
        bare = row["bare"]
        total = row["plan"] + row["execute"]
        rate = row["searched"] / row["plan"]
        table.append((
            row["path"], f"{row['plan']:.1f} s ({rate:.0f} mailboxes/s)",
            f"{row['execute']:.2f} s ({row['copies']} copies, {row['mailboxes']} mailboxes)",
            f"{row['restore']:.2f} s",
            f"{bare:.2f} s ({row['searched'] / bare:.0f} mailboxes/s)",
            f"{total / bare:.2f}× ({total:.1f} s)",
        ))  # fmt: skip
    setup = (f"{args.mailboxes:,} mailboxes × {args.messages} messages on Dovecot "
             f"{_dovecot_version()}, {os.cpu_count()} CPU cores ({platform.machine()}); a "
             f"campaign to {args.recipients} of them through nested groups (one cycle), "
             f"{args.siblings} of them as siblings, {args.forwards} internal forwards; "
             f"pull batches of {args.batch_size} mailboxes, one worker, SQLite. Best of "
             f"{args.repeat} runs per figure (the machine is shared with other work).")  # fmt: skip
    where = WHERE_THE_TIME_GOES.format(moved=rows[0]["mailboxes"], holders=args.recipients)
    parts = [setup, markdown_table(header, table), targets(rows), where, scaling(rows)]
    return "\n\n".join(parts)


WHERE_THE_TIME_GOES = (
    "Where the time goes: the plan is one pass of every mailbox (`MailStore.search_many`). "
    "Over IMAP a mailbox costs a connection, a login and two round trips: LOGIN, LIST and "
    "INBOX's EXAMINE + `UID SEARCH RETURN (SAVE)` + `UID FETCH $` written at once, then the "
    "same for the other folders; the SEARCH ORs the campaign query (sender domain + subject "
    "+ date window, every folder: copies get filed) with the forward walk's sent-item "
    "queries, and the hits' References and To/Cc/Bcc come with them, so forwards are "
    "followed without a fetch; a forward level's copies and the next level's sent items "
    "are one more pass over a few mailboxes. Approve → quarantined logs in again to each "
    "of the {moved} mailboxes with copies (LOGIN + SELECT in one write, then `UID MOVE` by "
    "the plan's UID, the new UID from COPYUID): a pool of N connections cannot keep the "
    "plan's logins until an analyst approves, and Dovecot spends about 5 ms of CPU to "
    "accept a connection and 4 ms for a login (a few tenths of a millisecond for each "
    "command after it), so the second login per holder is most of what separates plan + "
    "execution from the bare sweep, which searches and moves in one visit. Through "
    "doveadm, read-only commands (the sweep's fetch, folder statuses, the looks after "
    "moves) go through user masks (`user0*`: one command walks the user database once for "
    "every user under the prefix; rows for users not asked for, the abuse mailbox among "
    "them, are dropped); moves go one command per mailbox and copy, by UID and Message-ID "
    "together, with no look before them."
)


def targets(rows: list[dict[str, Any]]) -> str:
    """The issue's targets, met or not, with the measured figures."""
    lines = ["Targets: the whole pull (plan + execution) within 1.5× of the bare sweep, under "
             "12 s over IMAP and under 3 s through the doveadm API."]  # fmt: skip
    for row in rows:
        total = row["plan"] + row["execute"]
        limit = 12.0 if row["imap"] else 3.0
        ratio = (
            f", {total / row['bare']:.2f}× the bare sweep (the plan alone "
            f"{row['plan'] / row['bare']:.2f}×)"
            if row["imap"]
            else ""
        )
        verdict = (
            "met"
            if total <= limit and (not row["imap"] or total <= 1.5 * row["bare"])
            else "not met"
        )
        lines.append(f"- {row['path']}: {total:.2f} s{ratio} — {verdict}; approve → all "
                     f"quarantined alone {row['execute']:.2f} s.")  # fmt: skip
    return "\n".join(lines)


def scaling(rows: list[dict[str, Any]]) -> str:
    """What the measured rates mean for 100,000 mailboxes (a campaign reaching 30 %)."""
    lines = [
        "**At 100,000 mailboxes** (a campaign reaching 30,000 of them), from the rates "
        "above (the plan measured in one process, as `phishloop pull` makes it): through "
        "the API the plan's sweep fans out as jobs of `plan_chunk_size` mailboxes and the "
        "execution as jobs of `batch_size` mailboxes, so N workers (each with its own "
        "connections, against a mail service that grows with them) divide both; the "
        "forward walk and sibling checks stay in one job and touch only mailboxes with "
        "copies."
    ]
    for row in (rows[-2], rows[-1]) if len(rows) > 1 else rows:
        execute_rate = row["mailboxes"] / row["execute"]
        plan_rate = row["searched"] / row["plan"]
        plans = ", ".join(f"{n}: {100_000 / (plan_rate * n) / 60:.1f} min" for n in (1, 4, 16))
        moves = ", ".join(f"{n}: {30_000 / (execute_rate * n):.0f} s" for n in (1, 4, 16))
        lines.append(f"- {row['path']}: plan with 1/4/16 workers ≈ {plans} ({plan_rate:.0f} "
                     f"mailboxes/s each); approve → quarantined ≈ {moves} "
                     f"({execute_rate:.0f} mailboxes/s each).")  # fmt: skip
    return "\n".join(lines)


def _dovecot_version() -> str:
    import subprocess  # noqa: PLC0415

    try:
        return subprocess.run(["dovecot", "--version"], capture_output=True, text=True,
                              check=True).stdout.split()[0]  # fmt: skip
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "(unknown version)"


if __name__ == "__main__":
    main()
