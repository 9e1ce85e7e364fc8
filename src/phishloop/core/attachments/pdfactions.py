"""PDF actions: what a PDF does when opened or clicked (JavaScript, Launch, URI,
SubmitForm, remote GoTo), followed through /Next chains within bounds."""

from __future__ import annotations

from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

from phishloop.core.attachments import fields
from phishloop.core.attachments.tree import Node, Walk

MAX_ACTIONS = 300
MAX_CHAIN = 10
MAX_SCRIPT_CHARS = 200_000
_ACTIVE = frozenset({"/JavaScript", "/Launch"})
_REMOTE = frozenset({"/GoToR", "/GoToE", "/SubmitForm", "/ImportData"})


class ActionScanner:
    """Flags active content and collects action URLs for one PDF node."""

    def __init__(self, walk: Walk, node: Node) -> None:
        self._walk = walk
        self._node = node
        self._seen = 0

    def scan_additional(self, actions: object, where: str) -> None:
        """An /AA dictionary: actions run on events (open, close, focus...) without a click."""
        for trigger, action in _resolve_dict(actions).items():
            self.scan(action, f"{where} {trigger}", automatic=True)

    def scan(self, action: object, where: str, *, automatic: bool, chain: int = 0) -> None:
        self._seen += 1
        entry = _resolve(action)
        if self._seen > MAX_ACTIONS or chain > MAX_CHAIN or not isinstance(entry, DictionaryObject):
            return
        kind = str(entry.get("/S", ""))
        if kind in _ACTIVE:
            self._active(kind, entry, where, automatic)
        elif kind == "/URI":
            uri = str(_resolve(entry.get("/URI", "")))[:8192]
            self._walk.urls.add(uri, self._node.source, "pdf")
            if automatic:
                self._node.flag("autoopen", f"{where}: opens {uri}", key="autoopen")
        elif kind in _REMOTE:
            target = _file_target(entry.get("/F"))
            self._node.detail("pdf-action", f"{where}: {kind[1:]} {target}".strip())
            fields.add_urls(self._walk, self._node, target, "pdf")
        for follow in _chain(entry.get("/Next")):
            self.scan(follow, where, automatic=automatic, chain=chain + 1)

    def _active(self, kind: str, entry: DictionaryObject, where: str, automatic: bool) -> None:
        if kind == "/JavaScript":
            script = _script_text(entry.get("/JS"))
            self._node.flag("pdf-javascript", f"{where}: JavaScript", key="pdf-javascript")
            fields.add_urls(self._walk, self._node, script, "pdf")
        else:
            target = _file_target(entry.get("/F") or entry.get("/Win"))
            self._node.flag("pdf-javascript", f"{where}: Launch {target}", key="pdf-launch")
        if automatic:
            self._node.flag("autoopen", f"{where}: {kind[1:]}", key="autoopen")


def _resolve(value: object) -> object:
    return value.get_object() if hasattr(value, "get_object") else value


def _resolve_dict(value: object) -> DictionaryObject:
    resolved = _resolve(value)
    return resolved if isinstance(resolved, DictionaryObject) else DictionaryObject()


def _chain(value: object) -> list[object]:
    resolved = _resolve(value)
    if isinstance(resolved, ArrayObject):
        return list(resolved[:MAX_CHAIN])
    return [resolved] if isinstance(resolved, DictionaryObject) else []


def _script_text(value: object) -> str:
    resolved = _resolve(value)
    if isinstance(resolved, StreamObject):
        return resolved.get_data()[:MAX_SCRIPT_CHARS].decode("latin-1")
    return str(resolved or "")[:MAX_SCRIPT_CHARS]


def _file_target(value: object) -> str:
    resolved = _resolve(value)
    if isinstance(resolved, DictionaryObject):
        resolved = resolved.get("/UF") or resolved.get("/F") or resolved.get("/FS") or ""
    return str(_resolve(resolved))[:500]
