"""Readable, coloured summaries of analyses for the terminal (rich).

URLs and hosts are shown defanged (hxxps://evil[.]example) so a summary pasted into a chat
or ticket cannot be clicked by accident.
"""

from __future__ import annotations

import re
from collections import Counter

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from phishloop.core.model import Address, Analysis, Attachment, Authentication

_RESULT_STYLE = {"pass": "green", "fail": "bold red", "softfail": "yellow", "none": "dim"}
_DANGEROUS_FLAGS = frozenset(
    {
        "executable",
        "double-extension",
        "extension-mismatch",
        "macro",
        "html-smuggling",
        "credential-form",
        "pdf-javascript",
        "encrypted",
        "limit-exceeded",
    }
)
MAX_URLS_SHOWN = 15
MAX_REASONS_SHOWN = 6
_VERDICT_STYLE = {
    "malicious": "bold white on red",
    "suspicious": "bold yellow",
    "spam": "bold magenta",
    "bulk": "bold blue",
    "simulation": "bold cyan",
    "clean": "bold green",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: str | None) -> str:
    """Attacker-controlled text for the terminal: no control or bidi characters (which
    could rewrite the screen or reorder a file name), and no rich markup."""
    return escape(plain(text))


def plain(text: str | None) -> str:
    """Attacker-controlled text without control or bidi characters (for `Text` objects)."""
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text or "")


def defang(url: str) -> str:
    """Make a URL or host unclickable for display."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url.replace(".", "[.]")
    host, slash, path = rest.partition("/")
    return f"{scheme.replace('t', 'x')}://{host.replace('.', '[.]')}{slash}{path}"


def _address(address: Address | None) -> str:
    if address is None:
        return "—"
    text = (
        f"{address.display_name} <{address.address}>" if address.display_name else address.address
    )
    return safe(text)


class Renderer:
    """Prints one panel per analysis and a closing summary line."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        self._counts: Counter[str] = Counter()

    def show(self, analysis: Analysis) -> None:
        self._counts["messages"] += 1
        self._counts["with errors"] += bool(analysis.errors)
        self.console.rule(Text(_title(analysis), style="bold"))
        self._verdict(analysis)
        self.console.print(_overview(analysis))
        self._urls(analysis)
        self._attachments(analysis)
        self._errors(analysis)

    def summary(self) -> None:
        messages, damaged = self._counts["messages"], self._counts["with errors"]
        verdicts = ", ".join(f"{self._counts[c]} {c}" for c in _VERDICT_STYLE if self._counts[c])
        self.console.rule()
        self.console.print(
            f"{messages} message(s) analysed{f' ({verdicts})' if verdicts else ''}, "
            f"{damaged} with errors or limits hit."
        )

    def _verdict(self, analysis: Analysis) -> None:
        verdict = analysis.verdict
        if verdict is None:
            return
        self._counts[verdict.category] += 1
        kind = f" ({verdict.subtype})" if verdict.subtype else ""
        style = _VERDICT_STYLE.get(verdict.category, "bold")
        self.console.print(
            f"[{style}]{verdict.category.upper()}{kind}[/] "
            f"[dim]confidence {verdict.confidence:.0%}[/]"
        )
        for reason in verdict.reasons[:MAX_REASONS_SHOWN]:
            self.console.print(
                f"  [dim]{reason.weight:4.1f} {reason.signal:<10}[/] {reason.rule}: "
                f"{safe(reason.evidence)}"
            )
        if len(verdict.reasons) > MAX_REASONS_SHOWN:
            self.console.print(f"  [dim]… {len(verdict.reasons) - MAX_REASONS_SHOWN} more[/]")

    def _urls(self, analysis: Analysis) -> None:
        if not analysis.urls:
            return
        table = Table(title=f"URLs ({len(analysis.urls)})", title_justify="left", expand=False)
        for column in ("destination", "found in", "notes"):
            table.add_column(column, overflow="fold")
        for record in analysis.urls[:MAX_URLS_SHOWN]:
            notes = []
            if record.rewriters:
                notes.append("decoded " + " → ".join(record.rewriters))
            if record.mismatch:
                notes.append(f"[bold red]text says {safe(record.display_text)!r}[/]")
            table.add_row(
                safe(defang(record.url)), safe(", ".join(record.sources)), "; ".join(notes)
            )
        if len(analysis.urls) > MAX_URLS_SHOWN:
            table.caption = f"… and {len(analysis.urls) - MAX_URLS_SHOWN} more (use --json)"
        self.console.print(table)

    def _attachments(self, analysis: Analysis) -> None:
        if not analysis.attachments:
            return
        tree = Tree(f"[bold]Attachments ({len(analysis.attachments)})")
        for attachment in analysis.attachments:
            _add_attachment(tree, attachment)
        self.console.print(tree)

    def _errors(self, analysis: Analysis) -> None:
        for error in analysis.errors[:10]:
            self.console.print(f"[yellow]! {error.code}[/] {safe(error.message)}")
        if len(analysis.errors) > 10:
            self.console.print(f"[yellow]! … {len(analysis.errors) - 10} more[/]")


