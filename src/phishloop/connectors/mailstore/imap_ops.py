"""IMAP building blocks on one logged-in connection: folders, criteria, fetches, COPYUID."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

from imapclient import IMAPClient

from phishloop.connectors.mailstore.base import SENT, Folder, SearchQuery
from phishloop.connectors.mailstore.maildir import SENT_NAMES
from phishloop.connectors.mailstore.matching import SUMMARY_HEADERS, dates_narrow

HEADER_ITEM = f"BODY.PEEK[HEADER.FIELDS ({' '.join(SUMMARY_HEADERS)})]"
ID_ITEM = "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"
_IGNORED_FLAGS = frozenset({"\\Recent"})


def folders(client: IMAPClient, sent_names: Sequence[str] = SENT_NAMES) -> list[Folder]:
    """Selectable folders with their SPECIAL-USE attributes (a well-known name stands in
    for \\Sent when the server has none)."""
    return listed(client.list_folders(), sent_names)


def listed(
    listing: Sequence[tuple[Any, Any, Any]], sent_names: Sequence[str] = SENT_NAMES
) -> list[Folder]:
    """`folders` from a LIST response as IMAPClient parses it."""
    found = []
    for flags, _, name in listing:
        attributes = {_text(flag) for flag in flags}
        if "\\Noselect" in attributes or "\\NonExistent" in attributes:
            continue
        found.append(Folder(str(name), frozenset(attributes & {SENT, "\\Trash", "\\Junk"})))
    if not any(SENT in f.special_use for f in found):
        lowered = {f.name.casefold(): i for i, f in enumerate(found)}
        for candidate in sent_names:
            if candidate.casefold() in lowered:
                index = lowered[candidate.casefold()]
                found[index] = Folder(found[index].name, frozenset({SENT}))
                break
    return found


def criteria(query: SearchQuery) -> list[Any]:
    """A coarse server-side SEARCH; `matching` decides exactly afterwards."""
    terms: list[Any] = []
    if query.message_id is not None:
        terms += ["HEADER", "Message-ID", query.message_id]
    if query.sender is not None:
        terms += ["FROM", query.sender]
    if query.subject is not None:
        terms += ["SUBJECT", query.subject]
    if query.since is not None and dates_narrow(query):  # SENTSINCE: dates only, widen
        terms += ["SENTSINCE", query.since.date() - timedelta(days=1)]
    if query.until is not None and dates_narrow(query):
        terms += ["SENTBEFORE", query.until.date() + timedelta(days=2)]
    if query.references is not None:
        terms += ["OR", "HEADER", "References", query.references]
        terms += ["HEADER", "In-Reply-To", query.references]
    if query.url is not None and "&" not in query.url:  # HTML may spell & as &amp;
        terms += ["BODY", query.url]
    return terms or ["ALL"]


def any_of(queries: Sequence[SearchQuery]) -> list[Any]:
    """One SEARCH matching whatever any of `queries` matches (a superset of each, which
    `matching` splits exactly afterwards): `OR (a) (OR (b) (c))`."""
    groups = list(dict.fromkeys(tuple(criteria(q)) for q in queries))
    if any(group == ("ALL",) for group in groups):
        return ["ALL"]
    if len(groups) == 1:
        return list(groups[0])
    # imapclient encodes nested lists as ASCII and glues ")" to the last item: encode
    # text ourselves, and end each group with ALL so an 8-bit literal never ends it.
    nested = [[_utf8(t) for t in group] + ["ALL"] for group in groups]
    combined: list[Any] = nested[-1]
    for group in reversed(nested[:-1]):
        combined = ["OR", group, combined]
    return combined


def _utf8(term: Any) -> Any:
    return term.encode("utf-8") if isinstance(term, str) and not term.isascii() else term


def search(client: IMAPClient, terms: list[Any]) -> list[int]:
    charset = None if ascii_terms(terms) else "UTF-8"
    return sorted(int(uid) for uid in client.search(terms, charset=charset))


def ascii_terms(terms: Sequence[Any]) -> bool:
    for term in terms:
        if isinstance(term, (list, tuple)) and not ascii_terms(term):
            return False
        if isinstance(term, (str, bytes)) and not term.isascii():
            return False
    return True


def fetch(
    client: IMAPClient, uids: Sequence[int], items: Sequence[str], batch: int
) -> Iterator[tuple[int, dict[bytes, Any]]]:
    for start in range(0, len(uids), batch):
        chunk = list(uids[start : start + batch])
        for uid, data in sorted(client.fetch(chunk, list(items)).items()):
            yield int(uid), data


def item(data: dict[bytes, Any], prefix: bytes) -> bytes:
    """The fetched item whose key starts with `prefix` (servers echo section names freely)."""
    for key, value in data.items():
        if key.startswith(prefix) and isinstance(value, bytes):
            return value
    return b""


def flags(data: dict[bytes, Any]) -> frozenset[str]:
    return frozenset(_text(f) for f in data.get(b"FLAGS", ())) - _IGNORED_FLAGS


def uidvalidity(select_response: dict[bytes, Any]) -> int:
    return int(select_response.get(b"UIDVALIDITY", 0))


def parse_copyuid(text: bytes | str | None) -> tuple[int, dict[int, int]] | None:
    """`[COPYUID validity src dst]` → (destination UIDVALIDITY, source UID → new UID)."""
    if not text:
        return None
    raw = text.decode("ascii", "replace") if isinstance(text, bytes) else text
    start = raw.upper().find("COPYUID")
    if start < 0:
        return None
    parts = raw[start:].strip("[] ").split("]")[0].split()
    if len(parts) < 4:
        return None
    try:
        sources, targets = expand_set(parts[2]), expand_set(parts[3])
        return int(parts[1]), dict(zip(sources, targets, strict=True))
    except ValueError:
        return None


def expand_set(text: str) -> list[int]:
    uids: list[int] = []
    for piece in text.split(","):
        low, _, high = piece.partition(":")
        first, last = int(low), int(high or low)
        step = 1 if last >= first else -1
        uids.extend(range(first, last + step, step))
    return uids


def ensure_folder(client: IMAPClient, name: str) -> None:
    if not client.folder_exists(name):
        try:
            client.create_folder(name)
        except Exception:
            if not client.folder_exists(name):  # created concurrently is fine
                raise


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
