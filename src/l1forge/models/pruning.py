"""Magnitude pruning during training (tensorflow-model-optimization), by card.

A card's `pruning` section sets a target sparsity for every weighted layer (a layer entry's
`sparsity` overrides it). While a network is built inside `pruning_session(...)`, every
weighted layer with a target above 0 is wrapped in tfmot's `prune_low_magnitude`; the
session's callbacks drive the masks, and `strip(model)` returns the model without wrappers,
every masked weight exactly zero, for saving and for hls4ml.

Schedule, in training steps (batches): the masks are updated once per epoch, at the last
batch of each epoch from `begin_epoch` on; `polynomial` raises the sparsity from 0 to the
target by the last batch of epoch `end_epoch`, `constant` holds the target from the first
update; the masks are frozen after `end_epoch`. Early stopping only watches the epochs from
`end_epoch` on, so the weights it restores carry the final masks.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from l1forge.models.layers import LAYERS, wrapping_layers

if TYPE_CHECKING:
    from l1forge.card.schema import LayerSpec
    from l1forge.models.spec import NetworkSpec


@dataclass
class PruningSession:
    net: NetworkSpec
    steps_per_epoch: int
    wrappers: list = field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(self.wrappers)

    def callbacks(self) -> list:
        """Callbacks that drive the masks; they go before early stopping, so that the
        weights early stopping keeps are masked."""
        return [_mask_callback(self.wrappers)] if self.wrappers else []

    def first_watched_epoch(self) -> int:
        """The first epoch (0-based) early stopping may compare: the one whose last batch
        sets the final masks."""
        return end_epoch(self.net) - 1 if self.wrappers else 0


def end_epoch(net: NetworkSpec) -> int:
    """The epoch by whose end the masks reach their target (null in the card: half of
    training.epochs, at least one epoch after begin_epoch); never beyond training.epochs,
    so that a short run (`--set training.epochs=2`) still ends fully pruned."""
    p = net.pruning
    end = p.end_epoch if p.end_epoch is not None else max(p.begin_epoch + 1, net.epochs // 2)
    return min(end, net.epochs)


def target_sparsity(net: NetworkSpec, layer: LayerSpec) -> float:
    """The sparsity asked of one card layer (its own, else the card's)."""
    return net.pruning.sparsity if layer.sparsity is None else layer.sparsity


def is_pruned(net: NetworkSpec) -> bool:
    return any(LAYERS[layer.type].has_weights and target_sparsity(net, layer) > 0
               for layer in net.layers)


def steps_per_epoch(net: NetworkSpec, n_train: int) -> int:
    return max(1, math.ceil(n_train / net.batch_size))


@contextmanager
def pruning_session(net: NetworkSpec, n_train: int):
    """Build networks inside this block to get their weighted layers wrapped."""
    session = PruningSession(net, steps_per_epoch(net, n_train))
    if not is_pruned(net):
        yield session
        return
    with wrapping_layers(lambda net, layer, keras_layer: _wrap(session, net, layer, keras_layer)):
        yield session


def _wrap(session: PruningSession, net: NetworkSpec, layer: LayerSpec, keras_layer):
    """`keras_layer` wrapped for pruning when the layer has weights and a target above 0."""
    sparsity = target_sparsity(net, layer)
    if not LAYERS[layer.type].has_weights or sparsity <= 0:
        return keras_layer
    import tensorflow_model_optimization as tfmot

    wrapper = tfmot.sparsity.keras.prune_low_magnitude(
        keras_layer, pruning_schedule=_schedule(net, sparsity, session.steps_per_epoch))
    session.wrappers.append(wrapper)
    return wrapper


def _schedule(net: NetworkSpec, sparsity: float, per_epoch: int):
    import tensorflow_model_optimization as tfmot

    p = net.pruning
    begin, end = p.begin_epoch * per_epoch, end_epoch(net) * per_epoch
    schedules = tfmot.sparsity.keras
    if p.schedule == "constant":
        return schedules.ConstantSparsity(sparsity, begin_step=begin, end_step=end, frequency=per_epoch)
    return schedules.PolynomialDecay(initial_sparsity=0.0, final_sparsity=sparsity, begin_step=begin,
                                     end_step=end, frequency=per_epoch)


def strip(model, session: PruningSession):
    """The model without pruning wrappers, every masked weight set to exactly zero."""
    if not session.wrappers:
        return model
    import tensorflow_model_optimization as tfmot

    _apply_masks(session.wrappers)
    return tfmot.sparsity.keras.strip_pruning(model)


def _apply_masks(wrappers) -> None:
    for wrapper in wrappers:
        for weight, mask, _threshold in wrapper.pruning_vars:
            weight.assign(weight * mask)


def _mask_callback(wrappers):
    """Starts the wrappers' step counters and masks the weights at every epoch's end
    (tfmot's UpdatePruningStep for an explicit list of wrappers: the VAE trainer does not
    expose its layers to Keras' layer walk)."""
    import tensorflow as tf

    class MaskCallback(tf.keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            for wrapper in wrappers:
                if int(wrapper.pruning_step.numpy()) < 0:
                    wrapper.pruning_step.assign(0)

        def on_epoch_end(self, epoch, logs=None):
            _apply_masks(wrappers)

    return MaskCallback()


def sparsity_record(net: NetworkSpec, model) -> dict[str, Any]:
    """Per weighted layer of a trained Keras model: the target, the fraction of kernel
    weights that are exactly zero (pruned) and the fraction that are zero after the
    layer's kernel quantizer (what the firmware holds)."""
    targets = {layer.name: target_sparsity(net, layer) for layer in net.layers}
    record = {}
    for keras_layer in model.layers:
        kernel = getattr(keras_layer, "kernel", None)
        if kernel is None:
            continue
        values = np.asarray(kernel.numpy())
        quantizer = getattr(keras_layer, "kernel_quantizer_internal", None)
        quantized = np.asarray(quantizer(values)) if quantizer is not None else values
        record[keras_layer.name] = {
            "target": float(targets.get(keras_layer.name, net.pruning.sparsity)),
            "zero_weights": float(np.mean(values == 0)),
            "zero_after_quantization": float(np.mean(quantized == 0)),
            "weights": int(values.size),
        }
    return record
