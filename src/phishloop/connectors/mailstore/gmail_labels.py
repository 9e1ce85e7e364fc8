"""A Gmail mailbox's labels, and how phishloop names a message's place by its labels.

Gmail has labels, not folders. A message's "folder" is INBOX when it is in the inbox,
SENT when it was sent, else its first user label by name, else `ARCHIVE`. Quarantine adds
the quarantine label and removes the labels that show the message somewhere (INBOX,
STARRED, IMPORTANT and user labels); their ids travel in the quarantined reference's uid
(`{id}|{label,label}`) so a restore puts back exactly those.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from urllib.parse import quote

from phishloop.connectors.cloud.api import ApiClient, ApiFailure, TokenSource

ARCHIVE = "[Archive]"
_SHOWN_SYSTEM = ("INBOX", "STARRED", "IMPORTANT")


class GmailLabels:
    def __init__(self, api: ApiClient, tokens: TokenSource, user_path: str) -> None:
        self.api = api
        self.tokens = tokens
        self.user_path = user_path
        self.lock = threading.RLock()
        self._names: dict[str, str] = {}  # id → name
        self._types: dict[str, str] = {}  # id → system | user
        self._unknown: set[str] = set()
        self._loaded = False

    def name(self, label_id: str) -> str:
        with self.lock:
            self._known(label_id)
            return self._names.get(label_id, label_id)

    def id_of(self, name: str) -> str | None:
        with self.lock:
            self._load()
            return next((i for i, n in self._names.items() if n == name), None)

    def names(self) -> list[str]:
        with self.lock:
            self._load()
            return sorted(self._names.values())

    def is_user(self, label_id: str) -> bool:
        with self.lock:
            self._known(label_id)
            return self._types.get(label_id) == "user"

    def _known(self, label_id: str) -> None:
        """Load the labels; reload once for an id created since (by the user, meanwhile)."""
        self._load()
        if label_id not in self._names and label_id not in self._unknown:
            self._load(again=True)
            if label_id not in self._names:
                self._unknown.add(label_id)

    def ensure(self, name: str) -> str:
        """The id of the user label `name`, created if missing."""
        with self.lock:
            existing = self.id_of(name)
            if existing:
                return existing
            body = {"name": name, "labelListVisibility": "labelShow",
                    "messageListVisibility": "show"}  # fmt: skip
            try:
                created = self.api.json("POST", f"{self.user_path}/labels", self.tokens, json=body)
            except ApiFailure as exc:
                if exc.status != 409:  # 409: created meanwhile by another worker
                    raise
                self._load(again=True)
                found = self.id_of(name)
                if found is None:
                    raise
                return found
            self._names[str(created["id"])] = name
            self._types[str(created["id"])] = "user"
            return str(created["id"])

    def place(self, label_ids: Iterable[str], quarantine: str | None) -> str:
        """The folder name phishloop shows for a message with these labels."""
        ids = set(label_ids)
        for system in ("INBOX", "SENT", "DRAFT"):
            if system in ids:
                return system
        users = sorted(self.name(i) for i in ids if self.is_user(i) and i != quarantine)
        return users[0] if users else ARCHIVE

    def removable(self, label_ids: Iterable[str], quarantine: str) -> list[str]:
        """The labels quarantine takes off (those that show the message somewhere)."""
        return sorted(i for i in label_ids
                      if i in _SHOWN_SYSTEM or (self.is_user(i) and i != quarantine))  # fmt: skip

    def _load(self, *, again: bool = False) -> None:
        if self._loaded and not again:
            return
        body = self.api.json("GET", f"{self.user_path}/labels", self.tokens)
        self._names = {str(x["id"]): str(x["name"]) for x in body.get("labels", [])}
        self._types = {str(x["id"]): str(x.get("type", "user")) for x in body.get("labels", [])}
        self._loaded = True


def quarantined_uid(message_id: str, removed: Iterable[str]) -> str:
    return f"{message_id}|{','.join(removed)}"


def split_uid(uid: str) -> tuple[str, list[str]]:
    """(Gmail message id, labels quarantine removed) from a reference's uid."""
    message_id, _, labels = uid.partition("|")
    return message_id, [label for label in labels.split(",") if label]


def user_path(mailbox: str) -> str:
    return f"/users/{quote(mailbox, safe='@')}"
