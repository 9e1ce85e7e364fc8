"""IMAP round trips saved: capabilities from the greeting, and pipelined commands.

Every mailbox of a sweep costs a fresh connection and login (a master login binds one
user), so round trips per mailbox are what the client can cut. `Client` takes the
capabilities the greeting announces instead of asking CAPABILITY (imaplib always asks),
and `Pipeline` writes several commands at once (LOGIN, LIST, EXAMINE, SEARCH, FETCH …)
and reads their responses in order: commands on one connection are answered in the
order they were sent, so untagged responses belong to the oldest command not yet done.
Literals go as LITERAL+ (`{n+}`), so nothing waits for a continuation.
"""

from __future__ import annotations

import imaplib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from imapclient import IMAPClient, imap_utf7
from imapclient.datetime_util import format_criteria_date
from imapclient.exceptions import IMAPClientError, LoginError
from imapclient.imap4 import IMAP4WithTimeout
from imapclient.tls import IMAP4_TLS

_UNTAGGED = re.compile(rb"\* (?:(\d+) )?([A-Za-z-]+)(?: (.*))?$", re.S)
_LITERAL = re.compile(rb"\{(\d+)\}$")
_CODE = re.compile(rb"\[([A-Z-]+)(?: ([^\]]*))?\]")
_KEYWORDS = frozenset((
    "ALL", "ANSWERED", "BCC", "BEFORE", "BODY", "CC", "DELETED", "FLAGGED", "FROM", "HEADER",
    "KEYWORD", "LARGER", "NEW", "NOT", "OLD", "ON", "OR", "RECENT", "SEEN", "SENTBEFORE",
    "SENTON", "SENTSINCE", "SINCE", "SMALLER", "SUBJECT", "TEXT", "TO", "UID", "UNANSWERED",
    "UNDELETED", "UNFLAGGED", "UNKEYWORD", "UNSEEN",
))  # fmt: skip


# imaplib compiles a tag pattern for a random prefix on every connection (a regular
# expression compile per mailbox, a tenth of a sweep's client CPU): one prefix for the
# process, compiled once, does the same job.
_TAG_PREFIX = imaplib.Int2AP(4096 + secrets.randbelow(61440))
_TAG_PATTERN = re.compile(
    rb"(?P<tag>" + _TAG_PREFIX + rb"\d+) (?P<type>[A-Z]+) (?P<data>.*)", re.ASCII
)


class _Quick:
    """imaplib mixin for `_connect`: the tag pattern compiled once, and the capabilities
    of the greeting's [CAPABILITY …] if it has them (imaplib always asks CAPABILITY)."""

    untagged_responses: dict[str, list[Any]]
    capabilities: tuple[str, ...]
    welcome: bytes
    state: str
    error: type[Exception]
    _greeted = False

    def _connect(self) -> None:
        self.tagpre = _TAG_PREFIX
        self.tagre = _TAG_PATTERN
        self._cmd_log_len, self._cmd_log_idx = 10, 0  # imaplib's debug log
        self._cmd_log: dict[int, Any] = {}
        self.welcome = self._get_response()  # type: ignore[attr-defined]
        if "PREAUTH" in self.untagged_responses:
            self.state = "AUTH"
        elif "OK" in self.untagged_responses:
            self.state = "NONAUTH"
        else:
            raise self.error(self.welcome)
        self._get_capabilities()
        for version in ("IMAP4REV1", "IMAP4"):  # imaplib's AllowedVersions
            if version in self.capabilities:
                self.PROTOCOL_VERSION = version
                return
        raise self.error("server not IMAP4 compliant")

    def _get_capabilities(self) -> None:
        announced = self.untagged_responses.pop("CAPABILITY", None)
        if announced and not self._greeted:
            self._greeted = True
            text = announced[-1]
            text = text.decode("ascii", "replace") if isinstance(text, bytes) else str(text)
            self.capabilities = tuple(text.upper().split())
            return
        self._greeted = True
        super()._get_capabilities()  # type: ignore[misc]


class _Plain(_Quick, IMAP4WithTimeout):  # type: ignore[misc]
    pass


