"""The pure-Python inference reproduces scikit-learn's scores, and the model file loads
without pickle, refusing damaged or foreign files with a clear message."""

from __future__ import annotations

import hashlib
import json
from itertools import pairwise
from pathlib import Path

import pytest

from phishloop.core.classify.learn import ModelFileError, dump_model, fileformat, load_model
from phishloop.core.classify.learn.features import MessageFeatures
from phishloop.core.classify.learn.linear import LinearModel

sklearn = pytest.importorskip("sklearn")
np = pytest.importorskip("numpy")

from phishloop.training.dataset import Example  # noqa: E402 - needs scikit-learn
from phishloop.training.fit import fit_model  # noqa: E402
from phishloop.training.settings import Settings  # noqa: E402
from phishloop.training.vectorize import to_matrix  # noqa: E402

SPAMMY = [
    "verify your account now",
    "click here to claim your free prize",
    "password expires today",
]
HAMMY = ["minutes of the design review", "lunch on thursday with the team", "patch for the build"]


def _example(
    text: str, target: int, subject: str = "", structure: dict[str, float] | None = None
) -> Example:
    words = text.split()
    terms = frozenset(words) | {f"{a} {b}" for a, b in pairwise(words)}
    features = MessageFeatures(
        terms=frozenset(terms),
        subject=frozenset(subject.split()),
        structure=tuple(sorted((structure or {}).items())),
    )
    return Example(features, target, "spam" if target else "ham", "tiny", text, text)


def _training_set() -> list[Example]:
    examples = []
    for number in range(6):
        for text in SPAMMY:
            examples.append(
                _example(f"{text} offer{number}", 1, "urgent action", {"html-form": 1.0})
            )
        for text in HAMMY:
            examples.append(_example(f"{text} note{number}", 0, "meeting notes"))
    return examples


def test_scores_equal_scikit_learns() -> None:
    examples = _training_set()
    fitted = fit_model(examples, Settings(min_df=1, calibration_folds=3))
    samples = [*examples[:4], _example("verify your lunch", 0), _example("unknown words only", 0)]
    matrix = to_matrix([e.features for e in samples], fitted.vocabulary)
    expected = fitted.estimator.decision_function(matrix)
    ours = [fitted.model.score(e.features) for e in samples]
    assert ours == pytest.approx(list(expected), abs=1e-9)
    a, b = fitted.model.calibration
    probabilities = [fitted.model.opinion(e.features).probability for e in samples]
    assert probabilities == pytest.approx(list(1 / (1 + np.exp(-(a * expected + b)))), abs=1e-12)
    assert probabilities[0] > 0.5 > probabilities[3]  # it learned the toy task


def test_top_features_explain_the_decision() -> None:
    fitted = fit_model(_training_set(), Settings(min_df=1, calibration_folds=3))
    message = _example("verify your account now", 1, "urgent action", {"html-form": 1.0})
    opinion = fitted.model.opinion(message.features)
    names = [name for name, _ in opinion.top_features]
    assert opinion.probability > 0.5
    assert all(effect > 0 for _, effect in opinion.top_features)
    assert {"verify", "verify your"} & set(names)


def _tiny_model() -> LinearModel:
    return LinearModel(
        terms={"verify": 1.5, "lunch": -1.0},
        subject={"urgent": 0.5},
        structure={"html-form": 2.0},
        intercept=-0.25,
        calibration=(1.2, 0.1),
        metadata={"trained_on": "2026-01-01"},
    )


def test_file_round_trip_keeps_every_number() -> None:
    model = _tiny_model()
    loaded = load_model(dump_model(model))
    assert loaded == model
    features = MessageFeatures(
        frozenset({"verify", "x"}), frozenset({"urgent"}), (("html-form", 1.0),)
    )
    assert loaded.score(features) == model.score(features)


def test_file_is_plain_json_not_pickle() -> None:
    data = dump_model(_tiny_model())
    assert json.loads(data)["format"] == "phishloop.model/1"
    with pytest.raises(ModelFileError, match="invalid JSON"):
        load_model(b"\x80\x04\x95" + b"\x00" * 20)  # a pickle's opening bytes


def test_tampered_file_is_refused() -> None:
    document = json.loads(dump_model(_tiny_model()))
    document["weights"]["terms"]["verify"] = -9.0
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        load_model(json.dumps(document).encode())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("format", "phishloop.model/99", "unsupported model format"),
        ("features_version", 99, "features version 99"),
    ],
)
def test_unknown_versions_are_refused(field: str, value: object, message: str) -> None:
    document = json.loads(dump_model(_tiny_model()))
    document[field] = value
    with pytest.raises(ModelFileError, match=message):
        load_model(json.dumps(document).encode())


def test_non_numbers_and_unknown_features_are_refused() -> None:
    for tamper, message in (
        (lambda d: d["weights"]["terms"].update(verify="1.5"), "finite number"),
        (lambda d: d["weights"]["structure"].update(mystery=1.0), "unknown structural"),
    ):
        document = json.loads(dump_model(_tiny_model()))
        tamper(document)
        document.pop("checksum")
        document["checksum"] = (
            "sha256:" + hashlib.sha256(fileformat._canonical(document)).hexdigest()
        )
        with pytest.raises(ModelFileError, match=message):
            load_model(json.dumps(document).encode())


def test_shipped_model_loads_and_is_small() -> None:
    path = (
        Path(__file__).resolve().parents[4]
        / "src/phishloop/core/classify/data/model/phishloop-default.json"
    )
    assert path.stat().st_size < 3 * 1024 * 1024
    model = load_model()
    assert model.metadata["licence"] == "permissive training data only"
    assert "phishing_pot" not in model.metadata["counts"]
