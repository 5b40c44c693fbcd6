"""Anomaly detection with a variational autoencoder: only the encoder and the score (the KL
term, or the sum of mu^2 as CMS's AXOL1TL) run in firmware (tasks/anomaly_scores)."""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np

from l1forge.card.checks import bad
from l1forge.tasks.autoencoder import AutoencoderModel
from l1forge.tasks.anomaly import PREDICT_BATCH, AnomalyDetection, masked_mse_loss, vae_score
from l1forge.card_specs import latent_spec, network_spec
from l1forge.tasks.base import Split, training_callbacks, history_dict, start_weights

if TYPE_CHECKING:
    from l1forge.card.schema import Card


@dataclass(frozen=True)
class VAEModel(AutoencoderModel):
    """The VAE's `model:` fields: the latent space, the anomaly score computed in firmware
    ("kl", or "mu2": the sum of mu^2 as AXOL1TL), the KL weight, and mu's quantizer
    quantized_bits(latent_bits, latent_integer) (0 bits: mu keeps its exact sum type)."""

    vae_score: str = "kl"
    beta: float = 1.0
    latent_bits: int = 0
    latent_integer: int = 3


class VAE(AnomalyDetection):
    name = "vae"
    model_fields = VAEModel

    def check_card(self, card: Card) -> None:
        super().check_card(card)
        src, model = card.source, card.family.model
        if not 1 <= model.encoder_layers < len(card.model.layers):
            bad(src, "model.encoder_layers", f"the number of encoder layers, from 1 to "
                                             f"{len(card.model.layers) - 1} (the rest is the decoder), "
                                             f"got {model.encoder_layers}")
        if model.latent_dim < 1:
            bad(src, "model.latent_dim", f"a positive latent dimension, got {model.latent_dim}")
        if not model.beta > 0:
            bad(src, "model.beta", f"a positive weight of the KL term, got {model.beta:g}")
        if model.latent_bits and not 2 <= model.latent_bits <= 32:
            bad(src, "model.latent_bits", f"a bit width from 2 to 32 (0: mu unquantized), got {model.latent_bits}")
        if model.latent_bits and not 0 <= model.latent_integer < model.latent_bits:
            bad(src, "model.latent_integer", f"integer bits from 0 to {model.latent_bits - 1}, "
                                             f"got {model.latent_integer}")
        if model.vae_score not in ("kl", "mu2"):
            bad(src, "model.vae_score", f"kl or mu2, got '{model.vae_score}'")

    def build_network(self, card: Card, quantized: bool = True):
        from l1forge.models.autoencoder import build_vae

        return build_vae(network_spec(card), latent_spec(card), quantized).network

    def fit(self, card: Card, split: Split, quantized: bool, start=None):
        import tensorflow as tf

        from l1forge.models.autoencoder import build_vae
        from l1forge.models.pruning import pruning_session, strip
        from l1forge.models.vae import make_trainer

        t = card.training
        with pruning_session(network_spec(card), len(split.x_train)) as pruning:
            parts = build_vae(network_spec(card), latent_spec(card), quantized)
        start_weights(parts.network, start)
        trainer = make_trainer(parts, card.family.model.beta, masked_mse_loss, t.seed)
        trainer.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=t.learning_rate))
        history = trainer.fit(split.x_train, validation_data=(split.x_val,), epochs=t.epochs,
                              batch_size=t.batch_size, shuffle=True, verbose=0,
                              callbacks=training_callbacks(card, pruning))
        return strip(parts.network, pruning), history_dict(history)

    def scores(self, card: Card, model, x: np.ndarray) -> np.ndarray:
        z_mean, z_log_var, _ = model.predict(x, batch_size=PREDICT_BATCH, verbose=0)
        return vae_score(card.family.model.vae_score, z_mean, z_log_var)

    def firmware_model(self, card: Card, qat_model):
        from l1forge.tasks.anomaly_scores import vae_score_model

        return vae_score_model(card, qat_model)
