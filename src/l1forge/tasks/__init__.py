"""What differs per model family: data, loss, metrics and the part that goes to firmware.

Each task module provides:
  prepare(card) -> Split               data split into firmware-input space + preprocessing
  fit(card, split, quantized) -> (keras model, history dict)
  evaluate(card, split, float_model, qat_model) -> metrics dict
  firmware_model(card, qat_model) -> the Keras model hls4ml converts
  firmware_metrics(card, y_test, info, firmware_outputs, qat_outputs) -> metrics dict
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from l1forge.card import Card
from l1forge.errors import UserError


@dataclass(frozen=True)
class Split:
    """Events in firmware-input space (after preprocessing), split for training."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    preprocessing: dict[str, Any]
    info: dict[str, Any] = field(default_factory=dict)


def task_module(card: Card):
    if card.task == "jet_id":
        from l1forge.tasks import jet_id

        return jet_id
    if card.task in ("autoencoder", "vae"):
        from l1forge.tasks import anomaly

        return anomaly
    raise UserError(f"{card.source}: task '{card.task}' is not available in this l1forge build")


def split_indices(n: int, test_fraction: float, val_fraction: float, seed: int):
    """Shuffled train/validation/test index arrays, fixed by the seed."""
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    n_val = int(round(n * val_fraction))
    return order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test]
