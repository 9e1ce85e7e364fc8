"""Mail-store sweep: how fast can a campaign be pulled from every mailbox of a Dovecot?

Builds a Dovecot with N mailboxes x M messages (Maildirs written directly), plants one
campaign Message-ID in every third mailbox, then times, for 1, 4 and 8 connections:
- a bare IMAP sweep (per mailbox: master login, SELECT INBOX, SEARCH HEADER Message-ID, MOVE);
- phishloop's ImapStore: search (INBOX only, as the bare sweep; and every folder) + quarantine;
- phishloop's DoveadmStore (doveadm HTTP API): search + quarantine.
Messages are moved back with the doveadm CLI between runs (not timed).

    .venv/bin/python bench/mailstore_sweep.py                  # 1,000 x 200, writes docs
    .venv/bin/python bench/mailstore_sweep.py --mailboxes 50 --messages 20 --no-write
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from imapclient import IMAPClient  # noqa: E402
from tests.support.dovecot_store import (  # noqa: E402
    DovecotServer,
    MaildirWriter,
    maildir_path,
    make_message,
    start_dovecot,
)

from benchdoc import command_line, markdown_table, write_section  # noqa: E402
from phishloop.connectors.mailstore.base import MailStore, Outcome, SearchQuery  # noqa: E402
from phishloop.connectors.mailstore.doveadm import DoveadmStore  # noqa: E402
from phishloop.connectors.mailstore.doveadm_api import DoveadmApi  # noqa: E402
from phishloop.connectors.mailstore.imap import ImapStore  # noqa: E402
from phishloop.connectors.mailstore.imap_pool import (  # noqa: E402
    ImapEndpoint,
    ImapPool,
    MasterLogin,
)

CAMPAIGN = "<campaign-bench@evil.test>"


def build(root: Path, mailboxes: int, messages: int) -> tuple[list[str], int]:
    users = [f"user{i:05d}@corp.test" for i in range(mailboxes)]
    planted = 0
    for index, user in enumerate(users):
        writer = MaildirWriter(maildir_path(root, user))
        for n in range(messages):
            raw = make_message(f"<m{index}-{n}@corp.test>", "x@corp.test", user, f"Note {n}")
            writer.add(raw, flags="S" if n % 2 else "")
        if index % 3 == 0:
            writer.add(make_message(CAMPAIGN, "payroll@evil.test", user, "Salary update"))
            planted += 1
    return users, planted


def bare_sweep(server: DovecotServer, users: list[str], connections: int) -> int:
    def one(user: str) -> int:
        client = IMAPClient("127.0.0.1", server.imap_port, ssl=False, timeout=60)
        try:
            client.login(f"{user}*{server.master_user}", server.master_password)
            client.select_folder("INBOX")
            uids = client.search(["HEADER", "Message-ID", CAMPAIGN])
            if uids:
                client.move(uids, "Quarantine")
            return len(uids)
        finally:
            client.logout()

    with ThreadPoolExecutor(connections) as pool:
        return sum(pool.map(one, users))


def store_sweep(store: MailStore, users: list[str], folders: tuple[str, ...]) -> int:
    found = store.search(users, SearchQuery(message_id=CAMPAIGN, folders=folders))
    errors = [r.error for r in found if not r.ok]
    if errors:
        raise SystemExit(f"search failed: {errors[:3]}")
    moved = store.quarantine([m.ref for r in found for m in r.messages])
    return sum(r.outcome == Outcome.MOVED for r in moved)


def put_back(server: DovecotServer) -> None:
    server.doveadm("move", "-A", "INBOX", "mailbox", "Quarantine", "header", "Message-ID", CAMPAIGN)


def timed(action: Callable[[], int], expected: int) -> float:
    start = time.perf_counter()
    count = action()
    elapsed = time.perf_counter() - start
    if count != expected:
        raise SystemExit(f"moved {count}, expected {expected}")
    return elapsed


def imap_store(server: DovecotServer, users: list[str], connections: int) -> ImapStore:
    endpoint = ImapEndpoint("127.0.0.1", server.imap_port, "none", timeout=60)
    pool = ImapPool(endpoint, MasterLogin(server.master_user, server.master_password), connections)
    return ImapStore(pool, mailboxes=users)


def run(args: argparse.Namespace) -> list[list[str]]:
    root = Path(tempfile.mkdtemp(prefix="phishloop-bench-mailstore-"))
    start = time.perf_counter()
    users, planted = build(root, args.mailboxes, args.messages)
    built = time.perf_counter() - start
    server = start_dovecot(root, {u: "pw" for u in users}, timeout=60)
    rows: list[list[str]] = []
    try:
        server.doveadm("mailbox", "create", "-A", "Quarantine")
        start = time.perf_counter()
        server.doveadm("search", "-A", "mailbox", "INBOX", "header", "Message-ID", "<warm-up@x>")
        print(f"built {built:.1f} s; first index pass {time.perf_counter() - start:.1f} s")

        def row(name: str, connections: int, action: Callable[[], int]) -> None:
            seconds = timed(action, planted)
            put_back(server)
            rate = len(users) / seconds
            rows.append([name, str(connections), f"{seconds:.2f}", f"{rate:.0f}"])
            print(rows[-1], flush=True)

        for connections in args.connections:
            row("bare IMAP sweep", connections, lambda c=connections: bare_sweep(server, users, c))
        for connections in args.connections:
            store = imap_store(server, users, connections)
            row(
                "phishloop IMAP, INBOX",
                connections,
                lambda s=store: store_sweep(s, users, ("INBOX",)),
            )
            row(
                "phishloop IMAP, all folders",
                connections,
                lambda s=store: store_sweep(s, users, ()),
            )
            store.close()
        for workers in args.connections:
            dove = DoveadmStore(DoveadmApi(server.doveadm_url, server.api_key), workers=workers)
            row("phishloop doveadm API", workers, lambda s=dove: store_sweep(s, users, ()))
            dove.close()
    finally:
        server.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rows = run(args)
    header = [
        "sweep (search one Message-ID + move)",
        "connections / workers",
        "seconds",
        "mailboxes/s",
    ]
    text = (
        f"Dovecot 2.3, {args.mailboxes} mailboxes x {args.messages} messages, the campaign in "
        f"every third mailbox; warm indexes; each run moves every copy to Quarantine.\n\n"
        + markdown_table(header, rows)
    )
    print(text)
    if not args.no_write:
        write_section("mailstore", text, command_line("bench/mailstore_sweep.py"))


if __name__ == "__main__":
    main()
