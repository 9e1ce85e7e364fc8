"""The results of `phishloop eval` as rich tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from phishloop.cli.eval_report import EvalResult
from phishloop.core.evaluate import COLUMNS, GroupMetrics, Outcome, Ratio, TargetResult

FIGURES = (
    ("threat recall", "threat_recall"),
    ("ham → malicious", "ham_malicious"),
    ("ham → mal/susp/spam", "ham_unwanted"),
    ("bulk → bulk/clean", "bulk_handled"),
    ("bulk → bulk", "bulk_as_bulk"),
    ("bulk → mal/spam", "bulk_unwanted"),
    ("simulation found", "simulation"),
    ("other → simulation", "false_simulation"),
    ("bec → mal/bec or susp", "bec"),
)
MARKS = {True: "[green]✓[/]", False: "[red]✗[/]", None: "–"}


def cell(ratio: Ratio) -> str:
    share = ratio.share
    return "–" if share is None else f"{share:.1%} ({ratio.hits}/{ratio.total})"


def show(result: EvalResult, console: Console, *, with_errors: bool) -> None:
    for group in result.groups:
        console.print(confusion_table(group))
    console.print(figures_table(result.groups))
    measured = [t for t in result.targets if t.measured.total]
    if measured:
        console.print(targets_table(measured))
    if with_errors:
        console.print(errors_table(result.misclassified))
    console.print(_summary_line(result))


def confusion_table(group: GroupMetrics) -> Table:
    title = f"{group.name}: {group.files} file(s), label × verdict"
    table = Table(title=title, title_justify="left")
    table.add_column("label")
    for column in COLUMNS:
        table.add_column(column, justify="right")
    table.add_column("right", justify="right")
    for label, row in group.confusion.items():
        counts = [str(row[column]) if row[column] else "·" for column in COLUMNS]
        table.add_row(label, *counts, cell(group.correct[label]))
    return table


def figures_table(groups: list[GroupMetrics]) -> Table:
    table = Table(title="Figures per group", title_justify="left")
    table.add_column("figure")
    for group in groups:
        table.add_column(group.name, justify="right")
    for name, attribute in FIGURES:
        ratios = [getattr(group, attribute) for group in groups]
        if any(r.total for r in ratios):
            table.add_row(name, *(cell(r) for r in ratios))
    recall = groups[-1].category_recall
    for category in recall:
        values = [cell(g.category_recall.get(category, Ratio(0, 0))) for g in groups]
        table.add_row(f"recall: {category}", *values)
    return table


def targets_table(results: list[TargetResult]) -> Table:
    table = Table(title="Targets (issue 3) that apply to these files", title_justify="left")
    for column in ("target", "goal", "measured", "met"):
        table.add_column(column, justify="left" if column == "target" else "right")
    for result in results:
        name = result.target.name + (f" ({result.target.note})" if result.target.note else "")
        table.add_row(name, result.target.goal, cell(result.measured), MARKS[result.met])
    return table


def errors_table(outcomes: list[Outcome]) -> Table:
    table = Table(title=f"{len(outcomes)} misclassified file(s)", title_justify="left")
    for column in ("path", "label", "verdict", "top reasons"):
        table.add_column(column, overflow="fold")
    for outcome in outcomes:
        reasons = "\n".join(
            f"{rule} {weight:+g}: {evidence}" for rule, weight, evidence in outcome.reasons
        )
        table.add_row(outcome.path, outcome.label, outcome.verdict, reasons or "(no rule hit)")
    return table


def _summary_line(result: EvalResult) -> str:
    config = result.config or "built-in defaults"
    return (
        f"{result.files} files, {result.messages} messages in {result.seconds:.1f} s: "
        f"[bold]{result.messages_per_second:,.1f} messages/s[/] with {result.jobs} "
        f"process(es); configuration: {config}"
    )
