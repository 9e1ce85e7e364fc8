"""One labelled file and the verdict it got, and what each label counts as correct."""

from __future__ import annotations

from dataclasses import dataclass

from phishloop.core.classify.types import CATEGORIES

NO_VERDICT = "none"  # the analysis produced no verdict (a failure, recorded in its errors)
COLUMNS: tuple[str, ...] = (*CATEGORIES, NO_VERDICT)
LABELS: tuple[str, ...] = (
    "phish", "malware", "bec", "spam", "bulk", "simulation", "ham", "malformed",
)  # fmt: skip
THREAT_LABELS = frozenset({"phish", "malware", "bec", "spam"})
UNWANTED = frozenset({"malicious", "suspicious", "spam"})

# The verdicts that count as right for each label (shared/corpora/README.md): `phish` in
# phishing_pot means "malicious or spam"; legitimate bulk may also be called clean; a
# malformed file may get any verdict, it only has to be handled.
ACCEPTED: dict[str, frozenset[str]] = {
    "phish": UNWANTED,
    "spam": UNWANTED,
    "malware": frozenset({"malicious", "suspicious"}),
    "bec": frozenset({"malicious", "suspicious"}),
    "bulk": frozenset({"bulk", "clean"}),
    "ham": frozenset({"clean", "bulk"}),
    "simulation": frozenset({"simulation"}),
    "malformed": frozenset(COLUMNS),
}
# The one category each label ideally gets ("recall per category" is measured on these).
IDEAL: dict[str, str] = {
    "phish": "malicious",
    "malware": "malicious",
    "bec": "malicious",
    "spam": "spam",
    "bulk": "bulk",
    "ham": "clean",
    "simulation": "simulation",
}
SEVERITY: tuple[str, ...] = ("malicious", "suspicious", "spam", "simulation", "bulk", "clean")


@dataclass(frozen=True, slots=True)
class Outcome:
    """A labelled file's verdict. `group` is the reporting group (set, folder or source);
    `reasons` are the top rule hits as (rule, weight, evidence)."""

    path: str
    label: str
    set: str
    group: str
    category: str
    subtype: str | None = None
    reasons: tuple[tuple[str, float, str], ...] = ()

    @property
    def verdict(self) -> str:
        return f"{self.category}/{self.subtype}" if self.subtype else self.category

    @property
    def correct(self) -> bool:
        return self.category in ACCEPTED.get(self.label, frozenset())


def most_severe(categories: list[str]) -> str:
    """The verdict of a file holding several messages (an mbox, a report with several
    originals): the most severe of theirs."""
    for category in SEVERITY:
        if category in categories:
            return category
    return NO_VERDICT
