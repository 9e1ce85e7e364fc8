"""The database or the broker goes away for a few seconds, for real: intake refuses
clearly (HTTP 503 with Retry-After, SMTP 451) or keeps accepting (the job table is the
outbox), nothing is silently dropped, and processing resumes when the service is back.

Each test starts its own PostgreSQL cluster or redis-server on a free port and stops it
(or locks its own SQLite file); the phishloop processes are the real commands (`serve`,
`web`, `worker`), so these tests do not depend on the pytest database."""

from __future__ import annotations

import smtplib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
from tests.server.pipeline_helpers import campaign_copy
from tests.server.reliability.services import (
    REPO,
    Postgres,
    Process,
    Redis,
    organisation_file,
    phishloop,
    post_report,
    postgres,
    serve,
    service_env,
    wait_for,
)

BEFORE = 20  # reports accepted just before the outage: work in flight when it starts


@pytest.fixture
def cluster() -> Iterator[Postgres]:
    with postgres() as running:
        yield running


def settled(database_url: str) -> dict[str, Any] | None:
    """The database's state once no job is queued or running; None before that."""
    with psycopg.connect(database_url) as db:
        jobs = dict(db.execute("SELECT state, count(*) FROM jobs_job GROUP BY state").fetchall())
        if not jobs or set(jobs) - {"done", "failed"}:
            return None
        reports = dict(
            db.execute("SELECT state, count(*) FROM reports_report GROUP BY state").fetchall()
        )
        incidents = db.execute(
            "SELECT report_count, category, state FROM incidents_incident ORDER BY id"
        ).fetchall()
        [(retried,)] = db.execute("SELECT count(*) FROM jobs_job WHERE attempts > 1").fetchall()
        return {"jobs": jobs, "reports": reports, "incidents": incidents, "retried": retried}


def unsettled_jobs(database_url: str) -> list[tuple[Any, ...]]:
    """The jobs still queued or running (for a failure message)."""
    with psycopg.connect(database_url) as db:
        return db.execute(
            "SELECT id, kind, state, attempts, locked_by, locked_until, left(last_error, 200) "
            "FROM jobs_job WHERE state NOT IN ('done', 'failed') ORDER BY id"
        ).fetchall()