def _title(analysis: Analysis) -> str:
    path = plain(analysis.source.path) or "<stdin>"
    return f"{path}#{analysis.source.index}" if analysis.source.index is not None else path


def _overview(analysis: Analysis) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan", justify="right")
    grid.add_column(overflow="fold")
    message = analysis.message
    if analysis.report is not None:
        report = analysis.report
        grid.add_row(
            "Reported by",
            f"{safe(report.reporter or 'unknown')} ({report.format}, {report.fidelity})",
        )
    grid.add_row("Subject", safe(message.subject) or "—")
    grid.add_row("From", _address(message.from_))
    if message.reply_to:
        grid.add_row("Reply-To", ", ".join(_address(a) for a in message.reply_to))
    grid.add_row("Return-Path", safe(message.return_path) or "—")
    grid.add_row("Date", message.date or "—")
    grid.add_row("Message-ID", safe(message.message_id) or "—")
    grid.add_row("Auth", _auth(analysis.authentication))
    grid.add_row("Route", _route(analysis))
    grid.add_row("Indicators", _indicator_counts(analysis))
    return grid


def _auth(auth: Authentication) -> Text:
    text = Text()
    for method, result in (("SPF", auth.spf), ("DKIM", auth.dkim), ("DMARC", auth.dmarc)):
        text.append(f"{method} ")
        text.append(result or "—", style=_RESULT_STYLE.get(result or "none", "yellow"))
        text.append("  ")
    text.append("(trusted)" if auth.trusted else "(not from a trusted authserv-id)", style="dim")
    return text


def _route(analysis: Analysis) -> str:
    hops = analysis.received
    if not hops:
        return "no Received headers"
    first = hops[0]
    origin = " ".join(
        filter(None, (first.from_host, f"[{first.from_ip}]" if first.from_ip else None))
    )
    return f"{len(hops)} hop(s), first from {safe(defang(origin)) if origin else 'unknown'}"


def _indicator_counts(analysis: Analysis) -> str:
    counts = Counter(indicator.type for indicator in analysis.indicators)
    return ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items())) or "none"


def _add_attachment(tree: Tree, attachment: Attachment) -> None:
    flags = " ".join(
        f"[bold red]{flag}[/]" if flag in _DANGEROUS_FLAGS else f"[yellow]{flag}[/]"
        for flag in attachment.flags
    )
    label = (
        f"{safe(attachment.filename) or '(unnamed)'} [dim]{safe(attachment.detected_type)}, "
        f"{attachment.size} bytes, {_short_hash(attachment)}[/] {flags}"
    )
    branch = tree.add(label)
    for child in attachment.children:
        _add_attachment(branch, child)


def _short_hash(attachment: Attachment) -> str:
    return f"sha256 {attachment.sha256[:16]}…" if attachment.sha256 else "not read"
