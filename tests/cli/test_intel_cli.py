"""`phishloop intel` through click's CliRunner, with a store in a temporary directory."""

from __future__ import annotations

import gzip
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from phishloop.cli.main import cli

LIST_FEED = """# SOC blocklist
https://login-micros0ft.com/owa/auth.aspx
paypa1-secure.com
198.51.100.0/24
not an indicator
"""
URLHAUS_FEED = """# abuse.ch URLhaus Database Dump (CSV - recent URLs)
# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
"2825735","2024-05-01 11:58:07","http://malware-cdn.net/a.exe","online","2024-05-01 11:58:07","malware_download","exe","https://urlhaus.abuse.ch/url/2825735/","abuse_ch"
"""
MISP_UUID = "5e8f3a4c-1d2b-4c5d-9e7f-0a1b2c3d4e5f"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory for the default store, and no configuration from the machine."""
    monkeypatch.setenv("PHISHLOOP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PHISHLOOP_CONFIG", raising=False)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["intel", *args], catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_summary_and_default_store_location(env: Path) -> None:
    result = run("import", str(write(env / "blocklist.txt", LIST_FEED)), "--category", "phishing")
    assert result.exit_code == 0, result.output
    assert "Imported 3 records from a list feed into source 'blocklist'" in result.output
    assert "3 new" in result.output
    assert "Skipped 1 entries: not an indicator (1)." in result.output
    assert "line 5: not an indicator: 'not'" in result.output
    assert (env / "data" / "intel.sqlite3").is_file()


def test_reimport_is_idempotent_and_replace_sweeps(env: Path) -> None:
    feed = write(env / "blocklist.txt", LIST_FEED)
    run("import", str(feed))
    again = run("import", str(feed))
    assert "0 new, 3 already known or repeated; the source now holds 3." in again.output
    smaller = write(env / "smaller.txt", "paypa1-secure.com\n")
    replaced = run("import", str(smaller), "--source", "blocklist", "--replace")
    assert "2 removed (--replace); the source now holds 1." in replaced.output
    assert run("lookup", "198.51.100.7").exit_code == 1


def test_lookup_exit_status_and_json(env: Path) -> None:
    run("import", str(write(env / "blocklist.txt", LIST_FEED)), "--category", "phishing")
    hit = run(
        "lookup",
        "--json",
        "https://www.paypa1-secure.com/login",
        "harmless-site.org",
        "198.51.100.23",
    )
    assert hit.exit_code == 0
    lines = [json.loads(line) for line in hit.output.splitlines()]
    assert [line["listed"] for line in lines] == [True, False, True]
    assert lines[0]["indicator"] == {"type": "url", "value": "https://www.paypa1-secure.com/login"}
    assert lines[0]["matches"][0] | {"first_seen": None} == {
        "matched": {"type": "domain", "value": "paypa1-secure.com"},
        "match": "parent-domain",
        "source": "blocklist",
        "category": "phishing",
        "confidence": None,
        "reference": None,
        "first_seen": None,
    }
    assert lines[2]["matches"][0]["match"] == "cidr"
    miss = run("lookup", "harmless-site.org")
    assert miss.exit_code == 1
    assert "not listed" in miss.output


def test_lookup_human_output_accepts_defanged_values(env: Path) -> None:
    run("import", str(write(env / "blocklist.txt", LIST_FEED)))
    result = run("lookup", "hxxps://login-micros0ft[.]com/owa/auth.aspx")
    assert result.exit_code == 0
    assert "listed" in result.output and "exact" in result.output
    assert "https://login-micros0ft.com/owa/auth.aspx" in result.output


def test_lookup_usage_errors(env: Path) -> None:
    no_store = run("lookup", "paypa1-secure.com")
    assert no_store.exit_code == 2
    assert "no intel store" in no_store.output
    run("import", str(write(env / "blocklist.txt", LIST_FEED)))
    bad = run("lookup", "not a thing")
    assert bad.exit_code == 2
    assert "is not a URL, domain" in bad.output
    online = run("lookup", "--online", "paypa1-secure.com")
    assert online.exit_code == 2
    assert "no provider is configured" in online.output


def test_sources_and_remove(env: Path) -> None:
    run("import", str(write(env / "blocklist.txt", LIST_FEED)))
    run("import", str(write(env / "csv_recent.txt", URLHAUS_FEED)), "--source", "urlhaus")
    listed = json.loads(run("sources", "--json").output)
    assert [(s["name"], s["records"], s["format"]) for s in listed["sources"]] == [
        ("blocklist", 3, "list"),
        ("urlhaus", 1, "urlhaus"),
    ]
    assert listed["records"] == 4
    table = run("sources").output
    assert "urlhaus" in table and "4 records in 2 sources" in table
    removed = run("remove", "urlhaus")
    assert (removed.exit_code, removed.output.strip()) == (
        0,
        "Removed source 'urlhaus' (1 records).",
    )
    missing = run("remove", "urlhaus")
    assert missing.exit_code == 1
    assert "no source named 'urlhaus'" in missing.output


def test_store_option_and_config_file(env: Path) -> None:
    feed = write(env / "blocklist.txt", LIST_FEED)
    explicit = env / "explicit.sqlite3"
    assert run("import", str(feed), "--store", str(explicit)).exit_code == 0
    assert explicit.is_file()
    configured = env / "configured.sqlite3"
    config = write(
        env / "phishloop.toml",
        f'[intel]\nstore = "{configured}"\nallow_domains = ["paypa1-secure.com"]\n',
    )
    assert run("import", str(feed), "--config", str(config)).exit_code == 0
    assert configured.is_file()
    # the configured allow-list applies to lookups
    assert run("lookup", "--config", str(config), "paypa1-secure.com").exit_code == 1
    assert run("lookup", "--store", str(explicit), "paypa1-secure.com").exit_code == 0
    bad = write(env / "bad.toml", "[intel]\nstroe = 'x'\n")
    result = run("sources", "--config", str(bad))
    assert result.exit_code == 2
    assert "unknown key intel.stroe" in result.output


def test_import_misp_directory(env: Path) -> None:
    feed = env / "misp-feed"
    feed.mkdir()
    (feed / "manifest.json").write_text(json.dumps({MISP_UUID: {"info": "x"}}))
    event = {
        "Event": {
            "uuid": MISP_UUID,
            "info": "Phishing kit",
            "date": "2024-04-30",
            "Attribute": [
                {"type": "url", "value": "https://kit-host.net/a", "to_ids": True, "uuid": "a1"}
            ],
        }
    }
    (feed / f"{MISP_UUID}.json").write_text(json.dumps(event))
    result = run("import", str(feed), "--source", "circl")
    assert result.exit_code == 0, result.output
    assert "Imported 1 records from a misp feed into source 'circl'" in result.output
    assert run("lookup", "https://kit-host.net/a").exit_code == 0


def test_import_compressed_feeds(env: Path) -> None:
    gz = env / "csv_recent.txt.gz"
    gz.write_bytes(gzip.compress(URLHAUS_FEED.encode()))
    assert "from a urlhaus feed into source 'csv_recent'" in run("import", str(gz)).output
    zipped = env / "openphish.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("feed.txt", "https://secure-bank-login.com/verify\n")
    result = run("import", str(zipped), "--format", "openphish")
    assert "from a openphish feed" in result.output
    match = json.loads(run("lookup", "--json", "https://secure-bank-login.com/verify").output)
    assert match["matches"][0]["category"] == "phishing"


def test_import_errors(env: Path) -> None:
    garbage = run("import", str(write(env / "page.html", "<html>\n<p>oops</p>\n</html>\n")))
    assert garbage.exit_code == 1
    assert "no valid indicator" in garbage.output
    wrong = run("import", str(write(env / "list.txt", "evil-site.com\n")), "--format", "urlhaus")
    assert wrong.exit_code == 1
    assert "not a URLhaus CSV dump" in wrong.output
    column = run("import", str(write(env / "f.csv", "a,b\nx,evil-site.com\n")), "--column", "url")
    assert column.exit_code == 1
    assert "no column named 'url'" in column.output
    assert run("import", str(env / "missing.txt")).exit_code == 2
    # nothing was stored by the failed imports
    sources = json.loads(run("sources", "--json").output)["sources"]
    assert sources == []


def test_help_texts() -> None:
    assert "Local threat intelligence" in run("--help").output
    for command in ("import", "lookup", "sources", "remove"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "--store" in result.output
    assert "Exit status: 0 at least one value is listed" in run("lookup", "--help").output


class _VirusTotalStub(BaseHTTPRequestHandler):
    """Answers like VirusTotal's /domains/{domain} report: 9 engines say malicious."""

    def do_GET(self) -> None:
        found = self.path == "/api/v3/domains/paypa1-secure.com"
        body = json.dumps(
            {
                "data": {
                    "attributes": {
                        "last_analysis_stats": {
                            "malicious": 9,
                            "suspicious": 0,
                            "harmless": 50,
                            "undetected": 11,
                        }
                    }
                }
            }
        ).encode()
        self.send_response(200 if found else 404)
        self.send_header("Content-Length", str(len(body) if found else 0))
        self.end_headers()
        if found:
            self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def test_lookup_online_asks_configured_providers(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = HTTPServer(("127.0.0.1", 0), _VirusTotalStub)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    try:
        monkeypatch.setenv("VT_API_KEY", "test-key")
        config = write(
            env / "online.toml",
            (
                '[intel]\nallow_networks = ["127.0.0.1/32"]\n[intel.virustotal]\n'
                f'base_url = "http://127.0.0.1:{server.server_address[1]}/api/v3"\n'
            ),
        )
        run("import", str(write(env / "blocklist.txt", "198.51.100.0/24\n")))
        result = run("lookup", "--json", "--online", "--config", str(config), "paypa1-secure.com")
        assert result.exit_code == 0, result.output
        (match,) = json.loads(result.output)["matches"]
        assert (match["source"], match["category"]) == ("virustotal", "malicious")
        assert (env / "data" / "intel-cache.sqlite3").is_file()
    finally:
        server.shutdown()
        server.server_close()
