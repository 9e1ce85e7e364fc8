"""The service under load (issue 4): time to verdict in embedded mode, and throughput
under a burst in embedded mode and in scale mode (2 Celery workers, PostgreSQL + Redis).

Time to verdict: `phishloop serve` (subprocess, temporary data directory) receives corpus
reports (phishing_pot and spamassassin_public, fixed sample), alternately over HTTP and
SMTP, as Poisson arrivals at `--rate` per second. Each report's clock starts when the 202
or 250 arrives and stops when `GET /api/v1/reports/{id}` first shows an incident with a
verdict (polled every 50 ms, so figures include up to ~50 ms of polling).

Burst: `--burst-reports` copies of one campaign (one reporter each, own Message-ID,
greeting and tracking token) posted over HTTP by 4 client threads as fast as the server
takes them. Reports/s counts from the first request to the last job done. Where the time
goes comes from the job table: per kind, wait (created → started) and run (started →
finished) of the last attempt.

Usage:
    python bench/service.py [--verdict-reports 500] [--rate 2] [--burst-reports 2000]
                            [--only verdict,embedded,scale] [--write]
Scale mode needs PostgreSQL (PHISHLOOP_BENCH_POSTGRES, default postgresql://postgres@
127.0.0.1:5432) and redis-server (a throwaway one is started on a free port).
`--write` records the figures in docs/benchmarks.md between the bench:service markers.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import smtplib
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import httpx
import psycopg

from benchdoc import command_line, markdown_table, write_section
from service_procs import (
    REPO,
    Process,
    Redis,
    environment,
    incidents,
    jobs,
    phishloop,
    serve,
    token,
    unfinished,
    wait_for,
)

CORPORA = Path(os.environ.get("PHISHLOOP_CORPORA", REPO.parent / "shared" / "corpora"))
POSTGRES = os.environ.get("PHISHLOOP_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
VERDICT_TIMEOUT = 120.0  # a report without a verdict by then counts as "none"
POLL = 0.05
CLIENTS = 4


def corpus_sample(count: int) -> list[Path]:
    """Half phishing_pot, half spamassassin_public (ham and spam), fixed seed."""
    rng = random.Random(4)
    phish = sorted((CORPORA / "phishing_pot" / "email").glob("*.eml"))
    assassin = sorted(p for d in sorted((CORPORA / "spamassassin_public").iterdir())
                      if d.is_dir() for p in d.iterdir() if p.is_file())  # fmt: skip
    chosen = rng.sample(phish, count // 2) + rng.sample(assassin, count - count // 2)
    rng.shuffle(chosen)
    return chosen


def campaign_copy(number: int) -> tuple[str, bytes]:
    recipient = f"employee{number}@corp.example"
    name, token_ = f"Employee{number}", f"{random.Random(number).getrandbits(48):x}"
    message = EmailMessage()
    message["From"] = "IT Service Desk <support@mailbox-verify.example>"
    message["To"] = f"{name} <{recipient}>"
    message["Subject"] = "Action required: verify your mailbox"
    message["Message-ID"] = f"<{token_}.{number}@mailbox-verify.example>"
    message.set_content(
        f"Dear {name},\n\nWe detected unusual sign-in activity on your mailbox and it will be "
        "suspended within 24 hours unless you confirm your account ownership. Please verify "
        "your password using the secure portal below.\n\n"
        f"https://login.mailbox-verify.example/verify/account?user={token_}\n\n"
        f"The IT Service Desk team\nReference {token_}\n"
    )
    return recipient, message.as_bytes()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# ---------------------------------------------------------------- time to verdict


@dataclass
class VerdictRun:
    seconds: dict[int, float] = field(default_factory=dict)  # report id -> time to verdict
    channel: dict[int, str] = field(default_factory=dict)
    pending: dict[int, float] = field(default_factory=dict)  # report id -> ack time
    refused: list[str] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def submit_http(client: httpx.Client, raw: bytes, reporter: str) -> int:
    response = client.post("/api/v1/reports", content=raw,
                           headers={"X-Phishloop-Reporter": reporter})  # fmt: skip
    if response.status_code not in (200, 202):
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
    return int(response.json()["id"])


def submit_smtp(port: int, raw: bytes, reporter: str) -> int:
    wire = re.sub(rb"\r?\n", b"\r\n", raw)  # an MTA delivers CRLF lines
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            smtp.ehlo()
            smtp.mail(reporter)
            smtp.rcpt("phishing@corp.example")
            code, reply = smtp.data(wire)
    except smtplib.SMTPResponseException as exc:
        raise RuntimeError(f"SMTP {exc.smtp_code}: {exc.smtp_error[:200]!r}") from exc
    found = re.search(rb"report #(\d+)", reply)
    if code != 250 or not found:
        raise RuntimeError(f"SMTP {code}: {reply[:200]!r}")
    return int(found.group(1))


def poll_verdicts(client: httpx.Client, run: VerdictRun, done: threading.Event) -> None:
    while not (done.is_set() and not run.pending):
        with run.lock:
            waiting = list(run.pending.items())
        for report_id, acked in waiting:
            body = client.get(f"/api/v1/reports/{report_id}").json()
            now = time.monotonic()
            if any(i.get("category") for i in body.get("incidents") or []):
                with run.lock:
                    run.seconds[report_id] = now - acked
                    del run.pending[report_id]
            elif now - acked > VERDICT_TIMEOUT:
                with run.lock:
                    run.missing.append(report_id)
                    del run.pending[report_id]
        time.sleep(POLL)


def time_to_verdict(count: int, rate: float, root: Path) -> dict[str, object]:
    env = environment(root / "data")
    secret = token(env)
    server, url, smtp_port = serve(env, root / "serve.log")
    run, done = VerdictRun(), threading.Event()
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "message/rfc822"}
    rng = random.Random(7)
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client, \
                httpx.Client(base_url=url, headers=headers, timeout=60) as poller:  # fmt: skip
            thread = threading.Thread(target=poll_verdicts, args=(poller, run, done))
            thread.start()
            started = time.monotonic()
            due = started
            for number, path in enumerate(corpus_sample(count)):
                due += rng.expovariate(rate)
                time.sleep(max(0.0, due - time.monotonic()))
                raw, reporter = path.read_bytes(), f"employee{number}@corp.example"
                channel = "http" if number % 2 == 0 else "smtp"
                try:
                    report_id = (submit_http(client, raw, reporter) if channel == "http"
                                 else submit_smtp(smtp_port, raw, reporter))  # fmt: skip
                except RuntimeError as exc:
                    run.refused.append(f"{path.name}: {exc}")
                    continue
                with run.lock:
                    run.pending[report_id] = time.monotonic()
                    run.channel[report_id] = channel
            done.set()
            thread.join()
            elapsed = time.monotonic() - started
    finally:
        server.stop()
    return {"run": run, "elapsed": elapsed, "jobs": jobs(str(root / "data/phishloop.sqlite3"))}


# ---------------------------------------------------------------- burst throughput


@dataclass
class BurstResult:
    mode: str
    reports: int
    intake_seconds: float
    total_seconds: float
    jobs: list[tuple[str, str, int, float, float | None, float | None]]
    incidents: list[tuple[int, int, str]]


def burst(mode: str, count: int, url: str, secret: str, database: str) -> BurstResult:
    copies = [campaign_copy(number) for number in range(count)]
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "message/rfc822"}
    local = threading.local()

    def post(item: tuple[str, bytes]) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, headers=headers, timeout=120)
        submit_http(local.client, item[1], item[0])

    started_wall, started = time.time(), time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(post, copies))
    intake = time.monotonic() - started
    wait_for(lambda: unfinished(database) == 0, "the burst to be processed", 3600)
    rows = jobs(database)
    last = max(row[5] or 0.0 for row in rows)
    return BurstResult(mode, count, intake, last - started_wall, rows, incidents(database))


def embedded_burst(count: int, root: Path) -> BurstResult:
    env = environment(root / "data")
    secret = token(env)
    server, url, _ = serve(env, root / "serve.log")
    try:
        return burst("embedded (`phishloop serve`, 2 worker threads, SQLite)", count, url,
                     secret, str(root / "data/phishloop.sqlite3"))  # fmt: skip
    finally:
        server.stop()


def scale_burst(count: int, root: Path) -> BurstResult:
    name = f"phishloop_bench_{os.getpid()}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    redis = Redis(root)
    database = f"{POSTGRES}/{name}"
    env = environment(root / "data", database_url=database, broker_url=redis.url)
    running: list[Process] = []
    try:
        phishloop(env, "migrate")
        secret = token(env)
        web = Process(env, root / "web.log", "web", "--bind", "127.0.0.1:0")
        running.append(web)
        for number in range(2):
            worker = Process(env, root / f"worker{number}.log", "worker", "--concurrency", "1",
                             *(["--beat"] if number == 0 else []))  # fmt: skip
            running.append(worker)
            worker.line("ready.")
        url = web.line("API ").split()[1].removesuffix("/api/v1/")
        return burst("scale (`phishloop web` + 2 × `phishloop worker --concurrency 1`, "
                     "PostgreSQL + Redis)", count, url, secret, database)  # fmt: skip
    finally:
        for process in running:
            process.stop()
        redis.stop()
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------- reporting


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def verdict_text(result: dict[str, object], count: int, rate: float) -> str:
    run = result["run"]
    assert isinstance(run, VerdictRun)
    times = list(run.seconds.values())
    by_channel = {c: [t for i, t in run.seconds.items() if run.channel[i] == c]
                  for c in ("http", "smtp")}  # fmt: skip
    rows = [["all", str(len(times)), ms(percentile(times, 0.5)), ms(percentile(times, 0.95)),
             ms(percentile(times, 0.99)), ms(max(times))]]  # fmt: skip
    rows += [[f"{c.upper()} ({'202' if c == 'http' else '250'})", str(len(t)),
              ms(percentile(t, 0.5)), ms(percentile(t, 0.95)), ms(percentile(t, 0.99)),
              ms(max(t))] for c, t in by_channel.items() if t]  # fmt: skip
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    lines = [
        f"**Time to verdict** (embedded, `phishloop serve` with 2 worker threads): {count} "
        f"corpus reports (half phishing_pot, half spamassassin_public), alternately HTTP and "
        f"SMTP, Poisson arrivals at {rate:g}/s ({result['elapsed']:.0f} s in all). From the "
        "202/250 to the first `GET /api/v1/reports/{id}` showing an incident with a verdict "
        f"(polled every {POLL * 1000:.0f} ms).",
        "",
        markdown_table(["reports", "n", "p50", "p95", "p99", "max"], rows),
        "",
        f"Targets: p50 ≤ 1 s — **{'met' if p50 <= 1 else 'not met'}** ({ms(p50)}); "
        f"p95 ≤ 3 s — **{'met' if p95 <= 3 else 'not met'}** ({ms(p95)}). "
        f"Refused: {len(run.refused)}; no verdict within {VERDICT_TIMEOUT:.0f} s: "
        f"{len(run.missing)}.",
        "",
        job_table(result["jobs"]),  # type: ignore[arg-type]
    ]
    return "\n".join(lines)


def job_table(jobs_: list[tuple[str, str, int, float, float | None, float | None]]) -> str:
    """Where the time goes: per job kind, run (started → finished) and wait (created →
    started) of the last attempt, and each kind's share of the workers' busy time."""
    kinds = sorted({row[0] for row in jobs_})
    rows, busy = [], {}
    for kind in kinds:
        mine = [(r[2], r[3], r[4], r[5]) for r in jobs_ if r[0] == kind and r[4] and r[5]]
        run = [finished - started for _, _, started, finished in mine]  # type: ignore[operator]
        wait = [started - created for _, created, started, _ in mine]  # type: ignore[operator]
        busy[kind] = sum(run)
        rows.append([kind, f"{len(mine):,}", str(sum(1 for r in mine if r[0] > 1)),
                     ms(statistics.mean(run)), ms(percentile(run, 0.95)),
                     ms(statistics.mean(wait)), ms(percentile(wait, 0.95)),
                     f"{busy[kind]:,.1f} s"])  # fmt: skip
    total = sum(busy.values()) or 1.0
    for row, kind in zip(rows, kinds, strict=True):
        row.append(f"{100 * busy[kind] / total:.0f} %")
    header = ["job kind", "jobs", "retried", "run mean", "run p95", "wait mean", "wait p95",
              "busy", "share"]  # fmt: skip
    return markdown_table(header, rows)


def burst_text(result: BurstResult) -> str:
    failed = sum(1 for r in result.jobs if r[1] == "failed")
    shape = ", ".join(f"{m:,} messages / {r:,} reports" for m, r, _ in result.incidents[:3])
    lines = [
        f"**Burst, {result.mode}:** {result.reports:,} reports accepted in "
        f"{result.intake_seconds:.1f} s ({result.reports / result.intake_seconds:,.0f} "
        f"reports/s at intake, {CLIENTS} client threads); all processed "
        f"{result.total_seconds:.1f} s after the first request: "
        f"**{result.reports / result.total_seconds:,.1f} reports/s** end to end. "
        f"Incidents: {len(result.incidents)} ({shape}); failed jobs: {failed}.",
        "",
        job_table(result.jobs),
    ]
    return "\n".join(lines)


def machine_note(load_before: tuple[float, ...], load_after: tuple[float, ...]) -> str:
    return (
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; client, server, workers and databases share the cores. "
        f"Load average (1 min) {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the "
        "end (other work on the machine included): figures are for this shared machine."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verdict-reports", type=int, default=500)
    parser.add_argument("--rate", type=float, default=2.0, help="reports per second (Poisson)")
    parser.add_argument("--burst-reports", type=int, default=2000)
    parser.add_argument("--only", default="verdict,embedded,scale")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    parts, wanted, load_before = [], set(args.only.split(",")), os.getloadavg()
    steps: list[tuple[str, Callable[[Path], str]]] = [
        ("verdict", lambda root: verdict_text(
            time_to_verdict(args.verdict_reports, args.rate, root),
            args.verdict_reports, args.rate)),
        ("embedded", lambda root: burst_text(embedded_burst(args.burst_reports, root))),
        ("scale", lambda root: burst_text(scale_burst(args.burst_reports, root))),
    ]  # fmt: skip
    for name, step in steps:
        if name in wanted:
            with tempfile.TemporaryDirectory(prefix=f"phishloop-bench-{name}-") as root:
                text = step(Path(root))
            print(text + "\n", flush=True)
            parts.append(text)
    text = "\n\n".join([*parts, machine_note(load_before, os.getloadavg())])
    if args.write:
        write_section("service", text, command_line("bench/service.py"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
