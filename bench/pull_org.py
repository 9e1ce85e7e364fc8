"""The benchmark organisation for bench/pull.py, written straight into Maildirs.

`mailboxes` people (user0000@corp.test …), each with `messages` messages (90 % INBOX,
10 % Sent). A campaign goes to `all-hands@corp.test`, which reaches `recipients` people
through nested groups (all-hands → 3 regions → 10 departments of 30, one department
naming all-hands again: a cycle); `siblings` of them get a sibling (other Message-ID and
sender address, same campaign) instead of the original. `forwards` recipients forward
their copy (inline, References set) to a colleague outside the campaign. A second,
"bare" Message-ID sits in the same recipients' INBOX for the bare IMAP sweep.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.dovecot_store import maildir_path

DOMAIN = "corp.test"
ABUSE = f"abuse@{DOMAIN}"
PHISH_ID = "<bench-campaign@evil.test>"
BARE_ID = "<campaign-bench@evil.test>"  # bench/mailstore_sweep.py's bare-sweep Message-ID
SUBJECT = "Action required: payroll update 2026-12"
DATE = "Fri, 20 Nov 2026 09:30:00 +0000"


def user(index: int) -> str:
    return f"user{index:04d}@{DOMAIN}"


def raw(message_id: str, sender: str, to: str, subject: str, body: str, extra: str = "") -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {DATE}\r\n"
        f"Message-ID: {message_id}\r\n{extra}MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    ).encode()


def phish_body(name: str) -> str:
    return (
        f"Hello {name},\r\n\r\nthe payroll provider changes on 1 December. Confirm your bank "
        "details before Friday or your December salary will be delayed:\r\n\r\n"
        f"https://payroll-update.evil.test/confirm/2026-12?u={name}\r\n\r\n"
        "Human Resources\r\n"
    )


def phish(to: str = f"all-hands@{DOMAIN}") -> bytes:
    return raw(PHISH_ID, "HR <hr@evil.test>", to, SUBJECT, phish_body("colleague"))


@dataclass
class BenchOrg:
    mailboxes: list[str]
    recipients: list[str]
    siblings: list[str]
    forwarders: list[str]
    forward_targets: list[str]
    directory_file: Path
    expected_copies: int = 0
    users: dict[str, str] = field(default_factory=dict)


def build(root: Path, mailboxes: int, messages: int, recipients: int, siblings: int,
          forwards: int) -> BenchOrg:  # fmt: skip
    people = [user(i) for i in range(mailboxes)] + [ABUSE]
    chosen = [user(i) for i in range(recipients)]
    sibling_set = chosen[:siblings]
    forwarders = chosen[siblings : siblings + forwards]
    targets = [user(recipients + i) for i in range(forwards)]
    root.mkdir(parents=True, exist_ok=True)
    org = BenchOrg(people, chosen, sibling_set, forwarders, targets, root / "directory.yaml")
    org.users = {p: "pw" for p in people}
    org.directory_file.write_text(yaml.safe_dump(directory(people, chosen)))
    for index, mailbox in enumerate(people):
        _fill(maildir_path(root, mailbox), index, messages)
    for mailbox in chosen:
        box = maildir_path(root, mailbox)
        if mailbox in sibling_set:
            body = phish_body(mailbox.split("@")[0])
            sender = f"HR Team <payroll-{mailbox[:8]}@evil.test>"
            _put(box, "INBOX", raw(f"<bench-sibling-{mailbox}>", sender, mailbox, SUBJECT, body))
        else:
            _put(box, "INBOX", phish(), seen=mailbox.endswith(("1@corp.test", "7@corp.test")))
        _put(box, "INBOX", raw(BARE_ID, "x@evil.test", mailbox, "bare sweep", "x\r\n"))
    _put(maildir_path(root, ABUSE), "INBOX", phish())  # never touched
    for forwarder, target in zip(forwarders, targets, strict=True):
        message = raw(f"<bench-fwd-{forwarder}>", forwarder, target, f"Fw: {SUBJECT}",
                      "FYI\r\n\r\n" + phish_body("colleague"),
                      extra=f"References: {PHISH_ID}\r\n")  # fmt: skip
        _put(maildir_path(root, forwarder), "Sent", message, seen=True)
        _put(maildir_path(root, target), "INBOX", message)
    org.expected_copies = len(chosen) + 2 * forwards
    return org


def directory(people: list[str], chosen: list[str]) -> dict[str, object]:
    depts = [chosen[i : i + 30] for i in range(0, len(chosen), 30)]
    groups: list[dict[str, object]] = []
    regions: dict[str, list[str]] = {"region-a": [], "region-b": [], "region-c": []}
    for number, members in enumerate(depts):
        name = f"dept-{number}@{DOMAIN}"
        region = ("region-a", "region-b", "region-c")[number % 3]
        regions[region].append(name)
        extra = [f"all-hands@{DOMAIN}"] if number == 0 else []  # a cycle
        groups.append({"address": name, "members": members + extra})
    for region, members in regions.items():
        groups.append({"address": f"{region}@{DOMAIN}", "members": members})
    groups.append({"address": f"all-hands@{DOMAIN}",
                   "members": [f"{r}@{DOMAIN}" for r in regions]})  # fmt: skip
    return {"people": [{"address": p} for p in people], "groups": groups}


def _fill(maildir: Path, index: int, count: int) -> None:
    sent = max(1, count // 10)
    for n in range(count):
        folder = "Sent" if n < sent else "INBOX"
        message = raw(f"<filler-{index}-{n}@{DOMAIN}>", f"colleague{n % 50}@{DOMAIN}",
                      user(index), f"Project note {n}", f"Notes for item {n}.\r\n" * 5)  # fmt: skip
        _put(maildir, folder, message, seen=n % 3 != 0)
    for sub in ("cur", "new", "tmp"):  # an empty quarantine folder (the bare sweep needs it)
        (maildir / ".Quarantine" / sub).mkdir(parents=True, exist_ok=True)
    (maildir / ".Quarantine" / "maildirfolder").touch()
    (maildir / "subscriptions").write_text("Sent\nQuarantine\n")


_counter = [0]


def _put(maildir: Path, folder: str, message: bytes, *, seen: bool = False) -> None:
    directory = maildir if folder == "INBOX" else maildir / f".{folder}"
    cur = directory / "cur"
    if not cur.is_dir():
        for sub in ("cur", "new", "tmp"):
            (directory / sub).mkdir(parents=True, exist_ok=True)
        if folder != "INBOX":
            (directory / "maildirfolder").touch()
    _counter[0] += 1
    name = f"1795600000.M{_counter[0]}P{os.getpid()}.bench,S={len(message)}:2,{'S' if seen else ''}"
    (cur / name).write_bytes(message)


def remove(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
