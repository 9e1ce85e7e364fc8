"""Campaign fingerprints: copies of one campaign match, different campaigns do not."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from phishloop.core.domains import registered_domain
from phishloop.core.extract.campaign_text import normalize_body, normalize_subject
from phishloop.core.extract.fingerprint import compute_fingerprint, similarity
from phishloop.core.model import Address, Attachment, Fingerprint, MessageInfo, UrlRecord

PHISH_BODY = """{greeting}

We detected an unusual sign-in attempt on your mailbox {email} on {date} from IP {ip}.
For your security, access to incoming messages has been temporarily restricted.
To keep using your account, confirm your identity within 24 hours at
https://secure-login.mailbox-verify.net/auth/{token}?uid={uid}
If you do not verify, your mailbox will be permanently deactivated and all stored
messages will be deleted. Reference number: {reference}.

Regards,
IT Service Desk
"""
PHISH_HTML = (
    '<html><body><p style="color:{color}">{greeting}</p><p>We detected an unusual sign-in.</p>'
    '<a href="https://secure-login.mailbox-verify.net/auth/{token}">Verify</a>'
    "<table><tr><td>{name}</td></tr></table></body></html>"
)
INVOICE_BODY = """Hello,

Please find attached the outstanding invoice for the consulting services delivered last
quarter. Payment is due within fourteen days of receipt. Our bank details have changed, so
please use the account listed on page two of the attached document for this transfer.
Let me know if you have any questions about the amounts listed.

