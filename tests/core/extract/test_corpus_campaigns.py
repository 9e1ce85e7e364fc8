"""Fingerprints and text indicators over phishing_pot: no exceptions, repeated campaigns
are found, and unrelated messages score low. Bodies are read with the stdlib here."""

from __future__ import annotations

import csv
import random
import re
import statistics
import time
from collections import Counter
from email import message_from_bytes, policy
from email.message import Message
from email.utils import getaddresses
from pathlib import Path

import pytest

from phishloop.core.context import AnalysisContext
from phishloop.core.extract.fingerprint import compute_fingerprint, similarity
from phishloop.core.extract.iocs import text_indicators
from phishloop.core.model import Address, Fingerprint, MessageInfo

pytestmark = pytest.mark.corpus

_TAG = re.compile(r"<[^>]{0,2000}>")


def bodies(message: Message) -> tuple[str, str]:
    text = html = ""
    for part in message.walk():
        kind = part.get_content_type()
        if kind not in {"text/plain", "text/html"}:
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        try:
            decoded = data.decode(part.get_content_charset() or "latin-1", "replace")
        except LookupError:
            decoded = data.decode("latin-1")
        if kind == "text/plain" and not text:
            text = decoded
        elif kind == "text/html" and not html:
            html = decoded
    return (text or _TAG.sub(" ", html)), html


def fingerprint_corpus(folder: Path) -> tuple[list[Fingerprint], float, int]:
    with (folder / "labels.csv").open(newline="") as labels:
        paths = [folder / row["path"] for row in csv.DictReader(labels)]
    fingerprints, seconds, indicators = [], 0.0, 0
    for path in paths:
        raw = path.read_bytes()
        message = message_from_bytes(raw, policy=policy.compat32)
        text, html = bodies(message)
        recipients = getaddresses([str(v) for v in message.get_all("to", [])])
        info = MessageInfo(
            subject=str(message["subject"] or ""),
            to=tuple(Address(address, name) for name, address in recipients),
        )
        started = time.perf_counter()
        indicators += len(text_indicators(text, AnalysisContext.create()))
        fingerprints.append(
            compute_fingerprint(
                raw=raw,
                message=info,
                body_text=text,
                html=html,
                urls=(),
                attachments=(),
                origin_ip=None,
                origin_host=None,
            )
        )
        seconds += time.perf_counter() - started
    return fingerprints, seconds / len(paths), indicators


def test_phishing_pot_campaigns(corpora: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fingerprints, per_message, indicators = fingerprint_corpus(corpora / "phishing_pot")
    repeated = Counter(f.body_sha256 for f in fingerprints if f.body_tlsh)
    groups = [count for count in repeated.values() if count > 1]
    pick = random.Random(7)
    scores = [similarity(pick.choice(fingerprints), pick.choice(fingerprints)) for _ in range(3000)]
    scores.sort()
    p90 = scores[int(0.9 * len(scores))]
    with capsys.disabled():
        print(
            f"\nphishing_pot: {len(fingerprints)} messages, {per_message * 1e6:.0f} µs/message "
            f"(text indicators + fingerprint), {indicators} text indicators, "
            f"{len(groups)} repeated bodies covering {sum(groups)} messages, random-pair "
            f"similarity median {statistics.median(scores):.2f} p90 {p90:.2f}"
        )
    assert len(fingerprints) > 1000
    assert sum(f.body_tlsh is not None for f in fingerprints) / len(fingerprints) > 0.9
    assert sum(f.html_structure_sha256 is not None for f in fingerprints) / len(fingerprints) > 0.8
    assert len(groups) >= 50  # the corpus holds many copies of the same campaigns
    assert statistics.median(scores) < 0.1
    assert p90 < 0.4
    assert indicators > 100
