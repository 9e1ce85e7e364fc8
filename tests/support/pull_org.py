"""A test organisation for pull planning: nested groups with a cycle, a campaign with a
sibling and a look-alike, forwards two levels deep (one to an external address, one as an
attachment to a group), a VIP who forwards, a report to the abuse mailbox.

`deliveries()` lists every message with its mailbox, folder and flags, so the same
organisation can be loaded into the in-memory store or written into Dovecot's Maildirs;
`EXPECTED` says which copies a correct plan includes, and nothing else may be included.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

DOMAIN = "corp.test"
WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
PHISH_ID = "<phish-1@evil.test>"
SIBLING_ID = "<phish-2@evil.test>"
LOOKALIKE_ID = "<news-9@evil.test>"
SUBJECT = "Invoice 2026-113 overdue"
ABUSE = f"abuse@{DOMAIN}"
PEOPLE = ("alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "ivan", "judy",
          "kate", "abuse")  # fmt: skip
VIPS = ("alice",)


def address(name: str) -> str:
    return f"{name}@{DOMAIN}"


def directory_data() -> dict[str, Any]:
    """`people:`/`groups:` as in the directory file (docs/connectors.md)."""
    people = [{"address": address(p), "name": p.title(), "vip": p in VIPS} for p in PEOPLE]
    groups = [
        {"address": address("all-staff"),
         "members": [address("finance"), address("sales"), address("alice")]},
        {"address": address("finance"),
         "members": [address("bob"), address("carol"), "partner@supplier.test",
                     address("treasury")]},
        {"address": address("treasury"), "members": [address("dave"), address("finance")]},
        {"address": address("sales"), "members": [address("erin"), address("frank")]},
    ]  # fmt: skip
    return {"people": people, "groups": groups}


def phish_body(name: str) -> str:
    return (
        f"Dear {name},\n\nyour invoice 2026-113 is overdue. To avoid a suspension of your "
        "account, review the invoice and confirm the payment details today:\n\n"
        f"https://billing-portal.evil.test/invoice/2026-113?r={name.lower()}\n\n"
        "Payments not confirmed within 24 hours are passed on to our collection agency.\n"
        "Kind regards,\nAccounts receivable\n"
    )


def message(
    message_id: str, sender: str, to: str, subject: str, body: str, *,
    date: datetime = WHEN, headers: dict[str, str] | None = None,
    attach: bytes | None = None,
) -> bytes:  # fmt: skip
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if attach is not None:  # as mail clients attach a message: 7bit, parsed
        msg.add_attachment(email.message_from_bytes(attach, policy=email.policy.default))
    return msg.as_bytes()


def phish(to: str = address("all-staff")) -> bytes:
    return message(PHISH_ID, "Billing <billing@evil.test>", to, SUBJECT, phish_body("customer"))


def inline_forward(original: bytes, text: str) -> str:
    quoted = original.decode().split("\n\n", 1)[1]
    return (
        f"{text}\n\n---------- Forwarded message ---------\nFrom: Billing <billing@evil.test>\n"
        f"Date: Fri, 20 Nov 2026 09:30:00 +0000\nSubject: {SUBJECT}\nTo: {address('all-staff')}"
        f"\n\n{quoted}"
    )


@dataclass(frozen=True)
class Delivery:
    mailbox: str
    folder: str
    raw: bytes
    seen: bool = False


def deliveries() -> list[Delivery]:
    """Every message of the organisation, where it sits."""
    later = WHEN + timedelta(hours=1)
    original = phish()
    out = [Delivery(address(n), "INBOX", original, seen=n in ("bob", "dave", "alice"))
           for n in ("alice", "bob", "carol", "dave", "erin", "frank")]  # fmt: skip
    # The abuse mailbox holds the original too (a report delivered by the gateway).
    out.append(Delivery(ABUSE, "INBOX", original, seen=True))
    # A sibling: same campaign, other Message-ID, other sender address, sent directly.
    sibling = message(SIBLING_ID, "Accounts <accounts@evil.test>", address("gina"), SUBJECT,
                      phish_body("Gina"), date=WHEN + timedelta(minutes=7))  # fmt: skip
    out.append(Delivery(address("gina"), "INBOX", sibling))
    # A look-alike: same sender domain and subject, different content: not the campaign.
    lookalike = message(LOOKALIKE_ID, "News <news@evil.test>", address("hank"), SUBJECT,
                        "Our quarterly newsletter: new office hours and a holiday schedule.\n"
                        "See you at the summer party in the main building.\n" * 3)  # fmt: skip
    out.append(Delivery(address("hank"), "INBOX", lookalike))
    # Level 1: bob forwards inline (with References) to hank and to an external partner.
    fwd_bob = message("<fwd-bob@corp.test>", address("bob"),
                      f"{address('hank')}, friend@partner.test", f"Fw: {SUBJECT}",
                      inline_forward(original, "Is this real?"), date=later,
                      headers={"References": PHISH_ID})  # fmt: skip
    out += [Delivery(address("bob"), "Sent", fwd_bob, seen=True),
            Delivery(address("hank"), "INBOX", fwd_bob, seen=True)]  # fmt: skip
    # Level 2: hank forwards bob's forward as an attachment to the sales group.
    fwd_hank = message("<fwd-hank@corp.test>", address("hank"), address("sales"),
                       f"WG: Fw: {SUBJECT}", "FYI, see attached.", date=later + timedelta(hours=1),
                       attach=fwd_bob)  # fmt: skip
    out += [Delivery(address("hank"), "Sent", fwd_hank, seen=True),
            Delivery(address("erin"), "INBOX", fwd_hank),
            Delivery(address("frank"), "INBOX", fwd_hank, seen=True)]  # fmt: skip
    # The VIP alice forwards inline, without References, to ivan.
    fwd_alice = message("<fwd-alice@corp.test>", address("alice"), address("ivan"),
                        f"Fwd: {SUBJECT}", inline_forward(original, "Ivan, please check."),
                        date=later)  # fmt: skip
    out += [Delivery(address("alice"), "Sent", fwd_alice, seen=True),
            Delivery(address("ivan"), "INBOX", fwd_alice)]  # fmt: skip
    # carol reports it: a forward as attachment to the abuse mailbox (never followed).
    report = message("<report-carol@corp.test>", address("carol"), ABUSE,
                     f"Fw: {SUBJECT}", "Phishing?", date=later, attach=original)  # fmt: skip
    out += [Delivery(address("carol"), "Sent", report, seen=True),
            Delivery(ABUSE, "INBOX", report)]  # fmt: skip
    # bob also forwarded a real supplier's invoice reminder with the same subject once.
    old = message("<fwd-old@corp.test>", address("bob"), address("judy"), f"Fw: {SUBJECT}",
                  "Judy, the supplier's reminder about the catering invoice, paid last week.\n"
                  "Nothing to do; just for your records.\n", date=later)  # fmt: skip
    out += [Delivery(address("bob"), "Sent", old, seen=True),
            Delivery(address("judy"), "INBOX", old)]  # fmt: skip
    # Everyday mail everywhere.
    for n, name in enumerate(PEOPLE):
        out.append(Delivery(address(name), "INBOX", message(
            f"<lunch-{n}@corp.test>", address("kate"), address(name), "Lunch on Friday?",
            "Pizza or sushi?\n"), seen=True))  # fmt: skip
        out.append(Delivery(address(name), "Sent", message(
            f"<sent-{n}@corp.test>", address(name), address("kate"), "Fw: Lunch on Friday?",
            "Sushi.\n")))  # fmt: skip
    return out


# (kind, mailbox, folder, Message-ID) of every copy a correct plan includes.
EXPECTED = {
    *{("original", address(n), "INBOX", PHISH_ID)
      for n in ("alice", "bob", "carol", "dave", "erin", "frank")},
    ("sibling", address("gina"), "INBOX", SIBLING_ID),
    ("sent-forward", address("bob"), "Sent", "<fwd-bob@corp.test>"),
    ("forward", address("hank"), "INBOX", "<fwd-bob@corp.test>"),
    ("sent-forward", address("hank"), "Sent", "<fwd-hank@corp.test>"),
    ("forward", address("erin"), "INBOX", "<fwd-hank@corp.test>"),
    ("forward", address("frank"), "INBOX", "<fwd-hank@corp.test>"),
    ("forward", address("ivan"), "INBOX", "<fwd-alice@corp.test>"),
}  # fmt: skip
EXPECTED_EXTERNAL = {"partner@supplier.test", "friend@partner.test"}
# The seen flags of the included copies, by (mailbox, Message-ID).
EXPECTED_SEEN = {
    (d.mailbox, mid) for d in deliveries() for (_, mb, folder, mid) in EXPECTED
    if d.seen and d.mailbox == mb and d.folder == folder and f"Message-ID: {mid}".encode() in d.raw
}  # fmt: skip
