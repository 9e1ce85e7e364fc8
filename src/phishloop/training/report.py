"""A plain-text account of a training run for the terminal."""

from __future__ import annotations

from phishloop.training.metrics import Quality
from phishloop.training.run import Result

TOP = 15


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def quality_table(title: str, rows: list[Quality]) -> str:
    lines = [
        title,
        f"  {'set':<22}{'msgs':>6}{'unwanted':>9}{'recall':>8}{'FP rate':>9}"
        f"{'precision':>10}{'AUC':>7}",
    ]
    for q in rows:
        lines.append(
            f"  {q.group:<22}{q.messages:>6}{q.unwanted:>9}{_cell(q.recall):>8}"
            f"{_cell(q.false_positive_rate):>9}{_cell(q.precision):>10}{_cell(q.auc):>7}"
        )
    return "\n".join(lines)


def top_features(result: Result) -> str:
    model = result.model
    named = [*model.terms.items(), *((f"subject: {w}", v) for w, v in model.subject.items())]
    named += [(f"[{n}]", v) for n, v in model.structure.items()]
    named.sort(key=lambda item: item[1])
    unwanted = ", ".join(f"{n} {v:+.2f}" for n, v in reversed(named[-TOP:]))
    wanted = ", ".join(f"{n} {v:+.2f}" for n, v in named[:TOP])
    return f"Most unwanted features: {unwanted}\nMost wanted features: {wanted}"


def describe(result: Result) -> str:
    counts = "; ".join(
        f"{group}: " + ", ".join(f"{n} {label}" for label, n in labels.items())
        for group, labels in result.counts.items()
    )
    parts = [f"Training data: {counts}"]
    if result.skipped:
        parts.append(
            "Not used: " + ", ".join(f"{n} {label}" for label, n in sorted(result.skipped.items()))
        )
    if result.unreadable:
        parts.append(f"Unreadable: {len(result.unreadable)} file(s), e.g. {result.unreadable[0]}")
    validation = result.model.metadata.get("validation", {})
    if result.held_out:
        parts.append(
            quality_table(
                f"Held-out quality ({validation.get('method')}, P >= 0.5):", result.held_out
            )
        )
    if result.evaluation:
        parts.append(quality_table("Evaluation sets (never trained on):", result.evaluation))
    parts.append(top_features(result))
    return "\n\n".join(parts)
