"""Derived values the bulk rules share: unsubscribe footers, link concentration, the
domains of the sending infrastructure, and whether a list message looks harmless."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from phishloop.core.classify.facts import Facts

FOOTER_HEAD = 1_500  # "view in browser | unsubscribe" banners sit at the top
FOOTER_TAIL = 6_000  # footers at the end; quoting and signatures push them a little up
# Unsubscribe / preference wording in the languages our users read most. Literal
# alternatives only (no nested quantifiers), run on a bounded window of the text.
FOOTER_RE = re.compile(
    r"\bunsubscrib|\bopt[- ]out\b|manage (?:your )?(?:e-?mail |subscription |communication )?"
    r"(?:preferences|subscriptions?|settings)|update (?:your )?(?:e-?mail |subscription )?"
    r"preferences|you (?:are|were) receiving this|you(?:'re| are) (?:receiving|subscribed)"
    r"|you received this (?:e-?mail|message|newsletter)|to stop receiving|no longer wish to "
    r"receive|(?:not|rather not) (?:wish|want|like) to receive|remove yourself from"
    r"|removed from (?:this|our|the) (?:mailing )?list|this (?:e-?mail|message) was sent to"
    r"|(?:e-?mail|communication|subscription|mailing|newsletter|notification) (?:preferences"
    r"|settings)|\babmelden\b|\babbestellen|sie erhalten diese"
    r"|d[ée]sabonner|d[ée]sinscri|vous recevez ce|darse de baja|dar de baja"
    r"|cancelar (?:la |tu )?suscripci|anular (?:la )?suscripci|recibes este"
    r"|descadastr|cancelar (?:a )?inscri|voc[eê] est[aá] recebendo"
    r"|disiscriviti|annulla(?:re)? l.iscrizione|uitschrijven|afmelden voor"
)
# Every alternative of FOOTER_RE contains one of these; the first few are the common ones.
FOOTER_ANCHORS = (
    "unsubscri", "preferences", "receiving", "settings", "opt-out", "opt out", "to receive",
    "received this", "remove", "was sent to", "abmelden", "abbestellen", "sie erhalten",
    "sabonner", "sinscri", "vous recevez", "de baja", "suscripci", "recibes", "descadastr",
    "inscri", "recebendo", "disiscriviti", "iscrizione", "uitschrijven", "afmelden",
    "subscribed", "manage",
)  # fmt: skip
MAX_ANCHOR_TRIES = 5  # occurrences of one anchor word tried before giving up on it
ANCHOR_BEFORE = 40  # the longest alternative's text before its anchor, with room to spare
ANCHOR_AFTER = 60
DISCUSSION_HEADERS = (
    "list-post", "x-mailman-version", "x-beenthere", "mailing-list", "x-google-group-id",
    "x-mailing-list", "archived-at", "list-archive",
)  # fmt: skip
# Sender/Errors-To of list servers (majordomo owner-x, Mailman x-bounces, x-request).
LIST_OWNER_RE = re.compile(r"^(?:owner-[^@]+|[^@]+-(?:owner|request|bounces|admin))@")
MIN_TRACKED_LINKS = 5
MIN_DISTINCT_TRACKED = 3
DKIM_D_RE = re.compile(r"(?:^|;)\s*d\s*=\s*([a-z0-9.-]{1,253})", re.IGNORECASE)
MAX_DKIM_SIGNATURES = 5
# Attachment flags that mean active or deceptive content (archive, truncated... do not).
RISKY_FLAGS = frozenset({
    "executable", "double-extension", "extension-mismatch", "password-in-name", "encrypted",
    "macro", "autoopen", "dde", "ole-object", "embedded-file", "external-link",
    "pdf-javascript", "html-smuggling", "credential-form", "qr-code",
})  # fmt: skip


def discussion_list_marks(facts: Facts) -> list[str]:
    """Headers (or list-server Sender / Errors-To addresses) written by list software."""
    found = [name for name in DISCUSSION_HEADERS if name in facts.headers]
    for name in ("sender", "errors-to"):
        value = (facts.header(name) or "").strip().strip("<>").lower()
        address = value.rsplit("<", 1)[-1].rstrip(">").strip()
        if LIST_OWNER_RE.match(address[:200]):
            found.append(f"{name} {address[:60]}")
    return found


def footer_match(facts: Facts) -> str | None:
    """The unsubscribe/preferences wording in the head or tail of the text, if any. The
    regular expression only runs around literal anchors (str.find is much faster than
    trying every alternative at every position)."""
    text = facts.text
    if len(text) > FOOTER_HEAD + FOOTER_TAIL:
        text = f"{text[:FOOTER_HEAD]} {text[-FOOTER_TAIL:]}"
    for anchor in FOOTER_ANCHORS:
        at = text.find(anchor)
        for _ in range(MAX_ANCHOR_TRIES):
            if at == -1:
                break
            found = FOOTER_RE.search(text, max(0, at - ANCHOR_BEFORE), at + ANCHOR_AFTER)
            if found:
                return found.group(0)
            at = text.find(anchor, at + 1)
    return None


def tracked_link_host(facts: Facts) -> tuple[str, int] | None:
    """The host most body links point to, when it holds many distinct links and at least
    half of them (the shape of click tracking), with its link count."""
    body_urls = [u for u in facts.analysis.urls if u.host and _from_body(u.sources)]
    if len(body_urls) < MIN_TRACKED_LINKS:
        return None
    counts = Counter(u.host for u in body_urls)
    host, count = counts.most_common(1)[0]
    if host is None or count < MIN_TRACKED_LINKS or count * 2 < len(body_urls):
        return None
    distinct = {u.url for u in body_urls if u.host == host}
    return (host, count) if len(distinct) >= MIN_DISTINCT_TRACKED else None


def _from_body(sources: tuple[str, ...]) -> bool:
    return any(source.startswith(("html", "text")) for source in sources)


def infrastructure_domains(facts: Facts) -> Iterator[tuple[str, str]]:
    """(where, domain) of the sending infrastructure: Return-Path, DKIM d=, Message-ID
    and Sender domains."""
    if facts.return_path_domain:
        yield "Return-Path", facts.return_path_domain
    for signature in facts.headers.get("dkim-signature", ())[:MAX_DKIM_SIGNATURES]:
        found = DKIM_D_RE.search(signature)
        if found:
            yield "DKIM d=", found.group(1).lower().rstrip(".")
    message_id = facts.analysis.message.message_id or ""
    if "@" in message_id:
        yield "Message-ID", message_id.rsplit("@", 1)[1].strip("<> ").lower()
    sender = facts.analysis.message.sender
    if sender and "@" in sender.address:
        yield "Sender", sender.address.rsplit("@", 1)[1].lower()


def looks_harmless(facts: Facts) -> bool:
    """No active or deceptive content: nothing a discussion-list bonus may hide."""
    analysis = facts.analysis
    html = analysis.body.html
    return not (
        facts.attachment_flags & RISKY_FLAGS
        or analysis.intel
        or analysis.yara
        or html.forms
        or html.password_inputs
        or html.smuggling
        or html.javascript_links
        or html.data_links
        or html.meta_refresh
        or any(url.mismatch for url in analysis.urls)
    )
