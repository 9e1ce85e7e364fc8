"""Facts about one parsed message: the steps of the pipeline after parsing.

Each step runs through `run_step`, so a failure or the time limit in one step leaves the
others' facts intact. Nested emails (attached .eml/.msg) come back here through
`_NestedMail`, bounded by `limits.max_nested_messages`.
"""

from __future__ import annotations

from dataclasses import dataclass

from phishloop.core import errors
from phishloop.core.attachments import analyze_attachment
from phishloop.core.context import AnalysisContext, run_step
from phishloop.core.enrich import IndicatorLookup, collapse_matches
from phishloop.core.extract.auth import parse_authentication
from phishloop.core.extract.fingerprint import compute_fingerprint
from phishloop.core.extract.iocs import collect_indicators
from phishloop.core.extract.received import origin, parse_received
from phishloop.core.model import (
    Analysis,
    Attachment,
    Authentication,
    Body,
    Fingerprint,
    HtmlFacts,
    Indicator,
    IntelMatch,
    MessageInfo,
    ReceivedHop,
    ReportInfo,
    SourceInfo,
)
from phishloop.core.parse.detect import detect_input_kind
from phishloop.core.parse.headers import decoded_headers, message_info
from phishloop.core.parse.mime import MimePart, ParsedMessage, parse_message, part_payload
from phishloop.core.parse.msg import msg_to_rfc822
from phishloop.core.scan import YaraScanner
from phishloop.core.scan.scanner import YaraScan
from phishloop.core.services import NO_SERVICES, Services
from phishloop.core.urls.collector import UrlCollector
from phishloop.core.urls.html import analyze_html
from phishloop.core.urls.text import extract_text_urls

PLACEHOLDER_CHARS = 300  # a text/plain body this short may stand in for the HTML one
EMPTY_FINGERPRINT = Fingerprint(None, None, None, None, None, None, None, None)


def analyze_parsed(
    parsed: ParsedMessage,
    *,
    raw: bytes | None,
    report: ReportInfo | None,
    source: SourceInfo,
    ctx: AnalysisContext,
    services: Services = NO_SERVICES,
    raw_sha256: str | None = None,
) -> Analysis:
    """Extract every fact from one parsed message; `services` add intel matches and YARA
    matches. `raw_sha256` is the SHA-256 of `raw` when the caller has it (saves hashing)."""
    urls = UrlCollector(ctx)
    scan = _start_scan(services.scanner, raw, parsed, ctx)
    headers = parsed.headers
    info = run_step(ctx, "headers", lambda: message_info(headers), MessageInfo())
    hops: tuple[ReceivedHop, ...] = run_step(
        ctx, "received", lambda: parse_received(headers, ctx), ()
    )
    org = ctx.config.organisation
    auth = run_step(
        ctx, "authentication", lambda: parse_authentication(headers, org, ctx), Authentication()
    )
    body = _body(parsed, urls, ctx)
    attachments = _attachments(parsed, urls, ctx, depth=0, nested=_NestedMail(urls, ctx, scan))
    url_records = urls.finish()
    indicators: tuple[Indicator, ...] = run_step(
        ctx,
        "indicators",
        lambda: collect_indicators(
            message=info,
            urls=url_records,
            attachments=attachments,
            hops=hops,
            body_text=body.text,
            ctx=ctx,
        ),
        (),
    )
    intel = services.intel
    matches: tuple[IntelMatch, ...] = (
        run_step(ctx, "intel lookup", lambda: _intel(intel, indicators), ()) if intel else ()
    )
    no_origin: tuple[str | None, str | None] = (None, None)
    origin_ip, origin_host = run_step(ctx, "origin", lambda: origin(hops, org.domains), no_origin)
    fingerprint = run_step(
        ctx,
        "fingerprint",
        lambda: compute_fingerprint(
            raw=raw,
            message=info,
            body_text=body.text,
            html=parsed.html_body,
            urls=url_records,
            attachments=attachments,
            origin_ip=origin_ip,
            origin_host=origin_host,
            raw_sha256=raw_sha256,
        ),
        EMPTY_FINGERPRINT,
    )
    return Analysis(
        source=source,
        errors=ctx.errors.records,
        report=report,
        message=info,
        headers=run_step(ctx, "header decoding", lambda: decoded_headers(headers), ()),
        received=hops,
        authentication=auth,
        urls=url_records,
        attachments=attachments,
        indicators=indicators,
        body=body,
        fingerprint=fingerprint,
        intel=matches,
        yara=scan.matches if scan is not None else (),
    )


def _start_scan(
    scanner: YaraScanner | None, raw: bytes | None, parsed: ParsedMessage, ctx: AnalysisContext
) -> YaraScan | None:
    """Scan the raw message and its bodies now; attachment nodes are scanned as the
    attachment walker reaches them (`ctx.on_attachment_bytes`)."""
    if scanner is None:
        return None
    scan = scanner.start(ctx)
    ctx.on_attachment_bytes = scan.scan_attachment
    run_step(ctx, "YARA", lambda: scan.scan_message(raw, parsed), None)
    return scan


def _intel(lookup: IndicatorLookup, indicators: tuple[Indicator, ...]) -> tuple[IntelMatch, ...]:
    # One match per listed value and source: a URL, its host and its registered domain
    # hitting the same listed domain are one finding, not three.
    return tuple(collapse_matches(lookup.lookup(indicators)))


