"""One training run: read the labels, analyse the files, split, fit, measure, describe."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sklearn  # type: ignore[import-untyped,unused-ignore]
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped,unused-ignore]

from phishloop import __version__
from phishloop.core.classify.learn.linear import LinearModel
from phishloop.core.config import DEFAULT_CONFIG, AnalysisConfig
from phishloop.training.dataset import Example, Progress, load_dataset
from phishloop.training.fit import fit_model
from phishloop.training.labels import NONCOMMERCIAL_SETS, LabelledFile, read_labels
from phishloop.training.metrics import Quality, by_group, quality
from phishloop.training.settings import Settings
from phishloop.training.split import held_out

NONCOMMERCIAL_NOTE = (
    "trained on data licensed CC BY-NC 4.0 (phishing_pot): not for commercial use, "
    "never to be shipped with phishloop"
)


class LicenceError(ValueError):
    """Training would use data whose licence forbids the resulting model."""


@dataclass
class Request:
    labels: Sequence[Path]
    root: Path | None = None
    evaluate: Sequence[Path] = ()  # labels of sets used only to measure, never to train
    test_split: float = 0.2
    cv: int | None = None  # k-fold figures instead of a test split; the model sees all data
    exclude: frozenset[str] = frozenset()
    allow_noncommercial: bool = False
    settings: Settings = field(default_factory=Settings)
    trained_on: str = ""
    config: AnalysisConfig = DEFAULT_CONFIG


@dataclass
class Result:
    model: LinearModel
    held_out: list[Quality]
    evaluation: list[Quality]
    skipped: dict[str, int]
    unreadable: list[str]
    counts: dict[str, dict[str, int]]


Scored = list[tuple[Example, float]]  # an example and the probability a model gave it


def train(request: Request, progress: Progress = lambda items: items) -> Result:
    read = read_labels(request.labels, request.root)
    files = [f for f in read.files if f.group not in request.exclude]
    _check_licence(files, request.allow_noncommercial)
    evaluation_files = read_labels(request.evaluate, request.root).files if request.evaluate else []
    dataset = load_dataset([*files, *evaluation_files], request.config, progress)
    evaluation_paths = {str(f.path) for f in evaluation_files}
    measured = [e for e in dataset.examples if e.path in evaluation_paths]
    measured_hashes = {e.sha256 for e in measured}
    examples = [
        e
        for e in dataset.examples
        if e.path not in evaluation_paths and e.sha256 not in measured_hashes
    ]
    model, scored = _fit_and_measure(examples, request)
    held = by_group(*_columns(scored)) if scored else []
    evaluation = _evaluate(model, measured, scored)
    noncommercial = any(f.noncommercial for f in files)
    metadata = _metadata(request, examples, held, noncommercial)
    metadata["evaluation"] = [q.as_dict() for q in evaluation]
    model = replace(model, metadata=metadata)
    return Result(model, held, evaluation, read.skipped, dataset.unreadable, metadata["counts"])


def _check_licence(files: Sequence[LabelledFile], allowed: bool) -> None:
    if allowed or not any(f.noncommercial for f in files):
        return
    names = ", ".join(sorted(NONCOMMERCIAL_SETS))
    raise LicenceError(
        f"the training data includes {names}, licensed CC BY-NC 4.0 (non-commercial): a model "
        f"trained on it must not be shipped or used commercially. Leave it out with "
        f"--exclude-source {names}, or pass --allow-noncommercial for a model kept for "
        f"non-commercial use."
    )


def _fit_and_measure(examples: list[Example], request: Request) -> tuple[LinearModel, Scored]:
    """The model to keep, and held-out (or out-of-fold) probabilities to measure it by."""
    settings = request.settings
    if request.cv:
        return fit_model(examples, settings).model, _cross_validate(examples, request.cv, settings)
    test = [e for e in examples if held_out(e.sha256, settings.seed, request.test_split)]
    train = [e for e in examples if not held_out(e.sha256, settings.seed, request.test_split)]
    model = fit_model(train, settings).model
    return model, _score(model, test)


def _cross_validate(examples: list[Example], folds: int, settings: Settings) -> Scored:
    splitter = StratifiedKFold(folds, shuffle=True, random_state=settings.seed)
    scored: Scored = []
    for train_rows, test_rows in splitter.split(examples, [e.target for e in examples]):
        model = fit_model([examples[i] for i in train_rows], settings).model
        scored += _score(model, [examples[i] for i in test_rows])
    return scored


def _score(model: LinearModel, examples: Sequence[Example]) -> Scored:
    return [(e, model.opinion(e.features).probability) for e in examples]


def _columns(scored: Scored) -> tuple[list[str], list[int], list[float]]:
    return [e.group for e, _ in scored], [e.target for e, _ in scored], [p for _, p in scored]


def _evaluate(model: LinearModel, measured: Sequence[Example], held: Scored) -> list[Quality]:
    """Per evaluation set; a set with one class only (phishing_pot: all unwanted) also gets a
    row against the held-out mail of the other class, so that it has an AUC."""
    scored = _score(model, measured)
    rows = by_group(*_columns(scored)) if scored else []
    for group in sorted({e.group for e in measured}):
        mine = [(e, p) for e, p in scored if e.group == group]
        classes = {e.target for e, _ in mine}
        if len(classes) == 1:
            others = [(e, p) for e, p in held if e.target not in classes]
            if others:
                _, targets, probabilities = _columns(mine + others)
                name = f"{group}+held-out {'wanted' if 1 in classes else 'unwanted'}"
                rows.append(quality(name, targets, probabilities))
    return rows


def _metadata(
    request: Request, examples: Sequence[Example], held: list[Quality], noncommercial: bool
) -> dict[str, Any]:
    counts: dict[str, Counter[str]] = {}
    for example in examples:
        counts.setdefault(example.group, Counter())[example.label] += 1
    settings = request.settings
    validation = (
        {"method": "stratified-k-fold", "folds": request.cv, "seed": settings.seed}
        if request.cv
        else {
            "method": "sha256-of-content",
            "test_fraction": request.test_split,
            "seed": settings.seed,
        }
    )
    return {
        "trained_on": request.trained_on,
        "phishloop_version": __version__,
        "scikit_learn_version": sklearn.__version__,
        "settings": {
            "regularisation": settings.regularisation,
            "min_df": settings.min_df,
            "max_terms": settings.max_terms,
            "calibration_folds": settings.calibration_folds,
            "class_weight": "balanced",
            "group_weights": dict(sorted(settings.group_weights.items())),
        },
        "validation": validation,
        "counts": {group: dict(sorted(c.items())) for group, c in sorted(counts.items())},
        "held_out": [q.as_dict() for q in held],
        "licence": NONCOMMERCIAL_NOTE if noncommercial else "permissive training data only",
    }
