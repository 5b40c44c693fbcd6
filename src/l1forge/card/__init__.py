"""Model cards: the one input a user writes. See l1models/README.md for the schema."""

from l1forge.card.load import card_sha256, load_card
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
    "load_card",
]
