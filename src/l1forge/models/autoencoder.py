"""Anomaly-detection networks from cards: the (dense or convolutional) autoencoder and the VAE.

Both reconstruct their own firmware inputs, so the card's last layer must give as many
values as the input has (57 for L1 objects); a convolutional card starts with a `reshape`
to (19, 3, 1) and ends with a dense layer of 57 units (or a flatten of 57 values).

The VAE is three Keras models sharing layers:
- `encoder`: inputs -> (z_mean, z_log_var); the firmware runs this part only;
- `decoder`: z -> reconstruction, used in training on sampled z;
- `network`: inputs -> (z_mean, z_log_var, decoder(z_mean)), the deterministic model that
  is saved, evaluated and handed to the firmware stage.
`layers[:encoder_layers]` is the encoder trunk, followed by two heads of `latent_dim` units
(quantized like the card's dense layers); `layers[encoder_layers:]` is the decoder.
log sigma^2 = -ReLU(head): the posterior is never wider than the unit prior. That costs the
fit little (a trained posterior is narrower than the prior) and lets the firmware compute
exp(log sigma^2) - 1 with hls4ml's ELU table, which covers [-8, 0].
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from l1forge.card.schema import LayerSpec
from l1forge.errors import UserError
from l1forge.models.layers import build_stack, make_layer
from l1forge.models.spec import LatentSpec, NetworkSpec

Z_MEAN = "z_mean"
Z_LOG_VAR_HEAD = "z_log_var_head"
Z_LOG_VAR = "z_log_var"


def build_autoencoder(net: NetworkSpec, quantized: bool = True):
    """inputs -> reconstruction, the card's whole layer stack."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(net.seed)
    inputs = tf.keras.Input(shape=tuple(net.input_shape), name="inputs")
    outputs = build_stack(net, net.layers, inputs, quantized)
    _check_reconstruction(net, outputs)
    suffix = "qat" if quantized else "float"
    return tf.keras.Model(inputs, outputs, name=f"{net.name}_{suffix}")


@dataclass(frozen=True)
class VAEParts:
    encoder: object
    decoder: object
    network: object


def build_vae(net: NetworkSpec, latent: LatentSpec, quantized: bool = True) -> VAEParts:
    import tensorflow as tf
    from tensorflow.keras import layers as kl

    tf.keras.utils.set_random_seed(net.seed)
    inputs = tf.keras.Input(shape=tuple(net.input_shape), name="inputs")
    trunk = build_stack(net, net.layers[: latent.encoder_layers], inputs, quantized)
    head = LayerSpec(type="dense", units=latent.latent_dim)
    z_mean = _z_mean(net, latent, head, trunk, quantized)
    raw = make_layer(net, replace(head, name=Z_LOG_VAR_HEAD), quantized)(trunk)
    z_log_var = kl.Rescaling(-1.0, name=Z_LOG_VAR)(kl.ReLU(name=f"{Z_LOG_VAR}_relu")(raw))
    encoder = tf.keras.Model(inputs, [z_mean, z_log_var], name=f"{net.name}_encoder")

    z = tf.keras.Input(shape=(latent.latent_dim,), name="z")
    decoder_layers = [make_layer(net, spec, quantized) for spec in net.layers[latent.encoder_layers:]]
    decoder = tf.keras.Model(z, _chain(decoder_layers, z), name=f"{net.name}_decoder")
    reconstruction = _chain(decoder_layers, z_mean)
    _check_reconstruction(net, reconstruction)
    suffix = "qat" if quantized else "float"
    network = tf.keras.Model(inputs, [z_mean, z_log_var, reconstruction], name=f"{net.name}_{suffix}")
    return VAEParts(encoder, decoder, network)


def _z_mean(net: NetworkSpec, latent: LatentSpec, head: LayerSpec, trunk, quantized: bool):
    """mu: the head's sum, or with `model.latent_bits` that sum through
    quantized_bits(latent_bits, latent_integer) (the layer then named z_mean is the quantizer)."""
    bits = latent.latent_bits
    if not bits:
        return make_layer(net, replace(head, name=Z_MEAN), quantized)(trunk)
    total = make_layer(net, replace(head, name=f"{Z_MEAN}_dense"), quantized)(trunk)
    if not quantized:
        from tensorflow.keras import layers as kl

        return kl.Activation("linear", name=Z_MEAN)(total)
    from qkeras import QActivation

    quantizer = f"quantized_bits({bits},{latent.latent_integer},alpha=1)"
    return QActivation(quantizer, name=Z_MEAN)(total)


def _chain(layers, x):
    for layer in layers:
        x = layer(x)
    return x


def _check_reconstruction(net: NetworkSpec, outputs) -> None:
    n_inputs = int(np.prod(net.input_shape))
    shape = tuple(outputs.shape[1:])
    if int(np.prod(shape)) != n_inputs or len(shape) != 1:
        raise UserError(f"{net.source}: model.layers end with shape {list(shape)}; an "
                        f"autoencoder must end with {n_inputs} values (a dense layer of "
                        f"{n_inputs} units or a flatten) to reconstruct its inputs")
