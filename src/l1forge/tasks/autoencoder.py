"""Anomaly detection with an autoencoder (dense or convolutional): the masked reconstruction
error is the score, computed in firmware (tasks/anomaly_scores.ae_score_model)."""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np

from l1forge.tasks.anomaly import PREDICT_BATCH, AnomalyDetection, ae_score, masked_mse_loss
from l1forge.card_specs import network_spec
from l1forge.tasks.base import Split, training_callbacks, history_dict, start_weights

if TYPE_CHECKING:
    from l1forge.card.schema import Card


@dataclass(frozen=True)
class AutoencoderModel:
    """The autoencoder families' `model:` fields: `layers[:encoder_layers]` end with the
    latent layer of `latent_dim` units."""

    encoder_layers: int = 0
    latent_dim: int = 0


class Autoencoder(AnomalyDetection):
    name = "autoencoder"
    model_fields = AutoencoderModel

    def build_network(self, card: Card, quantized: bool = True):
        from l1forge.models.autoencoder import build_autoencoder

        return build_autoencoder(network_spec(card), quantized)

    def fit(self, card: Card, split: Split, quantized: bool, start=None):
        import tensorflow as tf

        from l1forge.models.pruning import pruning_session, strip

        t = card.training
        with pruning_session(network_spec(card), len(split.x_train)) as pruning:
            model = self.build_network(card, quantized)
        start_weights(model, start)
        model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=t.learning_rate),
                      loss=masked_mse_loss)
        history = model.fit(split.x_train, split.x_train, validation_data=(split.x_val, split.x_val),
                            epochs=t.epochs, batch_size=t.batch_size, shuffle=True, verbose=0,
                            callbacks=training_callbacks(card, pruning))
        return strip(model, pruning), history_dict(history)

    def scores(self, card: Card, model, x: np.ndarray) -> np.ndarray:
        return ae_score(x, model.predict(x, batch_size=PREDICT_BATCH, verbose=0))

    def firmware_model(self, card: Card, qat_model):
        from l1forge.tasks.anomaly_scores import ae_score_model

        return ae_score_model(card, qat_model)
