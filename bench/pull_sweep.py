"""The bare IMAP sweep the pull is compared with: per mailbox log in as the master user,
select INBOX, search one Message-ID, move the hits, log out — on N threads."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from imapclient import IMAPClient


def sweep(
    host: str, port: int, master: str, password: str, mailboxes: list[str],
    message_id: str, source: str, target: str, threads: int,
) -> tuple[float, int]:  # fmt: skip
    """Seconds for the whole sweep, and how many messages moved."""

    def one(mailbox: str) -> int:
        client = IMAPClient(host, port=port, ssl=False, timeout=30)
        try:
            client.login(f"{mailbox}*{master}", password)
            if source != "INBOX" and not client.folder_exists(source):  # putting back only
                return 0
            client.select_folder(source)
            uids = client.search(["HEADER", "Message-ID", message_id])
            if uids:
                if not client.folder_exists(target):
                    client.create_folder(target)
                client.move(uids, target)
            return len(uids)
        finally:
            client.logout()

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        moved = sum(pool.map(one, mailboxes))
    return time.perf_counter() - start, moved
