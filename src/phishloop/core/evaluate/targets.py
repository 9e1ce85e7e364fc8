"""Quality targets: "at least / at most this share of these files gets these verdicts".

`ISSUE_TARGETS` are the verdict engine's targets on the shared corpora (issue 3). A target
applies to the files of its sets and label (and, when `files` is set, only to files with
those names); a target without any such file is reported as not measured.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from phishloop.core.evaluate.metrics import Ratio
from phishloop.core.evaluate.outcome import Outcome

UNWANTED = ("malicious", "suspicious", "spam")


@dataclass(frozen=True, slots=True)
class Target:
    """`categories` are verdict categories, or "category/subtype" for an exact subtype."""

    name: str
    sets: tuple[str, ...]
    label: str
    categories: tuple[str, ...]
    minimum: float | None = None
    maximum: float | None = None
    files: tuple[str, ...] = ()  # file names (no folders); empty = every file
    note: str = ""
    conditional: bool = False  # holds only with a particular configuration (see `note`)

    def applies_to(self, outcome: Outcome) -> bool:
        if outcome.set not in self.sets or outcome.label != self.label:
            return False
        return not self.files or PurePosixPath(outcome.path).name in self.files

    def matches(self, outcome: Outcome) -> bool:
        return outcome.category in self.categories or outcome.verdict in self.categories

    @property
    def goal(self) -> str:
        """ "≥ 95 %", "≤ 0.5 %", or "none" for a target that allows no file at all."""
        if self.maximum == 0:
            return "none"
        if self.maximum is not None:
            return f"≤ {percent(self.maximum)}"
        return f"≥ {percent(self.minimum or 0.0)}"


def percent(share: float) -> str:
    """0.95 → "95 %", 0.005 → "0.5 %"."""
    return f"{share * 100:.1f}".removesuffix(".0") + " %"


@dataclass(frozen=True, slots=True)
class TargetResult:
    target: Target
    measured: Ratio

    @property
    def met(self) -> bool | None:
        """True or False; None when no file of the target was evaluated."""
        share = self.measured.share
        if share is None:
            return None
        low, high = self.target.minimum, self.target.maximum
        return (low is None or share >= low) and (high is None or share <= high)


def check_targets(targets: Iterable[Target], outcomes: Iterable[Outcome]) -> list[TargetResult]:
    items = list(outcomes)
    results = []
    for target in targets:
        chosen = [o for o in items if target.applies_to(o)]
        hits = sum(1 for o in chosen if target.matches(o))
        results.append(TargetResult(target, Ratio(hits, len(chosen))))
    return results


PHISHME = ("sample-270.eml", "sample-367.eml", "sample-2934.eml")
KNOWBE4_SPOOFS = tuple(f"sample-{n}.eml" for n in (1570, 1581, 1605, 1625, 1626))
SPAMASSASSIN = ("spamassassin_public",)
ISSUE_TARGETS: tuple[Target, ...] = (
    Target("phishing_pot phish: malicious, suspicious or spam", ("phishing_pot",), "phish",
           UNWANTED, minimum=0.95),
    Target("spamassassin spam: malicious, suspicious or spam", SPAMASSASSIN, "spam",
           UNWANTED, minimum=0.95),
    Target("spamassassin ham: malicious", SPAMASSASSIN, "ham", ("malicious",), maximum=0.005),
    Target("spamassassin ham: malicious, suspicious or spam", SPAMASSASSIN, "ham", UNWANTED,
           maximum=0.02),
    Target("bulk (spamassassin, markup): bulk or clean", (*SPAMASSASSIN, "markup_newsletters"),
           "bulk", ("bulk", "clean"), minimum=0.97),
    Target("bulk (spamassassin, markup): bulk", (*SPAMASSASSIN, "markup_newsletters"), "bulk",
           ("bulk",), minimum=0.85),
    Target("modern_lists: malicious or spam", ("modern_lists",), "bulk", ("malicious", "spam"),
           maximum=0.0),
    Target("PhishMe training mail: simulation", ("phishing_pot",), "simulation",
           ("simulation",), minimum=1.0, files=PHISHME,
           note="needs the PhishMe sender configured as trusted", conditional=True),
    Target("spoofed KnowBe4 mail: simulation", ("phishing_pot",), "phish", ("simulation",),
           maximum=0.0, files=KNOWBE4_SPOOFS),
    Target("sublime_demo bec: malicious/bec or suspicious", ("sublime_demo",), "bec",
           ("malicious/bec", "suspicious"), minimum=1.0),
)  # fmt: skip