Best regards,
Accounts Receivable
"""


def url_record(value: str) -> UrlRecord:
    host = value.split("/")[2]
    return UrlRecord(value, value, host, registered_domain(host), ("text",))


def phish_copy(
    name: str, email: str, token: str, reference: str, *, greeting: str
) -> dict[str, object]:
    link = f"https://secure-login.mailbox-verify.net/auth/{token}?uid={reference}"
    body = PHISH_BODY.format(
        greeting=greeting.format(name=name),
        email=email,
        date="2024-03-0" + reference[-1],
        ip="198.51.100." + reference[-2:],
        token=token,
        uid=reference,
        reference=reference,
    )
    html = PHISH_HTML.format(
        color="#" + reference[-6:], greeting=greeting.format(name=name), token=token, name=name
    )
    message = MessageInfo(
        subject=f"RE: [EXTERNAL] Action required: mailbox {email} suspended #{reference}",
        from_=Address("it-support@mailbox-verify.net", "IT Support"),
        return_path=f"bounce-{reference}@mail.bulk-sender.net",
        to=(Address(email, name),),
    )
    return {
        "raw": body.encode() + reference.encode(),
        "message": message,
        "body_text": body,
        "html": html,
        "urls": (url_record(link),),
        "attachments": (),
        "origin_ip": "192.0.2.44",
        "origin_host": "mta7.bulk-sender.net",
    }


JOHN = phish_copy(
    "John Smith",
    "john.smith@corp.example",
    "a8F3kQ29xZ7mLp04Rt",
    "48213977",
    greeting="Dear {name},",
)
MARY = phish_copy(
    "Mary O'Neil", "m.oneil@corp.example", "Zq81LmN0pX4tYv66Ke", "99120345", greeting="Hi {name}!"
)


def test_two_copies_of_one_campaign_share_their_keys() -> None:
    a = compute_fingerprint(**JOHN)  # type: ignore[arg-type]
    b = compute_fingerprint(**MARY)  # type: ignore[arg-type]
    assert a.raw_sha256 != b.raw_sha256
    assert a.body_sha256 == b.body_sha256 is not None
    assert a.body_tlsh == b.body_tlsh is not None
    assert a.subject_normalized == b.subject_normalized == "action required mailbox suspended"
    assert a.url_paths_sha256 == b.url_paths_sha256 is not None
    assert a.url_domains == b.url_domains == ("mailbox-verify.net",)
    assert a.html_structure_sha256 == b.html_structure_sha256 is not None
    assert a.sender_domain == "mailbox-verify.net"
    assert a.return_path_domain == b.return_path_domain == "bulk-sender.net"
    assert (a.origin_ip, a.origin_host) == ("192.0.2.44", "mta7.bulk-sender.net")
    assert similarity(a, b) == 1.0


def test_reworded_copy_is_still_similar_by_tlsh() -> None:
    a = compute_fingerprint(**JOHN)  # type: ignore[arg-type]
    reworded = str(JOHN["body_text"]).replace("temporarily restricted", "limited for now")
    edited = dict(JOHN, raw=None, body_text=reworded)
    b = compute_fingerprint(**edited)  # type: ignore[arg-type]
    assert a.body_sha256 != b.body_sha256
    assert similarity(a, b) >= 0.8


def test_different_campaigns_are_not_similar() -> None:
    phish = compute_fingerprint(**JOHN)  # type: ignore[arg-type]
    invoice = compute_fingerprint(
        raw=INVOICE_BODY.encode(),
        message=MessageInfo(
            subject="Invoice 2024-0117 overdue",
            from_=Address("ar@consulting.example"),
            return_path="ar@consulting.example",
            to=(Address("john.smith@corp.example"),),
        ),
        body_text=INVOICE_BODY,
        html="",
        urls=(),
        attachments=(pdf := attachment_of(b"%PDF-1.7 invoice"),),
        origin_ip="198.51.100.20",
        origin_host="mail.consulting.example",
    )
    assert invoice.attachment_sha256 == (pdf.sha256,)
    assert similarity(phish, invoice) < 0.2
    assert similarity(invoice, phish) == similarity(phish, invoice)


def attachment_of(content: bytes, *children: Attachment) -> Attachment:
    return Attachment(
        filename="f",
        content_type="application/octet-stream",
        detected_type="application/octet-stream",
        size=len(content),
        md5="",
        sha1="",
        sha256=hashlib.sha256(content).hexdigest(),
        children=children,
    )


def test_attachment_hashes_are_collected_through_children_and_lift_similarity() -> None:
    exe = attachment_of(b"MZ dropper")
    zipped = attachment_of(b"PK", exe)
    a = compute_fingerprint(**dict(JOHN, attachments=(zipped,)))  # type: ignore[arg-type]
    assert a.attachment_sha256 == tuple(sorted({exe.sha256, zipped.sha256}))
    other = compute_fingerprint(
        raw=b"x",
        message=MessageInfo(subject="totally different"),
        body_text=INVOICE_BODY,
        html="",
        urls=(),
        attachments=(exe,),
        origin_ip=None,
        origin_host=None,
    )
    assert similarity(a, other) >= 0.9


def test_same_raw_bytes_is_identity() -> None:
    empty = Fingerprint(*(None,) * 8)
    a = replace(empty, raw_sha256="ab" * 32)
    assert similarity(a, replace(empty, raw_sha256="ab" * 32)) == 1.0
    assert similarity(empty, empty) == 0.0  # nothing known is no evidence of sameness


def test_short_equal_bodies_are_not_automatically_the_same_campaign() -> None:
    a = compute_fingerprint(
        raw=None,
        message=MessageInfo(subject="a"),
        body_text="See attached.",
        html="",
        urls=(),
        attachments=(),
        origin_ip=None,
        origin_host=None,
    )
    b = compute_fingerprint(
        raw=None,
        message=MessageInfo(subject="b"),
        body_text="See attached!",
        html="",
        urls=(),
        attachments=(),
        origin_ip=None,
        origin_host=None,
    )
    assert a.body_sha256 == b.body_sha256 and a.body_tlsh is None
    assert similarity(a, b) < 1.0


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("RE: Fwd: FW: Invoice overdue", "invoice overdue"),
        ("AW: WG: Rechnung", "rechnung"),
        ("[EXTERNAL] *SPAM* Your parcel #A12345 is waiting", "your parcel is waiting"),
        ("Re[2]: Re(3): meeting", "meeting"),
        ("Payment 4,599.00 USD for John", "payment usd for"),
        ("12345", None),
        ("", None),
    ],
)
def test_subject_normalisation(subject: str, expected: str | None) -> None:
    assert normalize_subject(subject, frozenset({"john"})) == expected


def test_body_normalisation_folds_volatile_parts() -> None:
    text = (
        "Hello Anna,\nYour code 12345 expires. Visit www.x.example/a?b=1 or mail a@b.example. Anna!"
    )
    assert normalize_body(text, frozenset({"anna"})) == "your code expires visit or mail"
    assert normalize_body("Greetings\n" + "x" * 30 + " word", frozenset()) == "word"
    case_a = normalize_body("Your case ID: PP-8F3K-29XZ (opened 3/4).", frozenset())
    case_b = normalize_body("Your case ID: PP-2A7B-11QQ (opened 12/11).", frozenset())
    assert case_a == case_b == "your case id pp opened"


@pytest.mark.parametrize(
    "html",
    [
        "<" * 10_000,
        "<a" * 50_000,
        "<html><body>" + "<div>" * 30_000,
    ],
)
def test_hostile_html_is_bounded(html: str) -> None:
    fingerprint = compute_fingerprint(
        raw=None,
        message=MessageInfo(),
        body_text="",
        html=html,
        urls=(),
        attachments=(),
        origin_ip=None,
        origin_host=None,
    )
    assert fingerprint.body_sha256 is None
    assert (fingerprint.html_structure_sha256 is None) == (html == "<" * 10_000)


def test_url_paths_ignore_query_and_per_recipient_segments() -> None:
    def key(*urls: str) -> str | None:
        records = tuple(url_record(u) for u in urls)
        return compute_fingerprint(
            raw=None,
            message=MessageInfo(),
            body_text="",
            html="",
            urls=records,
            attachments=(),
            origin_ip=None,
            origin_host=None,
        ).url_paths_sha256

    base = key("https://evil.example/login/index.php?u=1#x")
    assert base == key("https://evil.example/login/index.php?u=2")
    assert key("https://evil.example/t/9f8a7b6c5d4e3f2a1b/go") == key(
        "https://evil.example/t/11aa22bb33cc44dd55/go"
    )
    assert key("https://evil.example/r/123456") == key("https://evil.example/r/987654")
    assert base != key("https://evil.example/login/other.php")
    assert key("https://bit.ly/3xYz12") != key("https://bit.ly/9QwE44")


PARCEL_BODY = """Dear customer,

