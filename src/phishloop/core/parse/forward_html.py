"""The forwarded part of an HTML body: everything after the forward divider and its header
block, so the original's links keep their hrefs and the reporter's own links are left out."""

from __future__ import annotations

import re

from phishloop.core.parse.forward_vocab import APPLE_PHRASES, FORWARDED_PHRASES, ORIGINAL_PHRASES

MAX_HTML_SCAN = 512 * 1024  # the divider must start this close to the top
MAX_BLOCK_CHARS = 6000  # the forwarded header block is this long at most

_PHRASES = "|".join(
    re.escape(p).replace(r"\ ", r"(?:\s|&nbsp;)+").replace("'", "(?:'|&#39;|&#x27;|’|&rsquo;)")
    for p in sorted(ORIGINAL_PHRASES | FORWARDED_PHRASES | APPLE_PHRASES, key=len, reverse=True)
)
# Containers clients wrap a forward in, and the marker phrases themselves.
_DIVIDER = re.compile(
    r"<hr[^>]{0,300}>(?=(?:\s|<[^>]{0,300}>){0,12}<div[^>]{0,100}divRplyFwdMsg)"
    r"|<div[^>]{0,200}(?:divRplyFwdMsg|gmail_quote|gmail_attr|moz-forward-container"
    r"|border-top:\s*solid\s*#(?:E1E1E1|B5C4DF)[^>]{0,200})"
    r"|<blockquote[^>]{0,100}type=\"?cite"
    r"|(?:-|&#8212;|&mdash;){2,12}+(?:\s|&nbsp;)*(?:" + _PHRASES + r")"
    r"|(?:" + _PHRASES + r")(?:\s|&nbsp;)*:",
    re.IGNORECASE,
)
_LINE_END = re.compile(r"<br\s*/?>|</p>|</div>|</tr>|</table>|\n", re.IGNORECASE)


def html_after_forward(html: str, labels: tuple[str, ...]) -> str | None:
    """The HTML of the forwarded original, or None when no divider is found."""
    match = _DIVIDER.search(html, 0, MAX_HTML_SCAN)
    if match is None:
        return None
    start = match.start()
    tag_start = html.rfind("<", max(0, start - 400), start + 1)
    if match.group(0)[:1] != "<" and tag_start != -1:
        start = tag_start  # begin at the element holding the marker text
    return html[_block_end(html, start, labels) :]


def _block_end(html: str, start: int, labels: tuple[str, ...]) -> int:
    """Just after the line of the forwarded header block's last label, else `start`."""
    if not labels:
        return start
    window_end = min(len(html), start + MAX_BLOCK_CHARS)
    pattern = re.compile(
        r"(?<![\w-])"
        + re.escape(labels[-1]).replace(r"\ ", r"(?:\s|&nbsp;)+")
        + r"(?:\s|&nbsp;|<[^>]{0,200}>){0,6}:",
        re.IGNORECASE,
    )
    matches = list(pattern.finditer(html, start, window_end))
    if not matches:
        return start
    line_end = _LINE_END.search(html, matches[-1].end(), window_end)
    return line_end.end() if line_end else start
