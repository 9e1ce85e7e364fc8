"""A throwaway Dovecot (IMAP + doveadm HTTP API) on 127.0.0.1 for mail-store tests and benches.

`start_dovecot(root, users)` writes a configuration under `root` (passwd-file users, a master
user for `user*master` logins, Maildir++ mailboxes, the doveadm HTTP API on a free port) and
starts Dovecot in its own session. Mailboxes are filled quickly by writing Maildir files
directly (`MaildirWriter`) *before* start, or through IMAP afterwards. Stop with `.stop()`.

Works as root (mail owned by Debian's `mail` user, as on a real host) and as an ordinary
user (every Dovecot process then runs as that user).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
MASTER_USER = "admin"
MASTER_PASSWORD = "adminpw"
API_KEY = "s3cret-api-key"
# Dovecot 2.3's post-login capabilities minus MOVE, to exercise the COPY/EXPUNGE fallback.
CAPABILITIES_WITHOUT_MOVE = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES "
    "THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN "
    "NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES "
    "WITHIN CONTEXT=SEARCH LIST-STATUS BINARY SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE "
    "SAVEDATE LITERAL+ NOTIFY SPECIAL-USE"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mail_owner() -> tuple[int, int, str]:
    """(uid, gid, user name) that owns mail: Debian's `mail` as root, else ourselves."""
    if os.geteuid() == 0:
        return 8, 8, "mail"
    entry = pwd.getpwuid(os.geteuid())
    return entry.pw_uid, entry.pw_gid, entry.pw_name


@dataclass
class DovecotServer:
    """A running Dovecot; `users` maps mailbox (user@domain) to its password."""

    root: Path
    imap_port: int
    http_port: int
    users: dict[str, str]
    master_user: str = MASTER_USER
    master_password: str = MASTER_PASSWORD
    api_key: str = API_KEY
    move: bool = True
    capabilities: str | None = None  # imap_capability to announce (None: Dovecot's own)
    log: list[str] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def doveadm_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/doveadm/v1"

    def maildir(self, user: str) -> Path:
        return maildir_path(self.root, user)

    def doveadm(self, *args: str) -> str:
        """Run the doveadm CLI against this instance (tests use it to look behind the API)."""
        command = ["doveadm", "-c", str(self.config), *args]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    def stop(self) -> None:
        pid_file = self.root / "run" / "master.pid"
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        for _ in range(100):
            if not pid_file.exists():
                return
            time.sleep(0.05)


def maildir_path(root: Path, user: str) -> Path:
    local, _, domain = user.partition("@")
    return root / "mail" / domain / local / "Maildir"


class MaildirWriter:
    """Writes messages straight into Maildir++ folders (fast bulk population before start)."""

    def __init__(self, maildir: Path) -> None:
        self.maildir = maildir
        self._counter = 0

    def folder_dir(self, folder: str) -> Path:
        if folder != "INBOX":
            self.folder_dir("INBOX")  # a Maildir++ tree always has its INBOX
        if folder == "INBOX":
            path = self.maildir
        else:
            path = self.maildir / ("." + folder.replace("/", "."))
        if not (path / "cur").is_dir():
            for sub in ("cur", "new", "tmp"):
                (path / sub).mkdir(parents=True, exist_ok=True)
            if folder != "INBOX":
                (path / "maildirfolder").touch()
        return path

    def add(self, raw: bytes, folder: str = "INBOX", flags: str = "", when: float = 0.0) -> str:
        """Store `raw` in `folder` with Maildir info flags (e.g. "S" for seen); return its name."""
        self._counter += 1
        when = when or time.time()
        unique = f"{int(when)}.M{self._counter}P{os.getpid()}.phishloop-test"
        name = f"{unique},S={len(raw)}:2,{''.join(sorted(flags))}"
        path = self.folder_dir(folder) / "cur" / name
        path.write_bytes(raw)
        if when:
            os.utime(path, (when, when))
        return name

    def subscribe(self, folders: Iterable[str]) -> None:
        (self.maildir / "subscriptions").write_text("".join(f"{f}\n" for f in folders))


