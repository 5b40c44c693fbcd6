"""Jet tagging on the 16 jet-substructure features: 5 classes, categorical cross-entropy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from l1forge import metrics, preprocessing
from l1forge.errors import UserError
from l1forge.card_specs import network_spec
from l1forge.tasks.base import (Split, Task, history_dict, split_indices, start_weights, subsample,
                                 training_callbacks)

if TYPE_CHECKING:
    from l1forge.card.schema import Card


class JetTagging(Task):
    name = "jet_id"
    trigger_study = "working_points"

    def prepare(self, card: Card) -> Split:
        from l1forge.data import load_jets

        sample = load_jets(card.data.path)
        if sample.features is None:
            raise UserError(f"{sample.path}: the file holds no jet-substructure features (a "
                            f"particle-level file); card {card.source} needs the 16 HLF features, "
                            "or use task jet_deepsets on the constituents")
        x, y = sample.features, sample.labels
        keep = subsample(card, len(x))
        if keep is not None:
            x, y = x[keep], y[keep]
        n_inputs = int(np.prod(card.model.input_shape))
        if x.shape[1] != n_inputs:
            raise UserError(f"{sample.path}: events have {x.shape[1]} features; card {card.source} "
                            f"expects model.input_shape {list(card.model.input_shape)}")
        train, val, test = split_indices(len(x), card.data.test_fraction,
                                         card.data.validation_fraction, card.training.seed)
        spec = preprocessing.fit_standardize(x[train])
        xs = preprocessing.apply(spec, x).astype(np.float32)
        info = {"path": sample.path, "events": int(len(x)), "class_names": list(sample.class_names),
                "feature_names": list(sample.feature_names), "provenance": sample.provenance}
        return Split(xs[train], y[train], xs[val], y[val], xs[test], y[test], spec, info)

    def build_network(self, card: Card, quantized: bool = True):
        from l1forge.models.network import build_network

        return build_network(network_spec(card), quantized)

    def fit(self, card: Card, split: Split, quantized: bool, start=None):
        import tensorflow as tf

        from l1forge.models.pruning import pruning_session, strip

        t = card.training
        with pruning_session(network_spec(card), len(split.x_train)) as pruning:
            model = self.build_network(card, quantized)
        start_weights(model, start)
        n_classes = int(model.output_shape[-1])
        model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=t.learning_rate),
                      loss="categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(
            split.x_train, tf.keras.utils.to_categorical(split.y_train, n_classes),
            validation_data=(split.x_val, tf.keras.utils.to_categorical(split.y_val, n_classes)),
            epochs=t.epochs, batch_size=t.batch_size, shuffle=True, verbose=0,
            callbacks=training_callbacks(card, pruning),
        )
        return strip(model, pruning), history_dict(history)

    def evaluate(self, card: Card, split: Split, float_model, qat_model) -> dict[str, Any]:
        names = split.info["class_names"]
        p_float = float_model.predict(split.x_test, batch_size=4096, verbose=0)
        p_qat = qat_model.predict(split.x_test, batch_size=4096, verbose=0)
        return {
            "float_accuracy": metrics.accuracy(p_float, split.y_test),
            "qat_accuracy": metrics.accuracy(p_qat, split.y_test),
            "per_class_auc_float": metrics.per_class_auc(p_float, split.y_test, names),
            "per_class_auc": metrics.per_class_auc(p_qat, split.y_test, names),
            "test_events": int(len(split.y_test)),
        }

    def firmware_metrics(self, card: Card, y_test: np.ndarray, info: dict[str, Any],
                         firmware_outputs: np.ndarray, qat_outputs: np.ndarray) -> dict[str, Any]:
        n = len(firmware_outputs)
        labels = y_test[:n]
        return {
            "firmware_accuracy": metrics.accuracy(firmware_outputs, labels),
            # The QAT model on the same (C-simulated) events, for a like-for-like comparison.
            "qat_accuracy_on_firmware_events": metrics.accuracy(qat_outputs[:n], labels),
            "firmware_qat_agreement": float(np.mean(
                np.argmax(firmware_outputs, axis=1) == np.argmax(qat_outputs[:n], axis=1))),
            "per_class_auc_firmware": metrics.per_class_auc(firmware_outputs, labels,
                                                            info["class_names"]),
            "firmware_events": int(n),
        }

    def scan_objective(self, card: Card, y_test: np.ndarray, info: dict[str, Any],
                       firmware_outputs: np.ndarray, qat_outputs: np.ndarray) -> dict[str, Any]:
        return {"objective": "firmware_accuracy",
                "firmware_accuracy": metrics.accuracy(firmware_outputs, y_test[:len(firmware_outputs)])}
