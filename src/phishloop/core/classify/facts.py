"""`Facts`: one analysis seen through the eyes of the rules — derived values computed once
and shared by every rule (sender domains, lower-cased text, flattened attachments…)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from phishloop.core.classify.history import SenderHistory
from phishloop.core.classify.opinion import MessageModel, ModelOpinion
from phishloop.core.config import AnalysisConfig
from phishloop.core.domains import host_in_domains, registered_domain
from phishloop.core.model import Address, Analysis, Attachment

T = TypeVar("T")
MAX_RULE_TEXT = 50_000  # characters of body text the content rules read


def _domain_of(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rsplit("@", 1)[1].strip().lower().rstrip(".") or None


@dataclass(frozen=True)
class Facts:
    analysis: Analysis
    config: AnalysisConfig
    history: SenderHistory | None = None
    model: MessageModel | None = None

    def memo(self, key: str, compute: Callable[[Facts], T]) -> T:
        """A value several rules share, computed once per message (`compute(self)`)."""
        store = self._memo
        if key in store:
            value: T = store[key]
            return value
        computed = store[key] = compute(self)
        return computed

    @cached_property
    def _memo(self) -> dict[str, Any]:
        return {}

    @cached_property
    def model_opinion(self) -> ModelOpinion | None:
        if self.model is None or not self.config.verdict.use_model:
            return None
        return self.model.predict(self.analysis)

    # --- sender -----------------------------------------------------------------------
    @cached_property
    def sender(self) -> Address | None:
        return self.analysis.message.from_

    @cached_property
    def sender_address(self) -> str:
        return (self.sender.address if self.sender else "").lower()

    @cached_property
    def sender_domain(self) -> str | None:
        """The From address's domain (host part), lower-case."""
        return _domain_of(self.sender_address)

    @cached_property
    def sender_registered_domain(self) -> str | None:
        return registered_domain(self.sender_domain) if self.sender_domain else None

    @cached_property
    def display_name(self) -> str:
        return self.sender.display_name.strip() if self.sender else ""

    @cached_property
    def reply_to_domains(self) -> tuple[str, ...]:
        domains = (_domain_of(a.address) for a in self.analysis.message.reply_to)
        return tuple(d for d in domains if d)

    @cached_property
    def return_path_domain(self) -> str | None:
        return _domain_of(self.analysis.message.return_path)

    @cached_property
    def sender_is_internal(self) -> bool:
        """The From domain is one of the organisation's (which says nothing about whether
        it is spoofed: combine with `authenticated`)."""
        domains = self.config.organisation.domains
        return bool(self.sender_domain and domains and host_in_domains(self.sender_domain, domains))

    # --- authentication ----------------------------------------------------------------
    @cached_property
    def trusted_auth(self) -> bool:
        return self.analysis.authentication.trusted

    @cached_property
    def authenticated(self) -> bool:
        """DMARC pass, or aligned DKIM pass, from a trusted authserv-id."""
        auth = self.analysis.authentication
        if not auth.trusted:
            return False
        if auth.dmarc == "pass":
            return True
        sender = self.sender_registered_domain
        return auth.dkim == "pass" and any(
            registered_domain(d) == sender for d in auth.dkim_domains if sender
        )

    # --- content -----------------------------------------------------------------------
    @cached_property
    def subject(self) -> str:
        return self.analysis.message.subject or ""

    @cached_property
    def text(self) -> str:
        """Body text, lower-case, whitespace folded, bounded."""
        return " ".join(self.analysis.body.text[:MAX_RULE_TEXT].lower().split())

    @cached_property
    def subject_and_text(self) -> str:
        return f"{self.subject.lower()} \n {self.text}"

    @cached_property
    def headers(self) -> dict[str, tuple[str, ...]]:
        """Header values by lower-case name, in message order."""
        index: dict[str, list[str]] = {}
        for header in self.analysis.headers:
            name = header.name.strip().lower()
            if name in index:
                index[name].append(header.value)
            else:
                index[name] = [header.value]
        return {name: tuple(values) for name, values in index.items()}

    def header(self, name: str) -> str | None:
        """The first value of header `name` (case-insensitive), or None."""
        values = self.headers.get(name.lower())
        return values[0] if values else None

    # --- URLs and attachments -------------------------------------------------------------
    @cached_property
    def url_domains(self) -> frozenset[str]:
        return frozenset(u.registered_domain or u.host or "" for u in self.analysis.urls) - {""}

    @cached_property
    def attachments(self) -> tuple[Attachment, ...]:
        """Every attachment node, depth first (archive members and nested mail included)."""
        return tuple(_walk(self.analysis.attachments))

    @cached_property
    def attachment_flags(self) -> frozenset[str]:
        return frozenset(flag for a in self.attachments for flag in a.flags)


def _walk(nodes: tuple[Attachment, ...]) -> Iterator[Attachment]:
    for node in nodes:
        yield node
        yield from _walk(node.children)
