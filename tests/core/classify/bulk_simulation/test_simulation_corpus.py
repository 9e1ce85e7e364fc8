"""Real simulation mail and real look-alikes from phishing_pot, judged by the whole chain.

Samples 270, 367 and 2934 are genuine Cofense PhishMe simulations delivered to a Gmail
mailbox behind a Proofpoint gateway: Google's Authentication-Results (authserv-id
mx.google.com) record SPF pass for return--path.com from 52.1.96.230 (mail.nova.phishme.com).
Samples 1570, 1581, 1605, 1625 and 1626 claim psm.knowbe4.com in the envelope but fail SPF at
Microsoft 365 and lack KnowBe4's X-PHISHTEST header: phishing dressed up as a drill.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from phishloop.core.config import AnalysisConfig
from phishloop.core.pipeline import analyze

pytestmark = pytest.mark.corpus

PHISHME = (270, 367, 2934)
SPOOFED_KNOWBE4 = (1570, 1581, 1605, 1625, 1626)
KNOWBE4_RANGES = ["23.21.109.197/32", "23.21.109.212/32", "147.160.167.0/26"]

# What an organisation on Google Workspace using Cofense PhishMe would write.
PHISHME_ORG = {
    "gmail, all vendors": {"organisation": {"authserv_ids": ["mx.google.com"]}},
    "gmail, PhishMe range": {
        "organisation": {"authserv_ids": ["mx.google.com"]},
        "simulation": {"vendors": ["cofense"], "trusted_ranges": ["52.1.96.230/32"]},
    },
    "gmail, own envelope domain": {
        "organisation": {"authserv_ids": ["mx.google.com"]},
        "simulation": {
            "vendors": ["gophish"],
            "sending_domains": ["return--path.com"],
            "headers": ["X-PhishMe: Phishing_Training"],
        },
    },
}
# The configuration bench/eval_corpora.py measures the simulation targets with.
BENCH_CONFIG = Path(__file__).parents[4] / "bench" / "phishme-trusted.toml"
PHISHME_ORG["bench/phishme-trusted.toml"] = tomllib.loads(BENCH_CONFIG.read_text("utf-8"))

# Every reasonable configuration, including a KnowBe4 customer's on Microsoft 365.
ANY_ORG = {
    "default": {},
    "gmail": {"organisation": {"authserv_ids": ["mx.google.com"]}},
    "microsoft 365": {"organisation": {"authserv_ids": ["(none)", "protection.outlook.com"]}},
    "bench/phishme-trusted.toml": PHISHME_ORG["bench/phishme-trusted.toml"],
    "knowbe4 customer on microsoft 365": {
        "organisation": {"authserv_ids": ["(none)", "protection.outlook.com"]},
        "simulation": {
            "vendors": ["knowbe4"],
            "trusted_ranges": KNOWBE4_RANGES,
            "sending_domains": ["psm.knowbe4.com"],
            "headers": ["X-PHISHTEST"],
        },
    },
}


def sample(corpora: Path, number: int) -> bytes:
    return (corpora / "phishing_pot" / "email" / f"sample-{number}.eml").read_bytes()


def judged(raw: bytes, table: dict[str, object]) -> tuple[str, dict[str, str]]:
    verdict = analyze(raw, config=AnalysisConfig.from_mapping(table))[0].verdict
    assert verdict is not None
    return verdict.category, {reason.rule: reason.evidence for reason in verdict.reasons}


@pytest.mark.parametrize("number", PHISHME)
@pytest.mark.parametrize("name", PHISHME_ORG)
def test_phishme_is_a_simulation_for_an_organisation_that_trusts_it(
    corpora: Path, number: int, name: str
) -> None:
    category, reasons = judged(sample(corpora, number), PHISHME_ORG[name])
    assert category == "simulation"
    assert "simulation.untrusted-marker" not in reasons


@pytest.mark.parametrize("number", PHISHME)
def test_phishme_is_not_a_simulation_with_the_default_config(corpora: Path, number: int) -> None:
    category, reasons = judged(sample(corpora, number), {})
    assert category != "simulation"
    assert "Cofense PhishMe" in reasons["simulation.untrusted-marker"]


@pytest.mark.parametrize("number", SPOOFED_KNOWBE4)
@pytest.mark.parametrize("name", ANY_ORG)
def test_spoofed_knowbe4_is_never_a_simulation(corpora: Path, number: int, name: str) -> None:
    category, reasons = judged(sample(corpora, number), ANY_ORG[name])
    assert category != "simulation"
    assert "psm.knowbe4.com" in reasons["simulation.untrusted-marker"]