def empty_analysis(source: SourceInfo, ctx: AnalysisContext) -> Analysis:
    """The result for an input nothing could be read from: only source and errors."""
    return Analysis(
        source=source,
        errors=ctx.errors.records,
        report=None,
        message=MessageInfo(),
        headers=(),
        received=(),
        authentication=Authentication(),
        urls=(),
        attachments=(),
        indicators=(),
        body=Body(),
        fingerprint=EMPTY_FINGERPRINT,
    )


def _body(parsed: ParsedMessage, urls: UrlCollector, ctx: AnalysisContext) -> Body:
    html_facts, html_text = _scan_bodies(parsed, urls, ctx, "text", "html")
    plain = parsed.text_body.strip()
    # A short text/plain part next to a rich HTML body is often a placeholder ("view this
    # email in your browser", a phishing kit's "optional message here"): read the HTML.
    text = (html_text if len(plain) * 4 < len(html_text) else plain).replace("\r\n", "\n")
    limit = ctx.limits.max_body_text_chars
    return Body(
        text=text[:limit],
        truncated=len(text) > limit,
        language_hint=_content_language(parsed.headers),
        html=html_facts,
    )


def _scan_bodies(
    parsed: ParsedMessage,
    urls: UrlCollector,
    ctx: AnalysisContext,
    text_source: str,
    html_source: str,
) -> tuple[HtmlFacts, str]:
    """Collect URLs from the text and HTML bodies; return the HTML facts and, when the
    text/plain body is missing or short (`PLACEHOLDER_CHARS`), the HTML's visible text."""
    if parsed.text_body:
        run_step(
            ctx,
            "text URLs",
            lambda: extract_text_urls(parsed.text_body, urls, ctx, text_source),
            None,
        )
    if not parsed.html_body:
        return HtmlFacts(), ""
    # The HTML's visible text is only needed when text/plain may not be the real body.
    need_text = len(parsed.text_body.strip()) < PLACEHOLDER_CHARS
    html = run_step(
        ctx,
        "HTML",
        lambda: analyze_html(parsed.html_body, urls, ctx, html_source, visible_text=need_text),
        None,
    )
    return (html.facts, html.text) if html is not None else (HtmlFacts(present=True), "")


def _content_language(headers: list[tuple[str, str]]) -> str | None:
    for name, value in headers:
        if name.lower() == "content-language":
            return value.strip()[:35] or None
    return None


def _attachments(
    parsed: ParsedMessage,
    urls: UrlCollector,
    ctx: AnalysisContext,
    *,
    depth: int,
    prefix: str = "",
    nested: _NestedMail | None = None,
) -> tuple[Attachment, ...]:
    limit = ctx.limits.max_attachments
    parts = parsed.attachments
    if len(parts) > limit:
        ctx.errors.add(errors.LIMIT_ATTACHMENTS, f"{len(parts)} attachments; only {limit} analysed")
    nested = nested or _NestedMail(urls, ctx)
    results: list[Attachment] = []
    for index, part in enumerate(parts[:limit]):
        path = f"{prefix}{part.filename or f'part-{part.path or index + 1}'}"
        result = run_step(
            ctx, f"attachment {path}", _AttachmentStep(part, path, urls, ctx, depth, nested), None
        )
        if result is not None:
            results.append(result)
    return tuple(results)


@dataclass(frozen=True)
class _AttachmentStep:
    """One attachment's analysis, as a step for `run_step`."""

    part: MimePart
    path: str
    urls: UrlCollector
    ctx: AnalysisContext
    depth: int
    nested: _NestedMail

    def __call__(self) -> Attachment | None:
        self.ctx.deadline.check()
        return analyze_attachment(
            part_payload(self.part, self.ctx),
            filename=self.part.filename,
            content_type=self.part.content_type,
            ctx=self.ctx,
            urls=self.urls,
            path=self.path,
            depth=self.depth,
            nested=self.nested,
        )


class _NestedMail:
    """Analyses an email attached to an email: its URLs join the outer message's, its
    attachments become children of the attachment that holds it."""

    def __init__(
        self, urls: UrlCollector, ctx: AnalysisContext, scan: YaraScan | None = None
    ) -> None:
        self._urls = urls
        self._ctx = ctx
        self._scan = scan
        self._count = 0

    def __call__(
        self, data: bytes, path: str, depth: int
    ) -> tuple[MessageInfo | None, tuple[Attachment, ...]]:
        ctx = self._ctx
        self._count += 1
        if self._count > ctx.limits.max_nested_messages:
            ctx.errors.add(
                errors.LIMIT_NESTED, f"more than {ctx.limits.max_nested_messages} attached emails"
            )
            return None, ()
        if detect_input_kind(data, path) == "msg":
            data = msg_to_rfc822(data, ctx) or b""
        parsed = parse_message(data, ctx)
        source = f"attachment:{path}"
        _scan_bodies(parsed, self._urls, ctx, source, source)
        if self._scan is not None:
            self._scan.scan_bodies(parsed, within=path)
        children = _attachments(
            parsed, self._urls, ctx, depth=depth, prefix=f"{path}/", nested=self
        )
        return message_info(parsed.headers), children
