"""The interface between the verdict engine and a trained model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from phishloop.core.model import Analysis


@dataclass(frozen=True, slots=True)
class ModelOpinion:
    """P(unwanted) for one message and the features that pushed it most (name, effect)."""

    probability: float
    top_features: tuple[tuple[str, float], ...] = ()


class MessageModel(Protocol):
    def predict(self, analysis: Analysis) -> ModelOpinion:
        """The model's opinion of one analysed message."""
        ...
