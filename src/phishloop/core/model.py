"""The facts phishloop extracts from one reported email.

These frozen dataclasses are the contract between the analysis core and everything
built on it (the verdict engine, the service, the CLI). `phishloop.core.serialize`
turns an `Analysis` into the documented JSON (`phishloop.analysis/1`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SCHEMA_ID = "phishloop.analysis/1"

Fidelity = Literal["full", "reconstructed"]
IndicatorType = Literal["url", "domain", "ip", "email", "md5", "sha1", "sha256"]


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """Something that was damaged, skipped or cut by a limit."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """The input bytes an analysis came from."""

    path: str | None
    sha256: str
    size: int
    index: int | None = None  # position inside an mbox, when the input is one


@dataclass(frozen=True, slots=True)
class ReportInfo:
    """Present when the input was an employee's report wrapping the original."""

    reporter: str | None
    fidelity: Fidelity
    format: str  # e.g. "rfc822-attachment", "arf", "inline-forward/outlook"
    subject: str | None = None  # the wrapper's subject ("FW: ...", "Phishing report")
    date: str | None = None
    comment: str | None = None  # what the reporter wrote above the forward, if any


@dataclass(frozen=True, slots=True)
class Address:
    address: str
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class MessageInfo:
    message_id: str | None = None
    subject: str | None = None
    date: str | None = None  # ISO 8601
    from_: Address | None = None
    sender: Address | None = None
    reply_to: tuple[Address, ...] = ()
    return_path: str | None = None
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    user_agent: str | None = None  # X-Mailer / User-Agent


@dataclass(frozen=True, slots=True)
class Header:
    name: str
    value: str  # RFC 2047-decoded, unfolded


@dataclass(frozen=True, slots=True)
class ReceivedHop:
    """One Received header; hops are listed in travel order (origin first)."""

    index: int
    from_host: str | None = None
    from_ip: str | None = None
    by_host: str | None = None
    protocol: str | None = None
    timestamp: str | None = None  # ISO 8601
    delay_seconds: float | None = None  # since the previous hop, when both are dated
    raw: str = ""


@dataclass(frozen=True, slots=True)
class AuthResult:
    """One method result from one Authentication-Results or Received-SPF header."""

    method: str  # spf, dkim, dmarc, arc, ...
    result: str  # pass, fail, softfail, neutral, none, temperror, permerror, ...
    authserv_id: str | None
    trusted: bool
    properties: tuple[tuple[str, str], ...] = ()  # e.g. (("header.d", "example.com"),)
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Authentication:
    """Headline SPF/DKIM/DMARC results; `trusted` is True only when they come from an
    authserv-id configured as the organisation's own."""

    spf: str | None = None
    dkim: str | None = None
    dmarc: str | None = None
    trusted: bool = False
    authserv_id: str | None = None
    spf_domain: str | None = None
    dkim_domains: tuple[str, ...] = ()
    dmarc_domain: str | None = None
    results: tuple[AuthResult, ...] = ()


@dataclass(frozen=True, slots=True)
class UrlRecord:
    url: str  # real destination after decoding link rewriters
    original: str  # the text as found
    host: str | None
    registered_domain: str | None
    sources: tuple[str, ...]  # text, html, attachment:<name>, qr, ics, pdf, ...
    display_text: str | None = None
    mismatch: bool = False  # anchor text names another host than the href
    rewriters: tuple[str, ...] = ()  # link rewriters that were decoded, outermost first


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str | None
    content_type: str
    detected_type: str
    size: int
    md5: str | None  # None when the bytes could not be read (encrypted or refused member)
    sha1: str | None
    sha256: str | None
    flags: tuple[str, ...] = ()
    children: tuple[Attachment, ...] = ()
    path: str = ""  # location inside the message, e.g. "invoice.zip/invoice.exe"
    details: tuple[tuple[str, str], ...] = ()  # evidence behind flags (macro keywords, ...)
    message: MessageInfo | None = None  # set when the attachment is itself an email


