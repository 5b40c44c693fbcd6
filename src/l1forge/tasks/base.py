"""The Task base class: everything that differs between model families, in one object.

A model family (jet tagging on substructure features, an autoencoder, a VAE, ...) is one
subclass of `Task` in one file of this package, registered by name in `tasks/__init__.py`.
The stages call only these methods; nothing outside `tasks/` compares a task name.

    check_card(card)                 the family's own card checks (the card stage calls it)
    prepare(card) -> Split           events in firmware-input space, split, preprocessing
    build_network(card, quantized)   the Keras network (QKeras layers when quantized)
    fit(card, split, quantized, start) -> (trained Keras model, history dict); `start`, the
                                     trained float twin the QAT network starts from, or None
    evaluate(card, split, float_model, qat_model) -> metrics of the trained models
    firmware_model(card, qat_model)  the Keras model hls4ml converts (the part in firmware)
    config_passes(card)              the family's hls4ml config passes, run after the common ones
    firmware_metrics(card, y, info, firmware_outputs, qat_outputs) -> metrics of the firmware
    scan_objective(card, y, info, firmware_outputs, qat_outputs) -> what `l1forge scan` ranks by
    post_build(card, context)        optional last step of a build (anomaly detection: trigger
                                     figures over every stored event) -> metrics dict or None
    every_event                      True when post_build needs the firmware output of every
                                     stored event (the flow then C-simulates them all)
    trigger_study                    the study `l1forge trigger` runs on the family's projects
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar

import numpy as np

if TYPE_CHECKING:
    from pathlib import Path

    from l1forge.card.schema import Card


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


@dataclass(frozen=True)
class BuildContext:
    """What a build knows when it calls `Task.post_build`: the project being assembled, the
    stored test events and labels, and the flow's verified firmware outputs of them (with
    `Task.every_event` true, every stored event's) beside the Keras firmware model's."""

    project_dir: Path
    x_test: np.ndarray
    y_test: np.ndarray
    info: dict[str, Any]
    firmware_outputs: np.ndarray
    keras_outputs: np.ndarray
    card_sha256: str
    log: Callable[[str], None] = print


class Task:
    """Base of every model family; subclasses override what their family needs."""

    name: ClassVar[str] = ""
    every_event: ClassVar[bool] = False
    # `l1forge trigger`'s study of this family's projects: "rates" (thresholds at L1 rates),
    # "working_points" (per-class working points at background efficiencies), or None
    trigger_study: ClassVar[str | None] = None
    # the family's own card fields (frozen dataclasses) under `model:` and `data:`, read into
    # card.family.model / card.family.data; a field no family declares is refused as unknown
    model_fields: ClassVar[type | None] = None
    data_fields: ClassVar[type | None] = None

    def check_card(self, card: Card) -> None:
        """Raise UserError for card values this family cannot use: the network checks every
        family shares (layers, pruning, distributed arithmetic); a family adds its own."""
        from l1forge.tasks.network_checks import check_network

        check_network(card)

    def prepare(self, card: Card) -> Split:
        raise NotImplementedError(f"{type(self).__name__}.prepare")

    def build_network(self, card: Card, quantized: bool = True):
        raise NotImplementedError(f"{type(self).__name__}.build_network")

    def fit(self, card: Card, split: Split, quantized: bool, start=None):
        raise NotImplementedError(f"{type(self).__name__}.fit")

    def evaluate(self, card: Card, split: Split, float_model, qat_model) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__}.evaluate")

    def firmware_model(self, card: Card, qat_model):
        """The Keras model that goes to firmware; by default the whole QAT network."""
        return qat_model

    def config_passes(self, card: Card) -> tuple:
        """hls4ml config passes of this family (l1forge.firmware.passes signature)."""
        return ()

    def firmware_metrics(self, card: Card, y_test: np.ndarray, info: dict[str, Any],
                         firmware_outputs: np.ndarray, qat_outputs: np.ndarray) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__}.firmware_metrics")

    def scan_objective(self, card: Card, y_test: np.ndarray, info: dict[str, Any],
                       firmware_outputs: np.ndarray, qat_outputs: np.ndarray) -> dict[str, Any]:
        """What a design-space scan ranks this family's designs by, from the firmware's
        outputs over the whole test split: {"objective": NAME, NAME: value, ...}."""
        raise NotImplementedError(f"{type(self).__name__}.scan_objective")

    def post_build(self, card: Card, context: BuildContext) -> dict[str, Any] | None:
        """Figures that need the whole assembled project; none by default."""
        return None


def split_indices(n: int, test_fraction: float, val_fraction: float, seed: int):
    """Shuffled train/validation/test index arrays, fixed by the seed."""
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    n_val = int(round(n * val_fraction))
    return order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test]


def subsample(card: Card, n: int) -> np.ndarray | None:
    """Sorted indices of `data.max_events` events drawn with the training seed (None: all)."""
    if card.data.max_events is None:
        return None
    keep = np.random.default_rng(card.training.seed).permutation(n)[: card.data.max_events]
    return np.sort(keep)


def training_callbacks(card: Card, pruning=None) -> list:
    """Keras callbacks of the card's training section: a pruning session's mask callbacks
    first (so the weights early stopping keeps are masked), the learning-rate decay on a
    plateau of val_loss when the card asks for it, then early stopping on val_loss, which
    with pruning only compares epochs from the final masks on."""
    import tensorflow as tf

    callbacks = pruning.callbacks() if pruning is not None else []
    t = card.training
    if t.lr_decay_patience:
        callbacks.append(tf.keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=t.lr_decay_factor,
                                                              patience=t.lr_decay_patience))
    patience = t.early_stopping_patience
    if not patience:
        return callbacks
    start = pruning.first_watched_epoch() if pruning is not None else 0
    return callbacks + [tf.keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                                         restore_best_weights=True,
                                                         start_from_epoch=start)]


def start_weights(network, start) -> None:
    """Copy the trained float twin `start` into a freshly built QAT `network` (None: keep the
    random initialization); the card's `training.qat_init` decides which one train() passes."""
    if start is not None:
        from l1forge.models.warm_start import start_from

        start_from(network, start)


def history_dict(history) -> dict[str, list[float]]:
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}
