"""What `phishloop serve` and `phishloop web` print on start: where things are and what
to do next."""

from __future__ import annotations

from phishloop.cli.binding import display

_NO_CONFIG = "built-in defaults (PHISHLOOP_CONFIG names an organisation TOML file)"
_ANY = {"0.0.0.0", "::", ""}  # noqa: S104 - compared against, not bound to


def base_url(host: str, port: int) -> str:
    shown = "localhost" if host in _ANY else host
    return f"http://{display(shown, port)}"


def serve_banner(
    host: str, port: int, smtp: tuple[str, int] | None, smtp_port: int | None, workers: int
) -> str:
    url = base_url(host, port)
    smtp_line = (
        f"SMTP intake   {display(smtp[0], smtp_port or smtp[1])} (point the abuse mailbox's "
        "delivery here)"
        if smtp
        else "SMTP intake   off (--no-smtp)"
    )
    lines = [
        "phishloop is running.",
        "",
        f"  API           {url}/api/v1/   (OpenAPI: {url}/api/v1/openapi.json)",
        f"  Admin         {url}/admin/",
        f"  {smtp_line}",
        f"  Worker        embedded, {workers} thread(s)",
        *_where_data_lives(),
        "",
        "Next steps (in another terminal, with the same PHISHLOOP_* environment):",
        "  phishloop token create report-button --role reporter   # a token for the API",
        "  phishloop createsuperuser                               # a login for the admin",
        "  curl -H 'Authorization: Bearer TOKEN' -H 'Content-Type: message/rfc822' \\",
        f"       --data-binary @suspicious.eml {url}/api/v1/reports",
        "",
        "Stop with Ctrl+C.",
    ]
    return "\n".join(lines)


def web_banner(host: str, port: int) -> str:
    from django.conf import settings  # noqa: PLC0415

    url = base_url(host, port)
    worker = (
        "jobs go to the broker: run `phishloop worker` to process them"
        if settings.PHISHLOOP_BROKER_URL
        else "no broker (PHISHLOOP_BROKER_URL) and no embedded worker: reports are stored and "
        "queued, but nothing analyses them; use `phishloop serve` for a single process"
    )
    return "\n".join([
        "phishloop web is running.",
        "",
        f"  API           {url}/api/v1/",
        f"  Admin         {url}/admin/",
        f"  Worker        {worker}",
        *_where_data_lives(),
        "",
        "Stop with Ctrl+C.",
    ])  # fmt: skip


def _where_data_lives() -> list[str]:
    from django.conf import settings  # noqa: PLC0415

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        db = f"SQLite {database['NAME']}"
    else:
        engine = database["ENGINE"].rsplit(".", 1)[-1]
        db = f"{engine} {database.get('HOST') or 'localhost'}/{database.get('NAME')}"
    raw = settings.STORAGES["raw"].get("OPTIONS", {})
    blobs = raw.get("location") or raw.get("bucket_name") or "?"
    return [
        f"  Data          {settings.DATA_DIR}",
        f"  Database      {db}",
        f"  Raw reports   {blobs}",
        f"  Settings      {settings.PHISHLOOP_CONFIG or _NO_CONFIG}",
    ]
