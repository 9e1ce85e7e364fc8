"""The stdlib MIME parser, bounded.

`email.feedparser` recurses once per nesting level (and `Message.walk()` again), so a
1,000-level nested multipart raises RecursionError. `BoundedFeedParser` makes every part
deeper than the limit, and every embedded `message/*` part, an opaque leaf *while parsing*:
its Content-Type is masked so the parser reads its content as one payload string instead of
descending. The real headers are restored afterwards. Embedded messages stay raw text,
which gives their exact bytes back and leaves their analysis to a separate parse.

This relies on FeedParser's `_cur` and `_msgstack`, unchanged since Python 3.3
(`feed_speed` makes the parser faster without changing its results); `parse_bytes` falls
back to a headers-only parse if anything still goes wrong.
"""

from __future__ import annotations

from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32

from phishloop.core.parse.feed_message import IndexedMessage
from phishloop.core.parse.feed_speed import FastFeedParser

_OPAQUE = ("Content-Type", "application/octet-stream")


class BoundedFeedParser(FastFeedParser):
    """FeedParser that never nests deeper than `max_depth` and never descends into
    message/* parts."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(IndexedMessage, policy=compat32)
        self._max_depth = max_depth
        self._masked: list[tuple[Message, list[tuple[str, str]]]] = []
        self.depth_cut = False

    def _headers_parsed(self, msg: Message) -> None:
        maintype = msg.get_content_maintype()
        depth = len(self._msgstack) - 1  # type: ignore[attr-defined]
        if maintype == "message" or (maintype == "multipart" and depth >= self._max_depth):
            if maintype == "multipart":
                self.depth_cut = True
            self._mask(msg)

    def _mask(self, msg: Message) -> None:
        saved = list(msg._headers)  # type: ignore[attr-defined]
        kept = [item for item in saved if item[0].lower() != "content-type"]
        msg._headers = [*kept, _OPAQUE]  # type: ignore[attr-defined]
        self._masked.append((msg, saved))

    def restore(self) -> None:
        """Put the real headers back on every masked part."""
        for msg, saved in self._masked:
            msg._headers = saved  # type: ignore[attr-defined]
        self._masked.clear()


def parse_bytes(data: bytes, max_depth: int) -> tuple[Message, bool, Exception | None]:
    """Parse `data`; returns (root, depth_was_cut, failure). On failure the root comes from
    a headers-only parse (the body kept as one payload)."""
    text = data.decode("ascii", "surrogateescape")  # exactly what BytesParser does
    parser = BoundedFeedParser(max_depth)
    try:
        parser.feed(text)
        root: Message = parser.close()
    except Exception as exc:  # RecursionError, MessageError...: hostile input, not a bug
        parser.restore()
        return _headers_only(text), False, exc
    parser.restore()
    return root, parser.depth_cut, None


def _headers_only(text: str) -> Message:
    try:
        return HeaderParser(policy=compat32).parsestr(text, headersonly=True)
    except Exception:  # the last resort must not fail
        msg = Message(policy=compat32)
        msg.set_payload(text)
        return msg
