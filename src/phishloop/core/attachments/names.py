"""Flags that come from an attachment's name, alone or compared with its content."""

from __future__ import annotations

import re

from phishloop.core.attachments.tree import Node


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


EXECUTABLE_EXTENSIONS = _words(
    "exe dll scr com pif cpl msi msp mst bat cmd js jse vbs vbe wsf wsh wsc hta ps1 psm1 psd1 "
    "lnk url jar jnlp iso img vhd vhdx appx msix appxbundle application reg inf scf sct chm "
    "xll gadget apk dmg pkg sh ace library-ms settingcontent-ms search-ms"
)
_HTML_EXTENSIONS = _words("htm html shtml xhtml svg mht mhtml")
_DECOY_EXTENSIONS = _words(
    "pdf doc docx docm xls xlsx xlsm ppt pptx txt rtf csv odt ods jpg jpeg png gif bmp tif tiff "
    "mp3 mp4 wav avi mov zip rar 7z eml msg xml json ics"
)
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_PADDED_EXTENSION = re.compile(r"(?:\s{3,}|_{5,})\.[A-Za-z0-9]{1,12}$")
# "pw: 4417", "password_ab12": a separator, then a token with a digit (so "password-policy"
# and "bypass" are not hints).
_PASSWORD_HINT = re.compile(
    r"(?i)(?<![a-z])(?:password|passwort|kennwort|pass|pwd|pw|mdp|senha|contrase(?:ñ|n)a|parol[ae]?)"
    r"\s{0,3}[:=_\-# ]\s{0,3}(?=[a-z]{0,23}\d)[a-z0-9]{3,24}"
)

# Content families each extension may legitimately have; extensions not listed are not
# checked. "ole" covers password-protected OOXML, which is stored as an OLE container.
_OOXML = frozenset({"ooxml", "zip", "ole"})
_LEGACY_OFFICE = frozenset({"ole", "html", "office-xml", "rtf"})
_TEXTUAL = frozenset({"text", "empty", "html", "office-xml", "calendar", "email"})
# Any raster image under any image extension is harmless (viewers sniff the content):
# "blob.jpg" that is really a PNG is everyday clipboard output, not a disguise.
_IMAGE = frozenset({"image"})
_EXPECTED: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    **dict.fromkeys(_words("jpg jpeg jpe png gif bmp tif tiff webp heic"), _IMAGE),
    **dict.fromkeys(
        _words("docx docm dotx dotm xlsx xlsm xlsb xltx xltm xlam pptx pptm ppsx ppsm potx potm"),
        _OOXML,
    ),
    **dict.fromkeys(_words("doc dot xls xlt xla ppt pps pot"), _LEGACY_OFFICE),
    **dict.fromkeys(_words("odt ods odp"), frozenset({"odf"})),
    "zip": frozenset({"zip", "ooxml", "odf"}),
    "rar": frozenset({"rar"}),
    "7z": frozenset({"7z"}),
    "gz": frozenset({"gzip"}),
    "tgz": frozenset({"gzip"}),
    "tar": frozenset({"tar"}),
    "msg": frozenset({"msg"}),
    "eml": frozenset({"email", "text"}),
    "rtf": frozenset({"rtf"}),
    "ics": frozenset({"calendar", "text"}),
    "htm": frozenset({"html", "text"}),
    "html": frozenset({"html", "text"}),
    **dict.fromkeys(_words("txt csv log xml json"), _TEXTUAL),
}
_FAMILY_KINDS = _words(
    "zip ooxml odf ole msg email html calendar text empty rtf office-xml executable gzip bzip2 "
    "xz tar 7z rar pdf onenote"
)


def extension(name: str | None) -> str:
    """The lower-case last extension of `name`, without bidi controls or padding."""
    if not name:
        return ""
    cleaned = _BIDI_CONTROLS.sub("", name).strip().rstrip(". ")
    stem, dot, ext = cleaned.rpartition(".")
    return ext.strip().lower() if dot and stem else ""


def content_family(node: Node) -> str:
    """Coarse family of the detected content, compared against the name's extension."""
    if node.kind == "image":
        return "image"
    return node.kind if node.kind in _FAMILY_KINDS else "unknown"


def name_flags(node: Node, family: str) -> None:
    """Add executable / double-extension / password-in-name / extension-mismatch."""
    name = node.filename or ""
    ext = extension(name)
    if ext in EXECUTABLE_EXTENSIONS:
        node.flag("executable", f"extension .{ext}", key="executable")
    _double_extension(node, name, ext)
    hint = _PASSWORD_HINT.search(name[:300])
    if hint:
        node.flag("password-in-name", hint.group(0))
    expected = _EXPECTED.get(ext)
    if family == "executable" and ext not in EXECUTABLE_EXTENSIONS:
        node.flag("extension-mismatch", f".{ext or '(none)'} but content is {node.detected_type}")
    elif expected is not None and family not in ("unknown", "empty") and family not in expected:
        node.flag("extension-mismatch", f".{ext} but content is {node.detected_type}")


def _double_extension(node: Node, name: str, ext: str) -> None:
    if _BIDI_CONTROLS.search(name):
        node.flag("double-extension", "bidirectional control character in the name")
        return
    if ext not in EXECUTABLE_EXTENSIONS and ext not in _HTML_EXTENSIONS:
        return
    parts = name.strip().rstrip(". ").split(".")
    decoy = parts[-2].strip().lower() if len(parts) >= 3 else ""
    if decoy in _DECOY_EXTENSIONS:
        node.flag("double-extension", f".{decoy}.{ext}")
    elif _PADDED_EXTENSION.search(name[-300:].strip()):
        node.flag("double-extension", "extension hidden behind padding")
