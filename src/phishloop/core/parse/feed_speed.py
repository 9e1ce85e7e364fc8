"""Two drop-in speed-ups for the stdlib feed parser, with the same results.

- `LineBuffer`: the parser reads nearly every line of a message through
  `for line in self._input`, which costs two Python method calls per line
  (`__next__`, `readline`) in `BufferedSubFile`. Iterating with a generator instead, and
  testing a line against the multipart boundaries only when it starts with "--" (the
  only lines a boundary pattern can match), makes line reading several times cheaper.
- `IndexedMessage`: `Message.get` lower-cases every header name on every call, and the
  parser and the part walk call it a dozen times per part. The first position of each
  lower-case name is indexed once per header list. Header parameters (boundary, charset,
  filename), parsed character by character by the stdlib, are cached per header value.

Both rely on `email` internals unchanged since Python 3.3 (`_lines`, `_eofstack`,
`_closed`, `_headers`, `_get_params_preserve`); the tests parse the corpus both ways.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from email import feedparser as stdlib_feedparser
from email.message import Message
from email.policy import compat32
from functools import lru_cache
from typing import Any

# Not in the typeshed stubs: taken untyped.
_BufferedSubFile: Any = vars(stdlib_feedparser)["BufferedSubFile"]
_NEED_MORE_DATA: object = vars(stdlib_feedparser)["NeedMoreData"]

_MAX_CACHED_PARAMS = 1024  # longer header values are parsed every time
# The stdlib pushes `boundaryre.match` with boundaryre = "(?P<sep>" + escaped "--boundary".
_BOUNDARY_PREFIX = "(?P<sep>" + re.escape("--")


def _is_boundary_matcher(predicate: Callable[[str], object]) -> bool:
    pattern = getattr(predicate, "__self__", None)
    return (
        isinstance(pattern, re.Pattern)
        and getattr(predicate, "__name__", "") == "match"
        and isinstance(pattern.pattern, str)
        and pattern.pattern.startswith(_BOUNDARY_PREFIX)
    )


class LineBuffer(_BufferedSubFile):  # type: ignore[misc]
    """`BufferedSubFile` whose iteration is a generator (see the module docstring).
    The parser never pushes or pops an EOF matcher inside a `for line in` loop, so the
    matchers are read when the loop starts."""

    def __iter__(self) -> Iterator[Any]:
        stack = self._eofstack
        if not stack:
            return self._all_lines()
        if all(_is_boundary_matcher(predicate) for predicate in stack):
            return self._lines_before_boundary()
        return self._checked_lines()

    def _all_lines(self) -> Iterator[Any]:
        lines = self._lines
        while True:
            if lines:
                line = lines.popleft()
                if not line:  # an unread EOF marker: readline() would return "" too
                    return
                yield line
            elif self._closed:
                return
            else:
                yield _NEED_MORE_DATA

    def _lines_before_boundary(self) -> Iterator[Any]:
        lines = self._lines
        stack = self._eofstack
        while True:
            if lines:
                line = lines.popleft()
                if line[:2] == "--" and any(matches(line) for matches in reversed(stack)):
                    lines.appendleft(line)  # the false EOF: the line stays for the parser
                    return
                if not line:
                    return
                yield line
            elif self._closed:
                return
            else:
                yield _NEED_MORE_DATA

    def _checked_lines(self) -> Iterator[Any]:
        while (line := self.readline()) != "":
            yield line


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


@lru_cache(maxsize=2048)
def _parameters(value: str) -> tuple[Any, ...]:
    """The stdlib's parameter list for a header value (values repeat across mail:
    'text/plain; charset="utf-8"')."""
    probe = Message(policy=compat32)
    probe["Content-Type"] = value
    return tuple(probe.get_params([], header="content-type", unquote=False))
