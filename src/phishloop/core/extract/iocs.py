"""Indicators of compromise: every URL, host, sender, relay IP and file hash of a message,
normalised once through `phishloop.core.indicators`."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import unquote

from phishloop.core import errors
from phishloop.core.context import AnalysisContext
from phishloop.core.extract.text_iocs import public_ip, scan_text
from phishloop.core.indicators import IndicatorSet
from phishloop.core.model import Address, Attachment, Indicator, MessageInfo, ReceivedHop, UrlRecord

MAX_MAILTO_ADDRESSES = 20
MAX_ATTACHMENT_NODES = 5000  # attachment trees are bounded upstream; this guards the walk


def text_indicators(text: str, ctx: AnalysisContext) -> list[Indicator]:
    """Public IPv4/IPv6 addresses, e-mail addresses and md5/sha1/sha256 strings in `text`,
    normalised. Skipped as noise: anything inside a URL (tracking tokens), version and build
    numbers ("version 1.2.3.4"), Message-/Content-IDs, addresses whose domain has no public
    suffix ("logo@2x.png"), hex runs longer than a hash or made only of digits or letters."""
    limit = ctx.limits.max_text_scan_bytes
    if len(text) > limit:
        ctx.errors.add(errors.LIMIT_TEXT, f"text scanned for indicators cut at {limit} characters")
        text = text[:limit]
    ctx.deadline.check()
    found = IndicatorSet()
    for kind, value in scan_text(text):
        found.add(kind, value)
    return list(found.to_tuple())


def collect_indicators(
    *,
    message: MessageInfo,
    urls: tuple[UrlRecord, ...],
    attachments: tuple[Attachment, ...],
    hops: tuple[ReceivedHop, ...],
    body_text: str,
    ctx: AnalysisContext,
) -> tuple[Indicator, ...]:
    """The message's indicators, deduplicated: senders (From, Sender, Reply-To, Return-Path)
    and their domains, URLs with their hosts and registered domains (mailto: links as
    addresses), public relay IPs, attachment hashes (nested ones too) and what
    `text_indicators` finds in the body."""
    found = IndicatorSet()
    for address in _sender_addresses(message):
        found.add("email", address)
        found.extend(_host_indicators(address.rpartition("@")[2].strip("<> ").lower()))
    for record in urls:
        found.add("url", record.url)
        if record.host:
            found.extend(_host_indicators(record.host))
        elif record.url[:7].lower() == "mailto:":
            _add_mailto(found, record.url[7:])
    for hop in hops:
        if hop.from_ip and public_ip(hop.from_ip):
            found.add("ip", hop.from_ip)
    for attachment in _walk(attachments, ctx):
        found.add("md5", attachment.md5)
        found.add("sha1", attachment.sha1)
        found.add("sha256", attachment.sha256)
    found.extend(text_indicators(body_text, ctx))
    return found.to_tuple()


@lru_cache(maxsize=8192)
def _host_indicators(host: str) -> tuple[Indicator, ...]:
    """What `IndicatorSet.add_host` yields for `host` (cached: hosts repeat across mail,
    and normalising one costs several IP parse attempts)."""
    found = IndicatorSet()
    found.add_host(host)
    return found.to_tuple()


def _add_mailto(found: IndicatorSet, target: str) -> None:
    for address in unquote(target.partition("?")[0]).split(",")[:MAX_MAILTO_ADDRESSES]:
        if "@" in address:
            found.add("email", address)
            found.extend(_host_indicators(address.rpartition("@")[2].strip().lower()))


def _sender_addresses(message: MessageInfo) -> Iterator[str]:
    people: list[Address | None] = [message.from_, message.sender, *message.reply_to]
    for person in people:
        if person is not None and "@" in person.address:
            yield person.address
    if message.return_path and "@" in message.return_path:
        yield message.return_path


def _walk(attachments: tuple[Attachment, ...], ctx: AnalysisContext) -> Iterator[Attachment]:
    pending = list(reversed(attachments))
    seen = 0
    while pending and seen < MAX_ATTACHMENT_NODES:
        attachment = pending.pop()
        seen += 1
        yield attachment
        pending.extend(reversed(attachment.children))
    if pending:
        ctx.errors.add(errors.LIMIT_ATTACHMENTS, "attachment tree too large to list every hash")
