"""The edge where a model card becomes the small specs the stages take: the network
(models/), the firmware target and input type (firmware/, report/), and a VAE's latent
space. Only this module, card/, tasks/ and cli/ read a whole card."""

from __future__ import annotations

from typing import TYPE_CHECKING

from l1forge.firmware.spec import FirmwareSpec, input_fixed_type
from l1forge.models.spec import LatentSpec, NetworkSpec

if TYPE_CHECKING:
    from l1forge.card.schema import Card


def network_spec(card: Card) -> NetworkSpec:
    """The card's layer stack with its quantizers, regularization and pruning schedule."""
    model, training = card.model, card.training
    return NetworkSpec(name=card.name, input_shape=tuple(model.input_shape), layers=model.layers,
                       quantization=card.quantization, l1_regularization=training.l1_regularization,
                       seed=training.seed, pruning=card.pruning, epochs=training.epochs,
                       batch_size=training.batch_size, source=card.source)


def latent_spec(card: Card) -> LatentSpec:
    model = card.family.model  # the VAE's own fields (tasks/vae.py)
    return LatentSpec(model.encoder_layers, model.latent_dim, model.latent_bits, model.latent_integer)


def firmware_spec(card: Card) -> FirmwareSpec:
    """The card's firmware target, named after the card, with its input type."""
    t, q = card.target, card.quantization
    return FirmwareSpec(name=card.name, input_type=input_fixed_type(q.input_bits, q.input_integer),
                        backend=t.backend, part=t.part, clock_ns=t.clock_ns, io_type=t.io_type,
                        strategy=t.strategy, reuse_factor=t.reuse_factor,
                        latency_budget_ns=t.latency_budget_ns, softmax_table_size=t.softmax_table_size,
                        multiplier_impl=t.multiplier_impl, clock_uncertainty=t.clock_uncertainty)
