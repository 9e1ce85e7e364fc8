"""Maildir++ trees on local disk: the embedded default and the demo.

One tree per mailbox, located by a `layout` template under `root` (`{mailbox}`, or e.g.
`{domain}/{user}/Maildir` for Dovecot's usual layout). Folders are Maildir++ subfolders
(`.Work`, `.Archive.2024` for `Archive/2024`); the quarantine is one of them. A message's
UID is its unique file name (stable across renames, so a move keeps it); flags come from
the `:2,` info suffix. Moves are atomic `rename`s; nothing is ever deleted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from phishloop.connectors.mailstore.base import (
    SENT,
    Folder,
    FoundMessage,
    MailboxSearch,
    MailStoreError,
    MessageNotFound,
    MessageRef,
    Moved,
    MoveResult,
    Outcome,
    SearchQuery,
    search_each,
)
from phishloop.connectors.mailstore.matching import content_matches, headers_match, summarise

INBOX = "INBOX"
SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "Gesendet", "Gesendete Elemente")
_FLAG_LETTERS = {
    "S": "\\Seen",
    "R": "\\Answered",
    "F": "\\Flagged",
    "D": "\\Draft",
    "T": "\\Deleted",
    "P": "$Forwarded",
}
_HEADER_BYTES = 64 * 1024


def split_name(name: str) -> tuple[str, str]:
    """(unique part, info letters) of a Maildir file name."""
    unique, _, info = name.partition(":2,")
    return unique, info


def flags_of(name: str) -> frozenset[str]:
    return frozenset(_FLAG_LETTERS[c] for c in split_name(name)[1] if c in _FLAG_LETTERS)


class MaildirStore:
    """`MailStore` over Maildir++ trees (see the module docstring)."""

    def __init__(
        self,
        root: Path,
        *,
        layout: str = "{mailbox}",
        quarantine_folder: str = "Quarantine",
        sent_folders: Sequence[str] = SENT_NAMES,
    ) -> None:
        if not {"{mailbox}", "{user}"} & set(re.findall(r"\{\w+\}", layout)):
            raise MailStoreError("maildir layout needs {mailbox} or {user}")
        self.root = root
        self.layout = layout
        self.quarantine_folder = quarantine_folder
        self.sent_names = tuple(sent_folders)

    # -- MailStore -------------------------------------------------------------------------
    def list_mailboxes(self) -> list[str]:
        pattern = self.layout.format(mailbox="*", user="*", domain="*")
        found = []
        for path in self.root.glob(pattern):
            mailbox = self._mailbox_of(path)
            if mailbox and (path / "cur").is_dir():
                found.append(mailbox)
        return sorted(found)

    def list_folders(self, mailbox: str) -> list[Folder]:
        tree = self._tree(mailbox)
        names = [INBOX]
        for entry in sorted(os.listdir(tree)):
            if entry.startswith(".") and (tree / entry / "cur").is_dir():
                names.append(entry[1:].replace(".", "/"))
        sent = self._sent_name(names)
        return [Folder(n, frozenset({SENT}) if n == sent else frozenset()) for n in names]

    def sent_folder(self, mailbox: str) -> str | None:
        return self._sent_name([f.name for f in self.list_folders(mailbox)])

    def search(self, mailboxes: Sequence[str], query: SearchQuery) -> list[MailboxSearch]:
        return [self._search_one(mailbox, query) for mailbox in mailboxes]

    def search_many(
        self, mailboxes: Sequence[str], queries: Sequence[SearchQuery]
    ) -> dict[SearchQuery, list[MailboxSearch]]:
        return search_each(self, mailboxes, queries)

    def fetch(self, ref: MessageRef) -> bytes:
        path = self._locate(ref)
        if path is None:
            raise MessageNotFound(f"{ref.mailbox}: {ref.folder}/{ref.uid} is gone")
        return path.read_bytes()

    def quarantine(self, refs: Sequence[MessageRef]) -> list[MoveResult]:
        return [self._move(ref, self.quarantine_folder) for ref in refs]

    def restore(self, moves: Sequence[Moved]) -> list[MoveResult]:
        return [self._move(m.current, m.original.folder) for m in moves]

    def close(self) -> None:
        return None

    # -- search ----------------------------------------------------------------------------
    def _search_one(self, mailbox: str, query: SearchQuery) -> MailboxSearch:
        try:
            folders = self._folders_for(mailbox, query)
            hits: list[FoundMessage] = []
            for folder in folders:
                hits.extend(self._search_folder(mailbox, folder, query))
        except MailStoreError as exc:
            return MailboxSearch(mailbox, error=str(exc), transient=exc.transient)
        except OSError as exc:
            return MailboxSearch(mailbox, error=f"{mailbox}: {exc.strerror}", transient=True)
        return MailboxSearch(mailbox, tuple(hits))

    def _folders_for(self, mailbox: str, query: SearchQuery) -> list[str]:
        present = [f.name for f in self.list_folders(mailbox)]
        if not query.folders:
            return [name for name in present if name != self.quarantine_folder]
        sent = self._sent_name(present)
        wanted = [sent if name == SENT else name for name in query.folders]
        return [name for name in wanted if name in present]

    def _search_folder(self, mailbox: str, folder: str, query: SearchQuery) -> list[FoundMessage]:
        hits = []
        directory = self._folder_dir(mailbox, folder)
        checked = 0
        for path in self._files(directory):
            summary = summarise(_head(path))
            if not headers_match(query, summary):
                continue
            if query.needs_content:
                checked += 1
                if checked > query.max_candidates:
                    raise MailStoreError(f"{mailbox}: more than {query.max_candidates} candidates")
                if not content_matches(query, path.read_bytes()):
                    continue
            unique = split_name(path.name)[0]
            ref = MessageRef(mailbox, folder, 0, unique, summary.message_id)
            hits.append(summary.found(ref, flags_of(path.name), path.stat().st_size))
        return hits

    # -- moves -----------------------------------------------------------------------------
    def _move(self, ref: MessageRef, destination: str) -> MoveResult:
        try:
            path = self._locate(ref)
            if path is None:
                return self._already_or_missing(ref, destination)
            target_dir = self._folder_dir(ref.mailbox, destination, create=True)
            os.rename(path, target_dir / path.parent.name / path.name)
        except MailStoreError as exc:
            return MoveResult(ref, Outcome.FAILED, reason=str(exc), transient=exc.transient)
        except OSError as exc:
            reason = f"{ref.mailbox}: {exc.strerror}"
            return MoveResult(ref, Outcome.FAILED, reason=reason, transient=True)
        target = MessageRef(ref.mailbox, destination, 0, ref.uid, ref.message_id)
        return MoveResult(ref, Outcome.MOVED, target)

    def _already_or_missing(self, ref: MessageRef, destination: str) -> MoveResult:
        moved = MessageRef(ref.mailbox, destination, 0, ref.uid, ref.message_id)
        if self._locate(moved) is not None:
            return MoveResult(ref, Outcome.ALREADY, moved)
        return MoveResult(ref, Outcome.NOT_FOUND, reason=f"not in {ref.folder} nor {destination}")

    def _locate(self, ref: MessageRef) -> Path | None:
        """The file of `ref`, if it is there and still carries its Message-ID."""
        try:
            directory = self._folder_dir(ref.mailbox, ref.folder)
        except MailStoreError:
            return None
        for sub in ("cur", "new"):
            for candidate in (directory / sub).glob(_glob_escape(ref.uid) + "*"):
                if split_name(candidate.name)[0] != ref.uid:
                    continue
                if summarise(_head(candidate)).message_id == ref.message_id:
                    return candidate
        return None

    # -- layout ----------------------------------------------------------------------------
    def _tree(self, mailbox: str) -> Path:
        if "/" in mailbox or mailbox.startswith(".") or not mailbox:
            raise MailStoreError(f"invalid mailbox name {mailbox!r}")
        user, _, domain = mailbox.partition("@")
        tree = self.root / self.layout.format(mailbox=mailbox, user=user, domain=domain)
        if not (tree / "cur").is_dir():
            raise MailStoreError(f"no Maildir for mailbox {mailbox} at {tree}")
        return tree

    def _folder_dir(self, mailbox: str, folder: str, *, create: bool = False) -> Path:
        tree = self._tree(mailbox)
        if folder == INBOX:
            return tree
        parts = folder.split("/")
        if any(not p or p.startswith(".") or "." in p for p in parts):
            raise MailStoreError(f"invalid folder name {folder!r}")
        directory = tree / ("." + ".".join(parts))
        if not (directory / "cur").is_dir():
            if not create:
                raise MailStoreError(f"{mailbox}: no folder {folder}")
            _make_folder(tree, directory)
        return directory

    def _mailbox_of(self, path: Path) -> str | None:
        pattern = re.escape(self.layout)
        for name, group in (("mailbox", "(?P<mailbox>[^/]+)"), ("user", "(?P<user>[^/]+)")):
            pattern = pattern.replace(re.escape("{" + name + "}"), group)
        pattern = pattern.replace(re.escape("{domain}"), "(?P<domain>[^/]+)")
        match = re.fullmatch(pattern, path.relative_to(self.root).as_posix())
        if match is None:
            return None
        groups = match.groupdict()
        if groups.get("mailbox"):
            return groups["mailbox"]
        return f"{groups['user']}@{groups['domain']}" if groups.get("domain") else groups["user"]

    def _sent_name(self, names: Sequence[str]) -> str | None:
        lowered = {n.casefold(): n for n in names}
        matches = (lowered[s.casefold()] for s in self.sent_names if s.casefold() in lowered)
        return next(matches, None)

    @staticmethod
    def _files(directory: Path) -> list[Path]:
        files: list[Path] = []
        for sub in ("cur", "new"):
            files.extend(p for p in (directory / sub).iterdir() if not p.name.startswith("."))
        return sorted(files)


def _make_folder(tree: Path, directory: Path) -> None:
    """Create a Maildir++ folder owned like its tree (a root-run tool must not leave
    directories the mail server cannot write)."""
    stat = tree.stat()
    for path in (directory, directory / "cur", directory / "new", directory / "tmp"):
        path.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            os.chown(path, stat.st_uid, stat.st_gid)
    marker = directory / "maildirfolder"
    marker.touch()
    if os.geteuid() == 0:
        os.chown(marker, stat.st_uid, stat.st_gid)


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(_HEADER_BYTES)
    end = data.find(b"\n\n")
    if end < 0:
        end = data.find(b"\r\n\r\n")
    return data if end < 0 else data[: end + 2]


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)
