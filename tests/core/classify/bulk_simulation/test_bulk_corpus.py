"""The bulk rules on real mail: newsletters and list mail clear the bulk threshold, modern
person-to-person mail does not. Only the bulk rules are run, so these figures do not move
when other rule families change (the whole chain is measured by `phishloop eval`)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from phishloop.core.classify.chain import run_chain
from phishloop.core.classify.facts import Facts
from phishloop.core.classify.rules.bulk import RULES
from phishloop.core.config import DEFAULT_CONFIG
from phishloop.core.pipeline import analyze

pytestmark = pytest.mark.corpus


def labelled(corpora: Path, corpus: str, label: str, every: int = 1) -> list[Path]:
    with (corpora / corpus / "labels.csv").open() as handle:
        rows = [row["path"] for row in csv.DictReader(handle) if row["label"] == label]
    return [corpora / corpus / path for path in rows[::every]]


def bulk_share(paths: list[Path]) -> float:
    """The share of messages whose bulk-rule score reaches the bulk threshold."""
    assert paths
    reached = 0
    for path in paths:
        for analysis in analyze(path.read_bytes(), path=str(path), verdict=False):
            hits, _ = run_chain(Facts(analysis, DEFAULT_CONFIG), DEFAULT_CONFIG.rules, RULES)
            score = sum(hit.weight for hit in hits if hit.signal == "bulk")
            reached += score >= DEFAULT_CONFIG.verdict.bulk
    return reached / len(paths)


def test_newsletters_are_bulk(corpora: Path) -> None:
    assert bulk_share(labelled(corpora, "markup_newsletters", "bulk")) >= 0.93


def test_2002_bulk_mail_is_mostly_bulk(corpora: Path) -> None:
    assert bulk_share(labelled(corpora, "spamassassin_public", "bulk")) >= 0.85


def test_modern_list_discussion_is_bulk(corpora: Path) -> None:
    assert bulk_share(labelled(corpora, "modern_lists", "bulk", every=4)) == 1.0


@pytest.mark.parametrize(("corpus", "every"), [("modern_fixtures", 1), ("msg_files", 1)])
def test_person_to_person_mail_is_not_bulk(corpora: Path, corpus: str, every: int) -> None:
    assert bulk_share(labelled(corpora, corpus, "ham", every)) == 0.0
