"""Zip files: plain archives, Java/Android packages, and the zip-based Office formats
(OOXML, OpenDocument), which are handed to `ooxml`."""

from __future__ import annotations

import io
import zipfile

from phishloop.core.attachments import ooxml, opendocument
from phishloop.core.attachments.members import add_zip_member, listed
from phishloop.core.attachments.tree import Node, Walk

_ENCRYPTED_BIT = 0x1


def analyze_zip(walk: Walk, node: Node) -> None:
    """Open the zip: Office packages go to `ooxml`, everything else is an archive whose
    members are extracted (within limits) and analysed recursively."""
    with zipfile.ZipFile(io.BytesIO(node.data)) as archive:
        infos = archive.infolist()
        names = {info.filename for info in infos[: walk.ctx.limits.max_archive_members]}
        if "[Content_Types].xml" in names:
            ooxml.analyze_package(walk, node, archive, infos)
            return
        if "mimetype" in names:
            opendocument.analyze_opendocument(walk, node, archive, infos)
            return
        _refine_package(node, names)
        node.flag("archive")
        for info in infos:
            if not info.is_dir():
                _add_zip_member(walk, node, archive, info)


def _refine_package(node: Node, names: set[str]) -> None:
    if "AndroidManifest.xml" in names:
        node.detected_type = "application/vnd.android.package-archive"
        node.flag("executable", "Android package", key="executable")
    elif "META-INF/MANIFEST.MF" in names and any(n.endswith(".class") for n in names):
        node.detected_type = "application/java-archive"
        node.flag("executable", "Java archive", key="executable")
    else:
        node.detected_type = "application/zip"


def _add_zip_member(
    walk: Walk, node: Node, archive: zipfile.ZipFile, info: zipfile.ZipInfo
) -> None:
    if info.flag_bits & _ENCRYPTED_BIT:
        walk.take_member()
        node.flag("encrypted", "password-protected zip members", key="encrypted")
        node.children.append(
            listed(node, info.filename, info.file_size, "encrypted", reason="password-protected")
        )
        return
    add_zip_member(walk, node, archive, info)