Your parcel could not be delivered because the customs fee of 2.99 EUR has not been paid.
Pay the fee today to schedule a new delivery date, otherwise the parcel is returned to sender.
Track and pay: https://parcel-track-fee.com/pay/{token}
Thank you for choosing our delivery service.
"""


def test_two_different_phishing_campaigns_score_low() -> None:
    mailbox = compute_fingerprint(**JOHN)  # type: ignore[arg-type]
    link = "https://parcel-track-fee.com/pay/88hd7Gf6"
    parcel = compute_fingerprint(
        raw=b"parcel",
        message=MessageInfo(
            subject="Your parcel is on hold",
            from_=Address("noreply@parcel-track-fee.com"),
            return_path="bounce@mail.bulk-sender.net",  # same mailing service, other campaign
            to=(Address("john.smith@corp.example", "John Smith"),),
        ),
        body_text=PARCEL_BODY.format(token="88hd7Gf6"),
        html='<html><body><p>Dear customer</p><a href="' + link + '">Pay</a></body></html>',
        urls=(url_record(link),),
        attachments=(),
        origin_ip="203.0.113.80",
        origin_host="mta2.bulk-sender.net",
    )
    assert parcel.body_tlsh is not None
    assert similarity(mailbox, parcel) < 0.3


def test_unreadable_tlsh_digest_counts_as_unrelated() -> None:
    empty = Fingerprint(*(None,) * 8)
    a = replace(empty, body_tlsh="T1abc", body_sha256="1")
    b = replace(empty, body_tlsh="T1abd", body_sha256="2")
    assert similarity(a, b) == 0.0


def test_equal_boilerplate_text_with_unrelated_links_is_not_identity() -> None:
    boilerplate = "This message needs an e-mail program that can show HTML. " * 3
    a = compute_fingerprint(
        raw=None,
        message=MessageInfo(subject="Your parcel"),
        body_text=boilerplate,
        html="<p>parcel</p>",
        urls=(url_record("https://parcel-fee.com/pay"),),
        attachments=(),
        origin_ip=None,
        origin_host=None,
    )
    b = compute_fingerprint(
        raw=None,
        message=MessageInfo(subject="Bank alert"),
        body_text=boilerplate,
        html="<div>bank</div>",
        urls=(url_record("https://bank-verify.net/login"),),
        attachments=(),
        origin_ip=None,
        origin_host=None,
    )
    assert a.body_sha256 == b.body_sha256 and a.body_tlsh is not None
    assert similarity(a, b) < 0.6  # the text alone still counts, at its weight
    no_links = replace(b, url_domains=(), url_paths_sha256=None)
    assert similarity(replace(a, url_domains=(), url_paths_sha256=None), no_links) == 1.0


def test_styled_letters_fold_to_plain_ones() -> None:
    assert normalize_subject("𝐈𝐦𝐩𝐨𝐫𝐭𝐚𝐧𝐭 Ｆｏｒ 𝐘𝐨𝐮", frozenset()) == "important for you"
    assert normalize_body("𝐕𝐞𝐫𝐢𝐟𝐲 your ﬁle", frozenset()) == "verify your file"
