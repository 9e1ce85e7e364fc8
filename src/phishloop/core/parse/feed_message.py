"""`IndexedMessage`: the stdlib `Message` with a faster `get`, same results.

`Message.get` lower-cases every header name on every call, and the parser and the part
walk call it a dozen times per part. The first position of each lower-case name is indexed
once per header list. Content types and header parameters (boundary, charset, filename),
parsed character by character by the stdlib, are cached per header value.

Relies on `Message._headers` and `_get_params_preserve` (unchanged since Python 3.3); the
tests parse the corpus with both classes.
"""

from __future__ import annotations

from email.message import Message
from email.policy import compat32
from functools import lru_cache
from typing import Any

_MAX_CACHED_PARAMS = 1024  # longer header values are parsed every time


class IndexedMessage(Message):
    """`Message` whose `get` and `in` find a header through an index of lower-case names."""

    _index: tuple[list[tuple[str, Any]], int, dict[str, int]] | None = None

    def _positions(self) -> dict[str, int]:
        """Lower-case name -> position of its first header."""
        headers: list[tuple[str, Any]] = self._headers  # type: ignore[attr-defined]
        index = self._index
        # Any change to the headers replaces the list or changes its length (the stdlib
        # appends, and rebuilds the list to delete); replace_header keeps the names.
        if index is None or index[0] is not headers or index[1] != len(headers):
            positions: dict[str, int] = {}
            for position, (key, _) in enumerate(headers):
                positions.setdefault(key.lower(), position)
            index = self._index = (headers, len(headers), positions)
        return index[2]

    def get(self, name: str, failobj: Any = None) -> Any:
        position = self._positions().get(name.lower())
        if position is None:
            return failobj
        key, value = self._headers[position]  # type: ignore[attr-defined]
        return self.policy.header_fetch_parse(key, value)

    def get_content_type(self) -> str:
        position = self._positions().get("content-type")
        if position is None:
            return self.get_default_type()
        value = self._headers[position][1]  # type: ignore[attr-defined]
        # compat32 hands an ASCII str value to the stdlib's parsing unchanged.
        if isinstance(value, str) and value.isascii() and self.policy is compat32:
            return _content_type(value) if len(value) <= _MAX_CACHED_PARAMS else _type_of(value)
        return super().get_content_type()

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._positions()

    def _get_params_preserve(self, failobj: Any, header: str) -> Any:
        position = self._positions().get(header.lower())
        if position is None:
            return failobj
        value = self._headers[position][1]  # type: ignore[attr-defined]
        # compat32 hands an ASCII str value to the parameter parser as it is.
        cacheable = isinstance(value, str) and value.isascii() and len(value) <= _MAX_CACHED_PARAMS
        if cacheable and self.policy is compat32:
            return list(_parameters(value))
        return super()._get_params_preserve(failobj, header)  # type: ignore[misc]


@lru_cache(maxsize=1024)
def _content_type(value: str) -> str:
    return _type_of(value)


def _type_of(value: str) -> str:
    """`Message.get_content_type` for a Content-Type value (text/plain when malformed)."""
    content_type = value.partition(";")[0].strip().lower()
    return content_type if content_type.count("/") == 1 else "text/plain"


@lru_cache(maxsize=2048)
def _parameters(value: str) -> tuple[Any, ...]:
    """The stdlib's parameter list for a header value (values repeat across mail:
    'text/plain; charset="utf-8"')."""
    probe = Message(policy=compat32)
    probe["Content-Type"] = value
    return tuple(probe.get_params([], header="content-type", unquote=False))
