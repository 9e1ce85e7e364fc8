"""The trained model: features (`features`), a linear model with calibrated probabilities
(`linear`) and its safe file format (`fileformat`). Pure Python: scikit-learn is needed to
train a model (`phishloop train`), never to use one.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from phishloop.core.classify.learn.fileformat import ModelFileError, dump_model, load_model_bytes
from phishloop.core.classify.learn.linear import LinearModel

SHIPPED_MODEL = "model/phishloop-default.json"

__all__ = ["LinearModel", "ModelFileError", "dump_model", "load_model", "shipped_model"]


def load_model(data: bytes | None = None) -> LinearModel:
    """The model in `data` (the bytes of a model file the caller read), or the model shipped
    with phishloop when `data` is None. Raises ModelFileError for an unusable file."""
    return shipped_model() if data is None else load_model_bytes(data)


@cache
def shipped_model() -> LinearModel:
    """The model in the package (trained on permissively licensed mail only; see
    docs/model-card.md), parsed once."""
    data = resources.files("phishloop.core.classify.data").joinpath(SHIPPED_MODEL).read_bytes()
    return load_model_bytes(data)
