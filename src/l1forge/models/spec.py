"""What the models stage needs to build a network: the layer stack on its input shape, the
quantizers, the regularization and the pruning schedule. The card is turned into one of
these at its edge (l1forge.card_specs); nothing in models/ reads a card."""

from __future__ import annotations

from dataclasses import dataclass, field

from l1forge.card.schema import LayerSpec, PruningSpec, QuantSpec


@dataclass(frozen=True)
class NetworkSpec:
    name: str  # the network's name (Keras model names: <name>_qat, <name>_float)
    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...]
    quantization: QuantSpec = field(default_factory=QuantSpec)
    l1_regularization: float = 0.0
    seed: int = 42
    pruning: PruningSpec = field(default_factory=PruningSpec)
    epochs: int = 1  # the training length the pruning schedule ends within
    batch_size: int = 1024
    source: str = ""  # where the network was described (for errors)


@dataclass(frozen=True)
class LatentSpec:
    """A VAE's latent space: `layers[:encoder_layers]` is the encoder trunk, then two heads of
    `latent_dim` units; mu through quantized_bits(latent_bits, latent_integer) when
    latent_bits > 0."""

    encoder_layers: int
    latent_dim: int
    latent_bits: int = 0
    latent_integer: int = 3
