"""Which trained model `phishloop analyze` (and `eval`) use: the shipped one by default, an
organisation's own with `[model] path = "FILE"` (made by `phishloop train`), none with
`--no-model` or `[verdict] use_model = false`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from phishloop.core.classify.learn import ModelFileError, load_model
from phishloop.core.classify.opinion import MessageModel
from phishloop.core.errors import ConfigError

MAX_MODEL_BYTES = 64 * 1024 * 1024


def configured_model(
    tables: Mapping[str, Any], *, config_path: Path | None = None, disabled: bool = False
) -> MessageModel | None:
    """The model the configuration asks for (a relative `path` is relative to the
    configuration file); ConfigError names a bad key or model file."""
    if disabled:
        return None
    table = tables.get("model", {})
    if not isinstance(table, Mapping):
        raise ConfigError("[model] must be a table")
    unknown = sorted(set(table) - {"path"})
    if unknown:
        raise ConfigError(f"unknown key model.{unknown[0]}; known: path")
    path = table.get("path")
    if path is None:
        return load_model()
    if not isinstance(path, str) or not path:
        raise ConfigError("model.path must be the path of a model file")
    model_path = Path(path).expanduser()
    if config_path is not None and not model_path.is_absolute():
        model_path = config_path.parent / model_path
    return read_model(model_path)


def read_model(path: Path) -> MessageModel:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_MODEL_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read model file {path}: {exc.strerror or exc}") from None
    try:
        return load_model(data)
    except ModelFileError as exc:
        raise ConfigError(f"model file {path}: {exc}") from None
