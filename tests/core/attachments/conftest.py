"""Fixtures for attachment tests: run the analyser on in-memory bytes and inspect the tree."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from phishloop.core.attachments import NestedEmailAnalyzer, analyze_attachment
from phishloop.core.config import AnalysisConfig, Limits
from phishloop.core.context import AnalysisContext
from phishloop.core.model import Attachment, UrlRecord
from phishloop.core.urls.collector import UrlCollector


@dataclass
class Result:
    attachment: Attachment
    ctx: AnalysisContext
    urls: tuple[UrlRecord, ...]

    @property
    def flags(self) -> tuple[str, ...]:
        return self.attachment.flags

    def walk(self) -> Iterator[Attachment]:
        stack = [self.attachment]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(node.children)

    def all_flags(self) -> set[str]:
        return {flag for node in self.walk() for flag in node.flags}

    def find(self, filename: str) -> Attachment:
        matches = [node for node in self.walk() if node.filename == filename]
        assert matches, f"{filename} not in {[n.filename for n in self.walk()]}"
        return matches[0]

    def error_codes(self) -> set[str]:
        return {record.code for record in self.ctx.errors.records}

    def url(self, url: str) -> UrlRecord:
        matches = [record for record in self.urls if record.url == url]
        assert matches, f"{url} not in {[record.url for record in self.urls]}"
        return matches[0]


Analyze = Callable[..., Result]


@pytest.fixture
def analyze() -> Analyze:
    def run(
        data: bytes,
        filename: str | None,
        content_type: str = "application/octet-stream",
        *,
        limits: Limits | None = None,
        nested: NestedEmailAnalyzer | None = None,
        ctx: AnalysisContext | None = None,
    ) -> Result:
        if ctx is None:
            config = AnalysisConfig(limits=limits) if limits else AnalysisConfig()
            ctx = AnalysisContext.create(config)
        urls = UrlCollector(ctx)
        attachment = analyze_attachment(
            data,
            filename=filename,
            content_type=content_type,
            ctx=ctx,
            urls=urls,
            path=filename or "attachment",
            nested=nested,
        )
        return Result(attachment, ctx, urls.finish())

    return run


def make_zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def zip_of() -> Callable[..., bytes]:
    return make_zip


PE_HEADER = (
    b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode.\r\r\n$" + b"\0" * 64
)


@pytest.fixture
def pe_bytes() -> bytes:
    return PE_HEADER
