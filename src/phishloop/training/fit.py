"""Fitting: logistic regression on the vectorised features, then Platt calibration on
out-of-fold decision values, exported as the core's `LinearModel`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped,unused-ignore]
from sklearn.model_selection import StratifiedKFold, cross_val_predict  # type: ignore[import-untyped,unused-ignore]

from phishloop.core.classify.learn.features import STRUCTURE_NAMES
from phishloop.core.classify.learn.linear import LinearModel
from phishloop.training.dataset import Example
from phishloop.training.settings import Settings
from phishloop.training.vectorize import Vocabulary, build_vocabulary, to_matrix

DECIMALS = 6  # weights are rounded before export; the fitted estimator is rounded alike


@dataclass
class Fitted:
    model: LinearModel
    estimator: LogisticRegression  # with the exported (rounded) weights
    vocabulary: Vocabulary


def _classifier(settings: Settings) -> LogisticRegression:
    return LogisticRegression(
        C=settings.regularisation, class_weight="balanced", max_iter=5000, tol=1e-6
    )


def fit_model(
    examples: Sequence[Example], settings: Settings, metadata: Mapping[str, Any] | None = None
) -> Fitted:
    if len({e.target for e in examples}) < 2:
        raise ValueError("training needs both wanted and unwanted examples")
    features = [e.features for e in examples]
    vocabulary = build_vocabulary(features, settings.min_df, settings.max_terms)
    matrix = to_matrix(features, vocabulary)
    targets = np.array([e.target for e in examples])
    weights = np.array([settings.weight_of(e.group) for e in examples])
    estimator = _classifier(settings).fit(matrix, targets, sample_weight=weights)
    estimator.coef_ = np.round(estimator.coef_, DECIMALS)
    estimator.intercept_ = np.round(estimator.intercept_, DECIMALS)
    calibration = _platt(matrix, targets, weights, settings)
    model = _export(estimator, vocabulary, calibration, dict(metadata or {}))
    return Fitted(model, estimator, vocabulary)


def _platt(
    matrix: Any, targets: np.ndarray, weights: np.ndarray, settings: Settings
) -> tuple[float, float]:
    """Platt scaling fitted on out-of-fold decision values, class-balanced, so that the
    probability does not carry the training set's mix of wanted and unwanted mail."""
    folds = min(settings.calibration_folds, int(np.bincount(targets).min()))
    if folds < 2:
        return 1.0, 0.0
    splitter = StratifiedKFold(folds, shuffle=True, random_state=settings.seed)
    scores = cross_val_predict(
        _classifier(settings),
        matrix,
        targets,
        cv=splitter,
        method="decision_function",
        params={"sample_weight": weights},
    )
    platt = LogisticRegression(C=1e6, class_weight="balanced", tol=1e-8)
    platt.fit(scores.reshape(-1, 1), targets, sample_weight=weights)
    return float(platt.coef_[0, 0]), float(platt.intercept_[0])


def _export(
    estimator: LogisticRegression,
    vocabulary: Vocabulary,
    calibration: tuple[float, float],
    metadata: dict[str, Any],
) -> LinearModel:
    weights = [float(w) for w in estimator.coef_[0]]
    n_terms, n_subject = len(vocabulary.terms), len(vocabulary.subject)
    terms = {t: w for t, w in zip(vocabulary.terms, weights[:n_terms], strict=True) if w}
    subject_weights = weights[n_terms : n_terms + n_subject]
    subject = {t: w for t, w in zip(vocabulary.subject, subject_weights, strict=True) if w}
    structure_weights = weights[n_terms + n_subject :]
    structure = dict(zip(STRUCTURE_NAMES, structure_weights, strict=True))
    return LinearModel(
        terms=terms,
        subject=subject,
        structure=structure,
        intercept=float(estimator.intercept_[0]),
        calibration=calibration,
        metadata=metadata,
    )
