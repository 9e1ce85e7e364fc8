"""`phishloop check`: is this installation able to run? Each check returns a result
(ok, warning or error) with a readable detail instead of raising."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from phishloop.connectors.runtime.runtime import RuntimeOptions, load_runtime
from phishloop.core.errors import ConfigError
from phishloop.core.policy import Policy

OK, WARNING, ERROR = "ok", "warning", "error"


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str  # ok, warning or error
    detail: str


def run_checks(*, deploy: bool = False) -> list[CheckResult]:
    """Every check, in the order a newcomer should fix them."""
    results = [
        _guard("configuration", check_configuration),
        _guard("django", lambda: check_django(deploy=deploy)),
        _guard("database", check_database),
        _guard("raw storage", check_storage),
        _guard("broker", check_broker),
    ]
    if results[2].status == OK:
        results.append(_guard("jobs", check_jobs))
    return results


def _guard(name: str, check: Callable[[], CheckResult]) -> CheckResult:
    try:
        return check()
    except ConfigError as exc:
        return CheckResult(name, ERROR, str(exc))
    except Exception as exc:  # a check reports a problem; it never stops the others
        return CheckResult(name, ERROR, f"{type(exc).__name__}: {exc}")


def check_configuration() -> CheckResult:
    """The organisation file loads as the pipeline and the intake channels load it."""
    from phishloop.server.intake.config import intake_settings  # noqa: PLC0415

    path = settings.PHISHLOOP_CONFIG
    if path and not Path(path).is_file():
        return CheckResult("configuration", ERROR, f"PHISHLOOP_CONFIG={path}: no such file")
    loaded = load_runtime(RuntimeOptions(config=path or None)).loaded
    Policy.from_mapping(loaded.tables.get("policy", {}), where=path)
    intake_settings()
    if not path:
        return CheckResult("configuration", OK, "no PHISHLOOP_CONFIG: built-in defaults")
    return CheckResult("configuration", OK, f"{path} is valid")


def check_django(*, deploy: bool = False) -> CheckResult:
    found = checks.run_checks(include_deployment_checks=deploy)
    errors = [m for m in found if m.is_serious() and not m.is_silenced()]
    warnings = [m for m in found if not m.is_serious() and not m.is_silenced()]
    if errors:
        return CheckResult("django", ERROR, "; ".join(_message(m) for m in errors))
    if warnings:
        return CheckResult("django", WARNING, "; ".join(_message(m) for m in warnings))
    return CheckResult("django", OK, "system checks passed")


def _message(message: checks.CheckMessage) -> str:
    text = f"{message.id}: {message.msg}"
    return f"{text} ({message.hint})" if message.hint else text


def check_database() -> CheckResult:
    database = settings.DATABASES["default"]
    sqlite = database["ENGINE"].endswith("sqlite3")
    where = f"SQLite {database['NAME']}" if sqlite else f"{connection.vendor} {database['NAME']}"
    if sqlite and not Path(database["NAME"]).exists():
        return CheckResult("database", WARNING,
                           f"{where} does not exist yet: `phishloop serve` or "
                           "`phishloop migrate` creates it")  # fmt: skip
    connection.ensure_connection()
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending and sqlite:
        return CheckResult("database", WARNING, f"{where}: {len(pending)} migration(s) to "
                           "apply; `phishloop serve` applies them on start")  # fmt: skip
    if pending:
        return CheckResult("database", ERROR, f"{where}: {len(pending)} migration(s) not "
                           "applied: run `phishloop migrate`")  # fmt: skip
    return CheckResult("database", OK, f"{where} reachable, schema up to date")


def check_storage() -> CheckResult:
    """Write, read back and delete a probe in the raw-report store."""
    store = storages["raw"]
    probe = f"check/{uuid.uuid4().hex}.probe"
    content = b"phishloop check"
    name = store.save(probe, ContentFile(content))
    try:
        with store.open(name, "rb") as stored:
            if stored.read() != content:
                return CheckResult("raw storage", ERROR, "a probe read back differently")
    finally:
        store.delete(name)
        _remove_empty_probe_directory(store)
    where = settings.STORAGES["raw"].get("OPTIONS", {})
    shown = where.get("location") or where.get("bucket_name") or settings.STORAGES["raw"]["BACKEND"]
    return CheckResult("raw storage", OK, f"{shown} is writable")


def _remove_empty_probe_directory(store: Storage) -> None:
    # Object storage has no directories (NotImplementedError); a non-empty one stays.
    with contextlib.suppress(NotImplementedError, OSError):
        Path(store.path("check")).rmdir()


def check_broker() -> CheckResult:
    url = settings.PHISHLOOP_BROKER_URL
    if not url:
        return CheckResult("broker", OK, "none configured: embedded worker (`phishloop serve`)")
    from kombu import Connection  # noqa: PLC0415

    with Connection(url, connect_timeout=5) as broker:
        shown = broker.as_uri()  # the password masked
        try:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=5)
        except Exception as exc:
            return CheckResult("broker", ERROR, f"{shown} is not reachable: {exc}")
    return CheckResult("broker", OK, f"{shown} reachable")


def check_jobs() -> CheckResult:
    from phishloop.server.jobs.models import Job, JobState  # noqa: PLC0415

    failed = Job.objects.filter(state=JobState.FAILED).count()
    if failed:
        return CheckResult("jobs", WARNING, f"{failed} failed job(s): see the admin (Jobs) "
                           "and retry them once the cause is fixed")  # fmt: skip
    return CheckResult("jobs", OK, "no failed jobs")
