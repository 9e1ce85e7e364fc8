"""The third-party parsers, imported in one place so their import-time deprecation noise
and their log output never reach the user's terminal."""

from __future__ import annotations

import logging
import warnings

with warnings.catch_warnings():
    # olevba builds its pyparsing grammar at import time with long-deprecated names
    warnings.simplefilter("ignore", DeprecationWarning)
    import msoffcrypto
    import olefile
    from oletools import crypto, msodde, oleobj, olevba, rtfobj
    from oletools.ppt_record_parser import PptFile, PptRecordExOleVbaActiveXAtom

_QUIET = (
    "olevba",
    "oletools",
    "olefile",
    "msodde",
    "ooxml",
    "xls_parser",
    "ppt_parser",
    "ppt_record_parser",
    "record_base",
    "rtfobj",
    "oleobj",
    "crypto",
    "msoffcrypto",
    "pypdf",
    "py7zr",
    "rarfile",
    "PIL",
)
for _name in _QUIET:
    logging.getLogger(_name).setLevel(logging.CRITICAL)

__all__ = [
    "PptFile",
    "PptRecordExOleVbaActiveXAtom",
    "crypto",
    "msodde",
    "msoffcrypto",
    "olefile",
    "oleobj",
    "olevba",
    "rtfobj",
]
