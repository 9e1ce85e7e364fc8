"""Quality figures of one group of labelled files (a corpus set, a source, or all)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from phishloop.core.evaluate.outcome import (
    COLUMNS,
    IDEAL,
    LABELS,
    THREAT_LABELS,
    UNWANTED,
    Outcome,
)

ALL = "all"  # the name of the group holding every file


@dataclass(frozen=True, slots=True)
class Ratio:
    """`hits` of `total` files; `share` is None when there were none to measure."""

    hits: int
    total: int

    @property
    def share(self) -> float | None:
        return self.hits / self.total if self.total else None


@dataclass(frozen=True)
class GroupMetrics:
    """The figures of one group. `confusion[label][category]` counts files; every
    `Ratio` is over the files whose label the figure is about."""

    name: str
    files: int
    confusion: dict[str, dict[str, int]]
    correct: dict[str, Ratio]  # per label: files whose verdict counts as right
    category_recall: dict[str, Ratio]  # per ideal category (phish → malicious, ham → clean…)
    threat_recall: Ratio  # phish/malware/bec/spam called malicious, suspicious or spam
    ham_malicious: Ratio
    ham_unwanted: Ratio  # ham called malicious, suspicious or spam
    bulk_handled: Ratio  # bulk called bulk or clean
    bulk_as_bulk: Ratio
    bulk_unwanted: Ratio  # bulk called malicious or spam (legitimate list mail must never be)
    simulation: Ratio  # simulation mail recognised as simulation
    false_simulation: Ratio  # any other mail called simulation
    bec: Ratio  # BEC called malicious/bec or suspicious


def _ratio(
    outcomes: Sequence[Outcome], labels: Iterable[str], hit: Callable[[Outcome], bool]
) -> Ratio:
    wanted = frozenset(labels)
    chosen = [o for o in outcomes if o.label in wanted]
    return Ratio(sum(1 for o in chosen if hit(o)), len(chosen))


def _confusion(outcomes: Sequence[Outcome]) -> dict[str, dict[str, int]]:
    present = sorted({o.label for o in outcomes}, key=_label_order)
    table = {label: dict.fromkeys(COLUMNS, 0) for label in present}
    for outcome in outcomes:
        table[outcome.label][outcome.category] += 1
    return table


def _label_order(label: str) -> tuple[int, str]:
    return (LABELS.index(label) if label in LABELS else len(LABELS), label)


def _category_recall(outcomes: Sequence[Outcome]) -> dict[str, Ratio]:
    recall: dict[str, Ratio] = {}
    for category in dict.fromkeys(IDEAL.values()):
        labels = [label for label, ideal in IDEAL.items() if ideal == category]
        ratio = _ratio(outcomes, labels, _is(category))
        if ratio.total:
            recall[category] = ratio
    return recall


def _is(category: str) -> Callable[[Outcome], bool]:
    return lambda outcome: outcome.category == category


def _is_bec_verdict(outcome: Outcome) -> bool:
    return outcome.category == "suspicious" or outcome.verdict == "malicious/bec"


def summarise(outcomes: Iterable[Outcome], name: str = ALL) -> GroupMetrics:
    """The figures of these outcomes, as one group called `name`."""
    items = list(outcomes)
    non_simulation = [label for label in {o.label for o in items} if label != "simulation"]
    return GroupMetrics(
        name=name,
        files=len(items),
        confusion=_confusion(items),
        correct={
            label: _ratio(items, [label], lambda o: o.correct)
            for label in sorted({o.label for o in items}, key=_label_order)
        },
        category_recall=_category_recall(items),
        threat_recall=_ratio(items, THREAT_LABELS, lambda o: o.category in UNWANTED),
        ham_malicious=_ratio(items, ["ham"], lambda o: o.category == "malicious"),
        ham_unwanted=_ratio(items, ["ham"], lambda o: o.category in UNWANTED),
        bulk_handled=_ratio(items, ["bulk"], lambda o: o.category in ("bulk", "clean")),
        bulk_as_bulk=_ratio(items, ["bulk"], lambda o: o.category == "bulk"),
        bulk_unwanted=_ratio(items, ["bulk"], lambda o: o.category in ("malicious", "spam")),
        simulation=_ratio(items, ["simulation"], lambda o: o.category == "simulation"),
        false_simulation=_ratio(items, non_simulation, lambda o: o.category == "simulation"),
        bec=_ratio(items, ["bec"], _is_bec_verdict),
    )


def summarise_groups(outcomes: Iterable[Outcome]) -> list[GroupMetrics]:
    """One `GroupMetrics` per group (sorted by name), then, when there are several, one
    for all files together (called "all")."""
    items = list(outcomes)
    names = sorted({o.group for o in items})
    groups = [summarise([o for o in items if o.group == name], name) for name in names]
    return [*groups, summarise(items, ALL)] if len(groups) > 1 else groups
