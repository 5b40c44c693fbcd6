"""Model cards: the one input a user writes (schema: the docs' card page). This package
reads a card and checks what every family shares; `l1forge.tasks.load_card` adds the
family's own checks and is what the commands call."""

from l1forge.card.load import card_sha256, read_card
from l1forge.card.schema import (
    Card,
    DataSpec,
    LayerSpec,
    ModelSpec,
    QuantSpec,
    TargetSpec,
    TrainingSpec,
    TriggerSpec,
)

__all__ = [
    "Card",
    "DataSpec",
    "LayerSpec",
    "ModelSpec",
    "QuantSpec",
    "TargetSpec",
    "TrainingSpec",
    "TriggerSpec",
    "card_sha256",
    "read_card",
]