def wait_until_settled(database_url: str, what: str) -> dict[str, Any]:
    """`settled` once it is; on giving up, say which jobs never finished."""
    try:
        found: dict[str, Any] = wait_for(lambda: settled(database_url), what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; unfinished: {unsettled_jobs(database_url)}") from exc
    return found


def send_smtp(port: int, sender: str, raw: bytes) -> Any:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        return client.sendmail(sender, ["phishing@corp.example"], raw)


def test_the_database_goes_away_and_comes_back(cluster: Postgres, tmp_path: Path) -> None:
    env = service_env(tmp_path / "data", database_url=cluster.url,
                      config=str(organisation_file(tmp_path)))  # fmt: skip
    phishloop(env, "migrate")
    token = phishloop(env, "token", "create", "button", "--role", "viewer").strip().split()[-1]
    service, url, smtp_port = serve(env, tmp_path / "serve.log")
    try:
        for number in range(BEFORE):
            reporter = f"employee{number}@corp.example"
            accepted = post_report(url, token, campaign_copy(reporter), reporter)
            assert accepted.status_code == 202, accepted.text

        cluster.stop()  # the database server restarts; the worker is mid-burst
        refused = post_report(url, token, campaign_copy("late@corp.example"), "late@corp.example")
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.json()["error"]["code"] == "unavailable"
        assert "nothing was accepted" in refused.json()["error"]["message"]
        mailed = campaign_copy("mailer@corp.example")
        with pytest.raises(smtplib.SMTPDataError) as deferred:
            send_smtp(smtp_port, "mailer@corp.example", mailed)
        assert deferred.value.smtp_code == 451  # the sending MTA keeps it and retries

        cluster.start()
        # The client and the MTA retry; both are accepted now.
        retried = post_report(url, token, campaign_copy("late@corp.example"), "late@corp.example")
        assert retried.status_code == 202, retried.text
        send_smtp(smtp_port, "mailer@corp.example", mailed)

        state = wait_until_settled(cluster.url, "the jobs to settle")
    finally:
        service.stop()
    total = BEFORE + 2
    assert state["jobs"] == {"done": state["jobs"]["done"]}, (state, service.output()[-4000:])
    assert state["reports"] == {"analysed": total}, state
    [(report_count, category, incident_state)] = state["incidents"]
    assert report_count == total
    assert category and incident_state in {"resolved", "awaiting_analyst"}


def sweep(env: dict[str, str]) -> None:
    """What the `--beat` worker does every minute: re-send the jobs the broker lost."""
    done = subprocess.run([sys.executable, "-m", "tests.server.celery_driver", "sweep", "0"],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=300,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_broker_goes_away_and_intake_keeps_accepting(cluster: Postgres, tmp_path: Path) -> None:
    broker = Redis(tmp_path)
    broker.start()
    env = service_env(tmp_path / "data", database_url=cluster.url, broker_url=broker.url)
    phishloop(env, "migrate")
    token = phishloop(env, "token", "create", "button", "--role", "viewer").strip().split()[-1]
    web = Process(env, tmp_path / "web.log", "web", "--bind", "127.0.0.1:0")
    worker = Process(env, tmp_path / "worker.log", "worker", "--concurrency", "1")
    try:
        url = web.line("API").split()[1].removesuffix("/api/v1/")
        first = post_report(url, token, campaign_copy("first@corp.example"))
        assert first.status_code == 202, first.text
        wait_until_settled(cluster.url, "the first report through the broker")

        broker.stop()
        for number in range(BEFORE):
            reporter = f"employee{number}@corp.example"
            accepted = post_report(url, token, campaign_copy(reporter), reporter)
            assert accepted.status_code == 202, accepted.text  # the job row is the outbox
        with psycopg.connect(cluster.url) as db:
            [(queued,)] = db.execute("SELECT count(*) FROM jobs_job WHERE state = 'queued'")
        assert queued >= BEFORE  # kept, waiting for a broker

        broker.start()  # back on the same port; the worker reconnects by itself
        sweep(env)
        state = wait_until_settled(cluster.url, "the jobs to settle")
    finally:
        web.stop()
        worker.stop()
        broker.stop()
    total = BEFORE + 1
    assert state["jobs"] == {"done": state["jobs"]["done"]}, (state, worker.output()[-4000:])
    assert state["reports"] == {"analysed": total}, state
    [(report_count, category, _)] = state["incidents"]
    assert (report_count, bool(category)) == (total, True)


def test_a_locked_sqlite_database_refuses_clearly_then_recovers(tmp_path: Path) -> None:
    """Embedded mode: another process holds SQLite's write lock past the busy timeout (a
    backup tool, a stuck script). Intake refuses instead of hanging or dropping."""
    env = service_env(tmp_path / "data", config=str(organisation_file(tmp_path)))
    token = phishloop(env, "token", "create", "button", "--role", "viewer").strip().split()[-1]
    service, url, smtp_port = serve(env, tmp_path / "serve.log")
    database = tmp_path / "data" / "phishloop.sqlite3"
    raw, mailed = campaign_copy("api@corp.example"), campaign_copy("mailer@corp.example")
    try:
        lock = sqlite3.connect(database, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:  # both channels at once: each waits out the busy timeout, then refuses
            with ThreadPoolExecutor(2) as pool:
                api = pool.submit(post_report, url, token, raw, "api@corp.example")
                smtp = pool.submit(send_smtp, smtp_port, "mailer@corp.example", mailed)
                refused = api.result()
                with pytest.raises(smtplib.SMTPDataError) as deferred:
                    smtp.result()
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["Retry-After"]) > 0
        assert deferred.value.smtp_code == 451

        assert post_report(url, token, raw, "api@corp.example").status_code == 202
        send_smtp(smtp_port, "mailer@corp.example", mailed)

        def done() -> list[tuple[str, int]] | None:
            with sqlite3.connect(database) as db:
                jobs = db.execute("SELECT state, count(*) FROM jobs_job GROUP BY state").fetchall()
                return None if not jobs or {s for s, _ in jobs} - {"done", "failed"} else jobs

        assert [state for state, _ in wait_for(done, "the jobs to settle")] == ["done"]
    finally:
        service.stop()
    with sqlite3.connect(database) as db:
        reports = db.execute("SELECT count(*), min(state), max(state) FROM reports_report")
        assert reports.fetchone() == (2, "analysed", "analysed")
        incidents = db.execute("SELECT report_count, category FROM incidents_incident")
        [(report_count, category)] = incidents.fetchall()
        assert report_count == 2 and category
