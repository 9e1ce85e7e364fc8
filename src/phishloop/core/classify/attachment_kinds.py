"""What kind of attachment a node is, for the attachment rules: archives, HTML, disk
images and other containers, and content more dangerous than its name."""

from __future__ import annotations

from collections.abc import Callable

from phishloop.core.classify.facts import Facts
from phishloop.core.model import Attachment

ARCHIVE_EXTENSIONS = frozenset(
    ["zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz", "ace", "arj", "cab", "lzh", "z"]
)
HTML_EXTENSIONS = frozenset(["htm", "html", "shtml", "xhtml", "svg", "mht", "mhtml", "hta"])
HTML_TYPES = frozenset(("text/html", "image/svg+xml", "application/xhtml+xml"))
CONTAINER_EXTENSIONS = frozenset(
    ["iso", "img", "vhd", "vhdx", "lnk", "one", "onepkg", "appx", "msix", "appinstaller"]
)
CONTAINER_TYPES = frozenset(("application/x-iso9660-image", "application/onenote"))
# Detected content types that are worse than whatever a name could claim.
_DANGEROUS_TYPE_PARTS = (
    "executable", "msdownload", "x-dosexec", "zip", "rar", "7z", "html", "javascript",
    "macroenabled", "ms-excel", "msword", "ms-powerpoint", "x-sh", "java-archive", "onenote",
)  # fmt: skip
WEAK_EXECUTABLES = frozenset(("url", "website"))  # Internet shortcuts: abused, but also shared


def extension(node: Attachment) -> str:
    name = (node.filename or node.path or "").strip().lower().rstrip(".")
    return name.rsplit(".", 1)[1] if "." in name else ""


def path_of(node: Attachment) -> str:
    return node.path or node.filename or "(unnamed attachment)"


def is_archive(node: Attachment) -> bool:
    return "archive" in node.flags or extension(node) in ARCHIVE_EXTENSIONS


def is_html(node: Attachment) -> bool:
    if extension(node) in HTML_EXTENSIONS:
        return True
    return node.detected_type in HTML_TYPES and extension(node) not in ("eml", "msg", "txt")


def container_kind(node: Attachment) -> str | None:
    ext = extension(node)
    if ext in CONTAINER_EXTENSIONS:
        return f".{ext}"
    return node.detected_type if node.detected_type in CONTAINER_TYPES else None


def dangerous_content(node: Attachment) -> bool:
    detected = node.detected_type.lower()
    return any(part in detected for part in _DANGEROUS_TYPE_PARTS)


def first(facts: Facts, predicate: Callable[[Attachment], bool]) -> Attachment | None:
    return next((node for node in facts.attachments if predicate(node)), None)


def detail(node: Attachment, flag: str) -> str:
    """The evidence the analysis gave for `flag`, or the flag itself."""
    found = next((value for key, value in node.details if key == flag), None)
    return found[:100] if found else flag