class _Tls(_Quick, IMAP4_TLS):  # type: ignore[misc]
    pass


class Client(IMAPClient):  # type: ignore[misc]
    """An IMAPClient that costs no CAPABILITY round trip when the greeting has them."""

    def _create_IMAP4(self) -> Any:  # noqa: N802 - imapclient's name
        connect_timeout = getattr(self._timeout, "connect", None)
        if self.stream:
            return super()._create_IMAP4()
        if self.ssl:
            return _Tls(self.host, self.port, self.ssl_context, connect_timeout)
        return _Plain(self.host, self.port, connect_timeout)


class Literal(bytes):
    """Sent as a LITERAL+ literal (8-bit text, CR/LF)."""


@dataclass
class Reply:
    """One command's outcome: its tagged status and the untagged responses it drew, each
    (type, data items as imaplib keeps them: bytes, or (line, literal) tuples)."""

    status: str = ""
    text: bytes = b""
    untagged: list[tuple[str, list[Any]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "OK"

    def data(self, kind: str) -> list[Any]:
        return [item for typ, items in self.untagged if typ == kind for item in items]

    def code(self, name: str) -> bytes | None:
        """A response code ([UIDVALIDITY n], [COPYUID …]) from this reply."""
        texts = [self.text] + [i for t, items in self.untagged if t == "OK" for i in items]
        for text in texts:
            if isinstance(text, bytes):
                for match in _CODE.finditer(text):
                    if match.group(1).decode() == name:
                        return match.group(2) or b""
        return None

    def failure(self) -> str:
        return f"{self.status} {self.text.decode('utf-8', 'replace')}".strip()


class Pipeline:
    """Commands written in one go on `client`'s connection, replies read in order."""

    def __init__(self, client: IMAPClient) -> None:
        self.client = client
        self.imap: Any = client._imap
        self._out: list[bytes] = []
        self._tags: list[bytes] = []
        self._login: int | None = None

    def add(self, *parts: bytes | Literal) -> int:
        """Queue a command (its words, ready encoded); its index in `run`'s replies."""
        tag = self.imap._new_tag()
        self.imap.tagged_commands.pop(tag, None)  # answered here, not by imaplib
        line = [tag]
        for part in parts:
            if isinstance(part, Literal):
                line.append(b"{%d+}\r\n" % len(part) + part)
            else:
                line.append(part)
        self._out.append(b" ".join(line) + b"\r\n")
        self._tags.append(tag)
        return len(self._tags) - 1

    def login(self, user: str, password: str) -> int:
        self._login = self.add(b"LOGIN", quote(user), quote(password))
        return self._login

    def run(self) -> list[Reply]:
        """Send everything queued, read every reply."""
        if not self._tags:
            return []
        self.imap.send(b"".join(self._out))
        replies = [Reply() for _ in self._tags]
        try:
            self._read(replies)
        except self.imap.abort:
            login = None if self._login is None else replies[self._login]
            if login is not None and login.status and not login.ok:
                # a failed LOGIN makes the rest invalid commands; a server may hang up
                raise LoginError(f"LOGIN command error: {login.failure()}") from None
            raise
        self._out.clear()
        self._tags.clear()
        self._login = None
        return replies

    def _read(self, replies: list[Reply]) -> None:
        waiting = 0
        while waiting < len(replies):
            line = self.imap._get_line()
            tag, _, rest = line.partition(b" ")
            if tag == self._tags[waiting]:
                status, _, text = rest.partition(b" ")
                replies[waiting].status = status.decode("ascii", "replace").upper()
                replies[waiting].text = text
                waiting += 1
            elif line.startswith(b"* "):
                replies[waiting].untagged.append(self._untagged(line))
            else:  # a continuation or a stray tag: the connection is not in step
                raise self.imap.abort(f"unexpected IMAP response {line[:80]!r}")

    def _untagged(self, line: bytes) -> tuple[str, list[Any]]:
        match = _UNTAGGED.match(line)
        if match is None:
            raise self.imap.abort(f"unparsable IMAP response {line[:80]!r}")
        number, kind, rest = match.groups()
        head = b" ".join(p for p in (number, rest) if p is not None)
        items: list[Any] = []
        while (literal := _LITERAL.search(head)) is not None:
            items.append((head, self.imap.read(int(literal.group(1)))))
            head = self.imap._get_line()
        items.append(head)
        return kind.decode("ascii").upper(), items


def logged_in(client: IMAPClient, reply: Reply) -> None:
    """Bring `client` in step after a pipelined LOGIN (or raise LoginError as it would)."""
    if not reply.ok:
        raise LoginError(f"LOGIN command error: {reply.failure()}")
    client._imap.state = "AUTH"
    announced = reply.code("CAPABILITY")
    if announced:
        client._cached_capabilities = tuple(announced.upper().split())


def selected(client: IMAPClient, reply: Reply, *, readonly: bool) -> None:
    """Bring `client` in step after a pipelined SELECT/EXAMINE that succeeded."""
    if reply.ok:
        client._imap.state = "SELECTED"
        client._imap.is_readonly = readonly


class _Pool(Protocol):
    def pending_login(self, client: IMAPClient) -> tuple[str, str] | None: ...

    def logged_in(self, client: IMAPClient) -> None: ...


def select(pool: _Pool, client: IMAPClient, mailbox: str, folder: str, readonly: bool) -> int:
    """SELECT (EXAMINE when `readonly`) `folder`, with the LOGIN in the same round trip if
    `pool` says it is pending; its UIDVALIDITY. Errors as IMAPClient raises them."""
    login = pool.pending_login(client)
    if login is None:
        return int(client.select_folder(folder, readonly=readonly).get(b"UIDVALIDITY", 0))
    pipe = Pipeline(client)
    at_login = pipe.login(*login)
    at_select = pipe.add(b"EXAMINE" if readonly else b"SELECT", mailbox_name(folder))
    replies = pipe.run()
    logged_in(client, replies[at_login])
    pool.logged_in(client)
    reply = replies[at_select]
    if not reply.ok:
        raise IMAPClientError(f"select failed for {mailbox} {folder}: {reply.failure()}")
    selected(client, reply, readonly=readonly)
    return uidvalidity(reply)


def uidvalidity(reply: Reply) -> int:
    return int(reply.code("UIDVALIDITY") or 0)


def quote(text: str | bytes) -> bytes | Literal:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if not raw.isascii() or b"\r" in raw or b"\n" in raw or b"\0" in raw:
        return Literal(raw)
    return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def mailbox_name(name: str) -> bytes | Literal:
    return quote(imap_utf7.encode(name))


def criteria(terms: Sequence[Any]) -> list[bytes | Literal]:
    """SEARCH criteria (as `imap_ops.criteria` builds them) as command words; values are
    quoted, 8-bit ones sent as literals (the caller adds CHARSET UTF-8)."""
    words: list[bytes | Literal] = []
    for term in terms:
        if isinstance(term, (list, tuple)):
            inner = criteria(term)
            words += [b"(", *inner, b")"] if inner else []
        elif isinstance(term, date):
            words.append(format_criteria_date(term))
        elif isinstance(term, int):
            words.append(str(term).encode("ascii"))
        elif isinstance(term, str) and term.upper() in _KEYWORDS:
            words.append(term.upper().encode("ascii"))
        else:
            words.append(quote(term))
    return _glue(words)


def _glue(words: list[bytes | Literal]) -> list[bytes | Literal]:
    """`(` and `)` stuck to their neighbours, as IMAP writes them."""
    out: list[bytes | Literal] = []
    opening = False
    for word in words:
        if word == b")" and out and not isinstance(out[-1], Literal):
            out[-1] = out[-1] + b")"
        elif word == b")":
            out.append(word)
        elif opening and not isinstance(word, Literal):
            out[-1] = out[-1] + word
            opening = False
        elif word == b"(":
            out.append(word)
            opening = True
        else:
            opening = False
            out.append(word)
    return out


def has_literal(words: Sequence[bytes | Literal]) -> bool:
    return any(isinstance(w, Literal) for w in words)