@dataclass(frozen=True, slots=True)
class Indicator:
    type: IndicatorType
    value: str


@dataclass(frozen=True, slots=True)
class HtmlFacts:
    """Structural facts about the HTML body that rules and models use."""

    present: bool = False
    forms: int = 0
    password_inputs: int = 0
    scripts: int = 0
    iframes: int = 0
    hidden_text_chars: int = 0
    tracking_pixels: int = 0
    external_images: int = 0
    links: int = 0
    smuggling: bool = False  # script that assembles a file (Blob/atob/msSaveOrOpenBlob)
    meta_refresh: str | None = None
    javascript_links: int = 0  # href="javascript:..."
    data_links: int = 0  # href="data:..."


@dataclass(frozen=True, slots=True)
class Body:
    """The readable text of the message, bounded in size."""

    text: str = ""  # plain-text body, or text extracted from the HTML body
    truncated: bool = False
    language_hint: str | None = None  # from Content-Language, when given
    html: HtmlFacts = field(default_factory=HtmlFacts)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Keys that let two copies of one campaign be recognised as such."""

    raw_sha256: str | None  # the analysed original's bytes (None when reconstructed)
    body_sha256: str | None  # normalised text: digits, tokens and whitespace folded
    body_tlsh: str | None  # fuzzy hash of the normalised text (None when too short)
    subject_normalized: str | None
    sender_domain: str | None
    return_path_domain: str | None
    origin_ip: str | None
    origin_host: str | None
    url_domains: tuple[str, ...] = ()
    url_paths_sha256: str | None = None  # URL set without query strings and fragments
    attachment_sha256: tuple[str, ...] = ()
    html_structure_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class IntelMatch:
    """An indicator of the message found in threat intelligence."""

    indicator: Indicator  # as extracted from the message
    matched: Indicator  # the intel entry that matched (e.g. the parent domain)
    match: str  # exact, parent-domain, url-without-query, cidr, ...
    source: str  # feed or provider name
    category: str | None = None  # phishing, malware, c2, spam, ...
    confidence: float | None = None  # 0..1 when the source gives one
    reference: str | None = None
    first_seen: str | None = None


@dataclass(frozen=True, slots=True)
class YaraMatch:
    """A YARA rule that matched the raw message, a body or an attachment."""

    rule: str
    namespace: str
    target: str  # "message", "body:text", "body:html", "attachment:<path>"
    tags: tuple[str, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule hit behind a verdict: the rule, what it saw, and its weight."""

    rule: str
    evidence: str
    weight: float
    signal: str  # what it argues for: phish, malware, bec, extortion, scam, spam, bulk, ...


@dataclass(frozen=True, slots=True)
class Verdict:
    """The judgement of one message, explained by its reasons."""

    category: str  # malicious, suspicious, spam, bulk, simulation, clean
    subtype: str | None  # for malicious/suspicious: phish, malware, bec, extortion, scam
    confidence: float  # 0..1, calibrated on labelled mail (docs/verdicts.md)
    reasons: tuple[Reason, ...]
    scores: tuple[tuple[str, float], ...] = ()  # summed weight per signal
    model_probability: float | None = None  # the trained model's P(unwanted), when used


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything phishloop knows about one reported original."""

    source: SourceInfo
    errors: tuple[ErrorRecord, ...]
    report: ReportInfo | None
    message: MessageInfo
    headers: tuple[Header, ...]
    received: tuple[ReceivedHop, ...]
    authentication: Authentication
    urls: tuple[UrlRecord, ...]
    attachments: tuple[Attachment, ...]
    indicators: tuple[Indicator, ...]
    body: Body
    fingerprint: Fingerprint
    intel: tuple[IntelMatch, ...] = ()
    yara: tuple[YaraMatch, ...] = ()
    verdict: Verdict | None = None  # filled by the verdict engine
    schema: str = SCHEMA_ID
    duration_ms: float = 0.0
