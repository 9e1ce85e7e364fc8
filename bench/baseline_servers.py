"""SpamAssassin (spamd) and rspamd, started offline on 127.0.0.1 for bench/baselines.py.

Each server runs on random free loopback ports in a temporary directory, in its own
session, and is stopped (and its directory removed) when the `with` block ends — also
on Ctrl-C. Nothing leaves the machine: spamd runs with `-L` (no DNSBL, Razor, Pyzor) and
without Bayes; rspamd sends DNS to a closed loopback port and has its network modules
off (notes/infrastructure.md, section 4b).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

PACKAGES = {"spamd": "spamd", "spamc": "spamc", "spamassassin": "spamassassin", "rspamd": "rspamd"}
RSPAMD_OFF = (
    "fuzzy_check", "rbl", "spf", "dkim", "dmarc", "asn", "url_reputation", "reputation",
    "neural", "ratelimit", "greylist", "replies", "emails", "hfilter",
)  # fmt: skip
READY_SECONDS = 180  # rspamd compiles its hyperscan cache on first start (~10 s)
SPAMC_MAX_BYTES = 50 * 1024 * 1024  # the same message-size limit as phishloop's


def ensure_packages() -> None:
    """Install the Debian packages when missing (as root), else say how."""
    missing = sorted({pkg for binary, pkg in PACKAGES.items() if not shutil.which(binary)})
    if not missing:
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() != 0:
        raise SystemExit("missing packages; install them with: sudo " + " ".join(command))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(command, check=True, env=env)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def version(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).splitlines()[0].strip() if done.returncode == 0 else "?"


@contextlib.contextmanager
def _server(command: list[str], workdir: Path, ready: Callable[[], bool]) -> Iterator[None]:
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + READY_SECONDS
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (workdir / "server.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"{command[0]} did not start:\n{tail}")
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextlib.contextmanager
def spamd(children: int) -> Iterator[int]:
    """A spamd with `children` children; yields its port."""
    workdir = Path(tempfile.mkdtemp(prefix="phishloop-spamd-"))
    port = free_port()
    command = [
        "spamd", "-L", "-x", "-u", "nobody", f"--listen=127.0.0.1:{port}",
        f"--min-children={children}", f"--max-children={children}",
        f"--pidfile={workdir}/spamd.pid", f"--syslog={workdir}/spamd.log",
        "--cf=use_bayes 0", "--cf=bayes_auto_learn 0",
    ]  # fmt: skip
    ping = ["spamc", "-K", "-d", "127.0.0.1", "-p", str(port)]

    def ready() -> bool:
        return subprocess.run(ping, capture_output=True, check=False).returncode == 0

    try:
        with _server(command, workdir, ready):
            yield port
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def spamc_score(port: int, path: Path) -> float | None:
    """SpamAssassin's score of one message; None when spamd could not score it."""
    command = ["spamc", "-d", "127.0.0.1", "-p", str(port), "-c", "-x", "-t", "300"]
    with path.open("rb") as message:
        done = subprocess.run(
            [*command, "-s", str(SPAMC_MAX_BYTES)], stdin=message, capture_output=True,
            check=False,
        )  # fmt: skip
    if done.returncode not in (0, 1):
        return None
    return float(done.stdout.decode().split("/", 1)[0])


@contextlib.contextmanager
def rspamd(workers: int) -> Iterator[str]:
    """An offline rspamd with `workers` normal workers; yields its scan URL."""
    root = Path(tempfile.mkdtemp(prefix="phishloop-rspamd-"))
    ports = [free_port() for _ in range(3)]
    _rspamd_config(root, ports, workers)
    command = [
        "rspamd", "-f", "-c", "/etc/rspamd/rspamd.conf", "-u", "_rspamd", "-g", "_rspamd",
        f"--var=LOCAL_CONFDIR={root}", f"--var=DBDIR={root}/db", f"--var=RUNDIR={root}/run",
        f"--var=LOGDIR={root}/log",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{ports[0]}"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/ping", timeout=2) as response:
                return bool(response.read().strip() == b"pong")
        except OSError:
            return False

    try:
        with _server(command, root, ready):
            yield url
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _rspamd_config(root: Path, ports: list[int], workers: int) -> None:
    for name in ("db", "run", "log", "override.d", "local.d"):
        (root / name).mkdir()
    override, local = root / "override.d", root / "local.d"
    (override / "worker-normal.inc").write_text(
        f'bind_socket = "127.0.0.1:{ports[0]}";\ncount = {workers};\n'
    )
    (override / "worker-controller.inc").write_text(
        f'bind_socket = "127.0.0.1:{ports[1]}";\nsecure_ip = "127.0.0.1";\n'
    )
    (override / "worker-proxy.inc").write_text(f'bind_socket = "127.0.0.1:{ports[2]}";\n')
    (local / "options.inc").write_text(
        'dns { nameserver = ["127.0.0.1:53"]; timeout = 0.01s; retransmits = 0; }\n'
    )
    for module in RSPAMD_OFF:
        (local / f"{module}.conf").write_text("enabled = false;\n")
    shutil.chown(root, "_rspamd", "_rspamd")
    for path in root.rglob("*"):
        shutil.chown(path, "_rspamd", "_rspamd")


def rspamd_action(url: str, path: Path) -> str | None:
    """rspamd's action for one message ("no action", "greylist", "add header", ...)."""
    request = urllib.request.Request(f"{url}/checkv2", data=path.read_bytes(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            action = json.loads(response.read()).get("action")
    except (OSError, ValueError):
        return None
    return str(action) if action else None