def make_message(
    message_id: str,
    sender: str,
    to: str,
    subject: str,
    body: str = "Hello.\n",
    *,
    date: datetime | None = None,
    attachments: Iterable[tuple[str, bytes]] = (),
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """A small RFC 5322 message; `attachments` are (filename, bytes)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
    msg["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for filename, data in attachments:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return msg.as_bytes()


def write_config(server: DovecotServer, lmtp: bool = False) -> None:
    root = server.root
    uid, gid, owner = mail_owner()
    unprivileged = os.geteuid() != 0
    lines = [
        f"instance_name = phishloop-store-{server.imap_port}",
        f"base_dir = {root}/run",
        f"state_dir = {root}/state",
        f"log_path = {root}/dovecot.log",
        "protocols = imap",
        "listen = 127.0.0.1",
        "ssl = no",
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        "auth_master_user_separator = *",
        f"first_valid_uid = {uid}",
        f"mail_uid = {uid}",
        f"mail_gid = {gid}",
        "mail_location = maildir:~/Maildir",
        "mail_fsync = never",
        "mail_max_userip_connections = 1000",
        # Tests log in hundreds of times from 127.0.0.1 (and fail on purpose): no penalty.
        "login_trusted_networks = 127.0.0.0/8",
        "auth_failure_delay = 0",
        f"doveadm_api_key = {server.api_key}",
    ]
    if unprivileged:
        lines += [
            f"default_internal_user = {owner}",
            f"default_login_user = {owner}",
            f"default_internal_group = {owner}",
        ]
    if server.capabilities is not None:
        lines.append(f"imap_capability = {server.capabilities}")
    elif not server.move:
        lines.append(f"imap_capability = {CAPABILITIES_WITHOUT_MOVE}")
    lines.append(
        f"""
passdb {{
  driver = passwd-file
  master = yes
  args = scheme=PLAIN {root}/masters
  result_success = continue
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
  default_fields = home={root}/mail/%d/%n uid={uid} gid={gid}
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
  }}
  mailbox Trash {{
    special_use = \\Trash
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {server.imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  process_min_avail = 2
}}
service imap {{
  process_limit = 1024
}}
service doveadm {{
  inet_listener http {{
    address = 127.0.0.1
    port = {server.http_port}
  }}
}}
service stats {{
  inet_listener http {{
    port = 0
  }}
}}
"""
    )
    (root / "dovecot.conf").write_text("\n".join(lines))


def _write_auth_files(server: DovecotServer) -> None:
    root = server.root
    users = "".join(f"{user}:{{PLAIN}}{pw}::::::\n" for user, pw in server.users.items())
    (root / "users").write_text(users)
    (root / "masters").write_text(f"{server.master_user}:{{PLAIN}}{server.master_password}::::::\n")
    if os.geteuid() == 0:
        # The auth process runs as `dovecot`; without group read every login fails
        # with "Temporary authentication failure".
        for name in ("users", "masters"):
            shutil.chown(root / name, group="dovecot")
            (root / name).chmod(0o640)


def _open_path(root: Path) -> None:
    """Let Dovecot's unprivileged processes (users `dovecot`, `mail`) reach `root`: pytest
    makes its temp dirs 0700, so add search (x, not read) permission on the ancestors."""
    for directory in [root, *root.parents]:
        mode = directory.stat().st_mode
        if mode & 0o001:
            continue
        directory.chmod(mode | 0o011)


def _chown_mail(root: Path) -> None:
    if os.geteuid() != 0:
        return
    _open_path(root)
    (root / "mail").mkdir(exist_ok=True)
    subprocess.run(["chown", "-R", "mail:mail", str(root / "mail")], check=True)


def start_dovecot(
    root: Path,
    users: Mapping[str, str],
    *,
    move: bool = True,
    timeout: float = 10.0,
    capabilities: str | None = None,
) -> DovecotServer:
    """Configure and start Dovecot under `root`; Maildirs already there are chowned first.
    `capabilities` replaces the post-login capabilities Dovecot announces."""
    root.mkdir(parents=True, exist_ok=True)
    server = DovecotServer(
        root, free_port(), free_port(), dict(users), move=move, capabilities=capabilities
    )
    write_config(server)
    _write_auth_files(server)
    _chown_mail(root)
    subprocess.run([DOVECOT, "-c", str(server.config)], check=True, start_new_session=True)
    _wait_ready(server, timeout)
    return server


def _wait_ready(server: DovecotServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout  # bounded: a broken start must fail, not hang
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", server.imap_port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)
    log = (
        (server.root / "dovecot.log").read_text() if (server.root / "dovecot.log").exists() else ""
    )
    server.stop()
    raise RuntimeError(f"Dovecot did not start within {timeout} s; log:\n{log[-2000:]}")
