"""A mailbox's folder tree on Microsoft Graph, by path ("Inbox/Projects"), so references
name folders the way people see them and a restore can find the original folder again.

The tree is read once per mailbox (top level, then `childFolders` of folders that have
children) and kept; creating the quarantine folder adds it. Thread-safe per mailbox.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any
from urllib.parse import quote

from phishloop.connectors.cloud.api import ApiClient, ApiFailure, TokenSource
from phishloop.connectors.mailstore.base import MailStoreError

_FIELDS = "id,displayName,parentFolderId,childFolderCount"


class GraphFolders:
    def __init__(self, api: ApiClient, tokens: TokenSource, user_path: str, page_size: int):
        self.api = api
        self.tokens = tokens
        self.user_path = user_path
        self.page_size = page_size
        self.lock = threading.RLock()
        self._path_of: dict[str, str] = {}
        self._id_of: dict[str, str] = {}
        self._loaded = False
        self._sent: str | None = None

    def path_of(self, folder_id: str) -> str:
        """The path of a folder id (reloading once when the folder is new)."""
        with self.lock:
            self._load()
            if folder_id not in self._path_of:
                self._load(again=True)
            return self._path_of.get(folder_id, folder_id)

    def id_of(self, path: str) -> str | None:
        with self.lock:
            self._load()
            return self._id_of.get(path)

    def paths(self) -> list[str]:
        with self.lock:
            self._load()
            return sorted(self._id_of)

    def sent_path(self) -> str:
        """The path of the well-known `sentitems` folder (whatever its display name)."""
        with self.lock:
            if self._sent is None:
                found = self.api.json("GET", f"{self.user_path}/mailFolders/sentitems",
                                      self.tokens, params={"$select": "id"})  # fmt: skip
                self._sent = self.path_of(str(found["id"]))
            return self._sent

    def ensure(self, name: str) -> str:
        """The id of the top-level folder `name` (under msgfolderroot), created if missing."""
        with self.lock:
            existing = self.id_of(name)
            if existing:
                return existing
            url = f"{self.user_path}/mailFolders"
            try:
                created = self.api.json("POST", url, self.tokens, json={"displayName": name})
            except ApiFailure as exc:
                if exc.status != 409:  # 409: another worker created it meanwhile
                    raise
                self._load(again=True)
                return self._require(name)
            self._add(str(created["id"]), name)
            return str(created["id"])

    def _require(self, path: str) -> str:
        found = self._id_of.get(path)
        if found is None:
            raise MailStoreError(f"{self.user_path}: folder {path!r} not found")
        return found

    def _load(self, *, again: bool = False) -> None:
        if self._loaded and not again:
            return
        self._path_of.clear()
        self._id_of.clear()
        todo: deque[tuple[str, str]] = deque([(f"{self.user_path}/mailFolders", "")])
        while todo:
            url, prefix = todo.popleft()
            for item in self._list(url):
                path = f"{prefix}{item['displayName']}"
                self._add(str(item["id"]), path)
                if int(item.get("childFolderCount") or 0):
                    child = f"{self.user_path}/mailFolders/{quote(str(item['id']), safe='')}"
                    todo.append((f"{child}/childFolders", f"{path}/"))
        self._loaded = True

    def _list(self, url: str) -> list[dict[str, Any]]:
        params = {"$select": _FIELDS, "$top": str(self.page_size)}
        return list(self.api.pages(url, self.tokens, params, next_link=odata_next_link))

    def _add(self, folder_id: str, path: str) -> None:
        self._path_of[folder_id] = path
        self._id_of.setdefault(path, folder_id)


def odata_next_link(body: dict[str, object]) -> str | None:
    link = body.get("@odata.nextLink")
    return str(link) if link else None
