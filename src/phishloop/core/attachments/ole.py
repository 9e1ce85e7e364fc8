"""OLE (Compound File) attachments: legacy Office documents, encrypted Office files,
Outlook .msg messages and MSI installers."""

from __future__ import annotations

import io

from phishloop.core.attachments import documents, fields, ppt, vba
from phishloop.core.attachments.libs import crypto, msodde, msoffcrypto, olefile, oleobj
from phishloop.core.attachments.members import MEMBER_TYPE, listed
from phishloop.core.attachments.tree import Node, Walk

MAX_STREAMS = 2000
# Office opens files encrypted with these well-known passwords without asking, which is
# why malware uses them; any other password stops the analysis at the `encrypted` flag.
_AUTOMATIC_PASSWORDS = {"default": "VelvetSweatshop", "powerpoint": "/01Hannes Ruescher/01"}
_TYPES = (
    ("__substg1.0_", "application/vnd.ms-outlook"),
    ("WordDocument", "application/msword"),
    ("Workbook", "application/vnd.ms-excel"),
    ("Book", "application/vnd.ms-excel"),
    ("PowerPoint Document", "application/vnd.ms-powerpoint"),
)
_MSI_CLSIDS = frozenset(
    {"000C1084-0000-0000-C000-000000000046", "000C1086-0000-0000-C000-000000000046"}
)


def analyze_ole(walk: Walk, node: Node) -> None:
    """Analyse a Compound File; an Outlook message is handed to the nested-email analyser."""
    with olefile.OleFileIO(node.data) as ole:
        streams = ole.listdir(streams=True, storages=True)[:MAX_STREAMS]
        top = {entry[0] for entry in streams}
        node.detected_type = _refine_type(ole, top, streams, node.detected_type)
        if node.detected_type == "application/vnd.ms-outlook":
            node.kind = "msg"
            documents.analyze_email(walk, node)
            return
        if node.detected_type == "application/x-msi":
            node.flag("executable", "Windows Installer package", key="executable")
            return
        if crypto.is_encrypted(ole):
            node.flag("encrypted", "password-protected Office document", key="encrypted")
            _decrypt(walk, node)
            return
        vba.scan_macros(walk, node)
        walk.ctx.deadline.check()
        _dde(walk, node, ole, top)
        _objects(walk, node, ole, streams)
        if "PowerPoint Document" in top:
            ppt.embedded_objects(walk, node)


def _refine_type(
    ole: olefile.OleFileIO, top: set[str], streams: list[list[str]], fallback: str
) -> str:
    if ole.root is not None and str(ole.root.clsid).upper() in _MSI_CLSIDS:
        return "application/x-msi"
    if any(entry[0].startswith("__substg1.0_") for entry in streams):
        return "application/vnd.ms-outlook"
    for marker, mime in _TYPES[1:]:
        if marker in top:
            return mime
    return fallback


def _decrypt(walk: Walk, node: Node) -> None:
    """Try Office's automatic passwords in memory; on success analyse the plain document
    as a child, so its macros and links are seen."""
    key = "powerpoint" if "powerpoint" in node.detected_type else "default"
    password = _AUTOMATIC_PASSWORDS[key]
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(node.data))
        office.load_key(password=password)
        plain = io.BytesIO()
        office.decrypt(plain)
    except Exception:  # wrong password or unsupported scheme: it stays encrypted
        return
    node.detail("decrypted-with", f"Office's built-in password {password!r}")
    walk.count_expanded(len(plain.getbuffer()))
    name = f"decrypted-{node.filename or 'document'}"
    node.children.append(walk.child(node, plain.getvalue(), name, node.detected_type))


def _dde(walk: Walk, node: Node, ole: olefile.OleFileIO, top: set[str]) -> None:
    if "WordDocument" in top:
        fields.classify_fields(walk, node, msodde.process_doc(ole).splitlines())
    elif "Workbook" in top or "Book" in top:
        fields.classify_dde_links(node, msodde.process_xls(node.data).splitlines())


def _objects(walk: Walk, node: Node, ole: olefile.OleFileIO, streams: list[list[str]]) -> None:
    """Embedded OLE objects; packaged files (Ole10Native) are extracted as children."""
    for entry in streams:
        leaf = entry[-1]
        if leaf == "Equation Native":
            node.flag(
                "ole-object", "Equation Editor object (CVE-2017-11882 lure)", key="ole-object"
            )
        elif leaf == "\x01Ole10Native":
            walk.take_member()
            native = oleobj.OleNativeStream(ole.openstream(entry).read())
            name = str(native.filename or "package")
            node.flag("ole-object", f"packaged file {name}", key="ole-object")
            if native.data:
                node.children.append(walk.child(node, bytes(native.data), name, MEMBER_TYPE))
            else:
                node.children.append(listed(node, name, 0, reason="link to a file, no content"))
        elif leaf in ("ObjectPool", "Package") or leaf.startswith("MBD"):
            node.flag("ole-object", "/".join(entry), key="ole-object")
