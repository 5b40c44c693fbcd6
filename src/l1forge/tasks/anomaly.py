"""Anomaly detection on L1 objects (tasks `autoencoder` and `vae`), trained on background only.

Events are the 19 L1 objects (MET, 4 e, 4 mu, 10 jets) as 57 firmware inputs (pT / 2**k,
eta, phi; preprocessing kind `l1_pt_shift`). Background is split into train/validation/
test; the card's signal processes are kept whole for evaluation. The stored test split
holds the background test events (label 0) followed by each signal (label i for the i-th
entry of `info["processes"]`), so the build's C-simulation runs on background first.

Data: `data.path` is a folder holding `l1_background.h5` and `l1_<signal>.h5` (the names
of the committed defaults); null means the default folder (`data/` or $L1FORGE_DATA_DIR).

Scores (higher = more anomalous): the autoencoders' masked mean squared error (padded
objects, pT = 0, excluded as in arXiv:2108.03986), the VAE's KL term or sum of mu^2
(`model.vae_score`). `firmware_model` computes the same score in the firmware (see
l1forge.firmware_scores); the "float" score of the metrics is the QAT model's, evaluated
in floating point, which is what the firmware implements.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from l1forge import preprocessing, trigger
from l1forge.card import Card
from l1forge.errors import UserError
from l1forge.tasks import Split, split_indices

FEATURES = ("pt", "eta", "phi")
PREDICT_BATCH = 8192


def l1_paths(card: Card) -> dict[str, Path]:
    """process -> file, from `data.path` (a folder) or the committed defaults."""
    from l1forge.data import default_l1_paths
    from l1forge.data.defaults import L1_FILES

    if card.data.path is None:
        return default_l1_paths()
    folder = Path(card.data.path)
    if not folder.is_dir():
        raise UserError(f"{card.source}: bad value at 'data.path': expected a folder holding "
                        f"{L1_FILES['background']} and l1_<signal>.h5 files, got '{folder}'")
    return {process: folder / name for process, name in L1_FILES.items()}


def check_signals(card: Card, paths: dict[str, Path]) -> None:
    """Every file the card needs exists (names were checked when the card was loaded)."""
    if not paths["background"].is_file():
        raise UserError(f"{card.source}: no background sample: no file {paths['background']}")
    for signal in card.data.signals:
        if not paths[signal].is_file():
            raise UserError(f"{card.source}: signal '{signal}' is missing from the sample: no "
                            f"file {paths[signal]}")


def prepare(card: Card) -> Split:
    from l1forge.data import load_l1_objects

    paths = l1_paths(card)
    check_signals(card, paths)
    spec = {"kind": "l1_pt_shift", "shift": card.data.pt_shift}
    background = load_l1_objects(paths["background"], "background")
    particles = background.particles
    if card.data.max_events is not None:
        keep = np.random.default_rng(card.training.seed).permutation(len(particles))[: card.data.max_events]
        particles = particles[np.sort(keep)]
    x = firmware_inputs(card, spec, particles, background.path)
    train, val, test = split_indices(len(x), card.data.test_fraction,
                                     card.data.validation_fraction, card.training.seed)
    if min(len(train), len(val), len(test)) == 0:
        raise UserError(f"{background.path}: {len(x)} background events are too few to split "
                        "into training, validation and test events")
    x_test, y_test, counts = [x[test]], [np.zeros(len(test), dtype=np.int64)], {"background": len(test)}
    for label, signal in enumerate(card.data.signals, start=1):
        sample = load_l1_objects(paths[signal], signal, max_events=card.data.max_events)
        x_test.append(firmware_inputs(card, spec, sample.particles, sample.path))
        y_test.append(np.full(len(sample), label, dtype=np.int64))
        counts[signal] = len(sample)
    info = {"path": str(paths["background"].parent), "events": int(len(x)),
            "processes": ["background", *card.data.signals], "test_events": counts,
            "feature_names": [f"{f}_{i}" for i in range(len(x[0]) // 3) for f in FEATURES],
            "provenance": background.provenance}
    zeros = np.zeros(len(x), dtype=np.int64)
    return Split(x[train], zeros[train], x[val], zeros[val], np.concatenate(x_test),
                 np.concatenate(y_test), spec, info)


def firmware_inputs(card: Card, spec: dict, particles: np.ndarray, source: str) -> np.ndarray:
    x = preprocessing.apply(spec, particles).astype(np.float32)
    shape = tuple(card.model.input_shape)
    if x.shape[1] != int(np.prod(shape)):
        raise UserError(f"{source}: events give {x.shape[1]} inputs; card {card.source} expects "
                        f"model.input_shape {list(shape)}")
    return x.reshape((len(x), *shape))


def object_mask(x, xp=np):
    """1 for the pT, eta, phi of objects with pT > 0, else 0 (numpy or TensorFlow)."""
    if xp is np:
        flat = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
        return np.repeat((flat[:, 0::3] > 0).astype(np.float64), 3, axis=1)
    flat = xp.reshape(x, (xp.shape(x)[0], -1))
    return xp.repeat(xp.cast(flat[:, 0::3] > 0, flat.dtype), 3, axis=1)


def masked_mse_loss(x, reconstruction):
    """Per-event training loss (TensorFlow): mean over inputs of the masked squared error."""
    import tensorflow as tf

    flat = tf.reshape(x, (tf.shape(x)[0], -1))
    diff = object_mask(x, tf) * (flat - tf.reshape(reconstruction, tf.shape(flat)))
    return tf.reduce_mean(tf.square(diff), axis=-1)


def ae_score(x: np.ndarray, reconstruction: np.ndarray) -> np.ndarray:
    flat = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    diff = object_mask(x) * (flat - np.asarray(reconstruction, dtype=np.float64).reshape(flat.shape))
    return np.mean(diff**2, axis=1)


def vae_score(kind: str, z_mean: np.ndarray, z_log_var: np.ndarray) -> np.ndarray:
    mu = np.asarray(z_mean, dtype=np.float64)
    if kind == "mu2":
        return np.sum(mu**2, axis=1)
    lv = np.asarray(z_log_var, dtype=np.float64)
    return 0.5 * np.sum(mu**2 + np.exp(lv) - 1.0 - lv, axis=1)


def scores(card: Card, model, x: np.ndarray) -> np.ndarray:
    """The float anomaly score of a trained (saved) network on firmware inputs `x`."""
    outputs = model.predict(x, batch_size=PREDICT_BATCH, verbose=0)
    if card.task == "vae":
        z_mean, z_log_var, _ = outputs
        return vae_score(card.model.vae_score, z_mean, z_log_var)
    return ae_score(x, outputs)


def fit(card: Card, split: Split, quantized: bool):
    import tensorflow as tf

    t = card.training
    callbacks = []
    if t.early_stopping_patience:
        callbacks.append(tf.keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=t.early_stopping_patience, restore_best_weights=True))
    optimizer = tf.keras.optimizers.Adam(learning_rate=t.learning_rate)
    common = dict(epochs=t.epochs, batch_size=t.batch_size, shuffle=True, verbose=0, callbacks=callbacks)
    if card.task == "vae":
        from l1forge.models.autoencoder import build_vae
        from l1forge.models.vae import make_trainer

        parts = build_vae(card, quantized)
        trainer = make_trainer(parts, card.model.beta, masked_mse_loss, t.seed)
        trainer.compile(optimizer=optimizer)
        history = trainer.fit(split.x_train, validation_data=(split.x_val,), **common)
        model = parts.network
    else:
        from l1forge.models.autoencoder import build_autoencoder

        model = build_autoencoder(card, quantized)
        model.compile(optimizer=optimizer, loss=masked_mse_loss)
        history = model.fit(split.x_train, split.x_train,
                            validation_data=(split.x_val, split.x_val), **common)
    return model, {k: [float(v) for v in vals] for k, vals in history.history.items()}


def evaluate(card: Card, split: Split, float_model, qat_model) -> dict[str, Any]:
    names = split.info["processes"]
    baseline = scores(card, float_model, split.x_test)
    qat = scores(card, qat_model, split.x_test)
    background = split.y_test == 0
    metrics: dict[str, Any] = {
        "test_background_events": int(background.sum()),
        "background_mean_score_qat": float(np.mean(qat[background])),
        "auc_baseline": {}, "auc_qat": {},
    }
    for label, name in enumerate(names[1:], start=1):
        signal = split.y_test == label
        metrics["auc_baseline"][name] = trigger.auc(baseline[background], baseline[signal])
        metrics["auc_qat"][name] = trigger.auc(qat[background], qat[signal])
    return metrics


def firmware_model(card: Card, qat_model):
    from l1forge import firmware_scores

    if card.task == "vae":
        return firmware_scores.vae_score_model(card, qat_model)
    return firmware_scores.ae_score_model(card, qat_model)


def firmware_metrics(card: Card, y_test: np.ndarray, info: dict[str, Any],
                     firmware_outputs: np.ndarray, qat_outputs: np.ndarray) -> dict[str, Any]:
    """Firmware (C-simulated) scores against the QAT float scores on the events simulated.

    `per_signal` is filled for the processes those events cover; the trigger stage
    (`l1forge trigger`, `trigger.evaluate_project`) runs the firmware over every stored event.
    """
    fw = np.asarray(firmware_outputs, dtype=np.float64).reshape(len(firmware_outputs), -1)[:, 0]
    qat = np.asarray(qat_outputs, dtype=np.float64).reshape(len(qat_outputs), -1)[:, 0]
    labels = np.asarray(y_test)[: len(fw)]
    scale = max(float(np.max(np.abs(qat))), 1e-12)
    metrics: dict[str, Any] = {
        "firmware_events": int(len(fw)),
        "firmware_float_max_abs_difference": float(np.max(np.abs(fw - qat))),
        "firmware_float_max_relative_difference": float(np.max(np.abs(fw - qat)) / scale),
    }
    scores_by_label = {label: (qat[labels == label], fw[labels == label]) for label in np.unique(labels)}
    covered = trigger.per_signal_metrics(info["processes"], scores_by_label, card.trigger.rates_hz)
    if covered:
        metrics["per_signal"] = covered
    return metrics


def project_metrics(card: Card, trained, graph, fw_model, project_dir, log=print) -> dict[str, Any]:
    """For the build, once the project's C-simulation binary is compiled: the firmware score
    of every stored event (background test and signals) and `per_signal` at the card's rates."""
    from l1forge import trigger_project
    from l1forge.card import card_sha256

    x_test, y_test = trained.test_split()
    log(f"firmware score (C-simulation) over all {len(x_test)} stored events")
    scores = trigger_project.score_events(project_dir, trained.info["processes"], x_test, y_test,
                                          graph, fw_model, card_sha256(card))
    return {"per_signal": trigger.per_signal_metrics(scores.processes, scores.by_label(),
                                                     card.trigger.rates_hz),
            "emulator_vs_csim": scores.emulator}
