"""Anomaly detection on L1 objects: what the autoencoder and VAE families share.

Events are the 19 L1 objects (MET, 4 e, 4 mu, 10 jets) as 57 firmware inputs (pT / 2**k,
eta, phi; preprocessing kind `l1_pt_shift`). Background is split into train/validation/
test; the card's signal processes are kept whole for evaluation. The stored test split
holds the background test events (label 0) followed by each signal (label i for the i-th
entry of `info["processes"]`), so the build's C-simulation runs on background first.

Data: `data.path` is a folder holding `l1_background.h5` and `l1_<signal>.h5` (the names
of the committed defaults); null means the default folder (`data/` or $L1FORGE_DATA_DIR).

Scores (higher = more anomalous) come from the subclass (`scores`); the firmware computes
the same score (tasks/anomaly_scores.py). The "float" score of the metrics is the QAT
model's, evaluated in floating point, which is what the firmware implements. The build's
post-build step runs the firmware score over every stored event, reusing the events the
build has already C-simulated, and hands the scores to the trigger stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from l1forge import metrics, preprocessing
from l1forge.card.checks import bad, one_of
from l1forge.errors import UserError
from l1forge.tasks.base import BuildContext, Split, Task, split_indices, subsample

if TYPE_CHECKING:
    from l1forge.card.schema import Card

FEATURES = ("pt", "eta", "phi")
PREDICT_BATCH = 8192


@dataclass(frozen=True)
class AnomalyData:
    """The anomaly-detection families' `data:` fields."""

    signals: tuple[str, ...] = ()
    # Firmware-friendly pT scaling for L1 objects: pT is divided by 2**pt_shift.
    pt_shift: int = 0


class AnomalyDetection(Task):
    """Trained on background only; evaluated on background test events and each signal."""

    data_fields = AnomalyData

    every_event = True  # the trigger figures need every stored event's firmware score
    trigger_study = "rates"

    def check_card(self, card: Card) -> None:
        from l1forge.data.schema import L1_SIGNALS

        super().check_card(card)
        src, d = card.source, card.family.data
        if not 0 <= d.pt_shift <= 16:
            bad(src, "data.pt_shift", f"a shift from 0 to 16 bits, got {d.pt_shift}")
        if not card.family.data.signals:
            bad(src, "data.signals", f"at least one signal process to evaluate: {', '.join(L1_SIGNALS)}")
        for i, signal in enumerate(card.family.data.signals):
            one_of(src, f"data.signals[{i}]", signal, L1_SIGNALS)
        if len(set(card.family.data.signals)) != len(card.family.data.signals):
            bad(src, "data.signals", f"each signal once, got {list(card.family.data.signals)}")

    def prepare(self, card: Card) -> Split:
        from l1forge.data import load_l1_objects

        paths = l1_paths(card)
        check_signals(card, paths)
        spec = {"kind": "l1_pt_shift", "shift": card.family.data.pt_shift}
        background = load_l1_objects(paths["background"], "background")
        particles = background.particles
        keep = subsample(card, len(particles))
        if keep is not None:
            particles = particles[keep]
        x = firmware_inputs(card, spec, particles, background.path)
        train, val, test = split_indices(len(x), card.data.test_fraction,
                                         card.data.validation_fraction, card.training.seed)
        if min(len(train), len(val), len(test)) == 0:
            raise UserError(f"{background.path}: {len(x)} background events are too few to split "
                            "into training, validation and test events")
        x_test, y_test = [x[test]], [np.zeros(len(test), dtype=np.int64)]
        counts = {"background": len(test)}
        for label, signal in enumerate(card.family.data.signals, start=1):
            sample = load_l1_objects(paths[signal], signal, max_events=card.data.max_events)
            x_test.append(firmware_inputs(card, spec, sample.particles, sample.path))
            y_test.append(np.full(len(sample), label, dtype=np.int64))
            counts[signal] = len(sample)
        info = {"path": str(paths["background"].parent), "events": int(len(x)),
                "processes": ["background", *card.family.data.signals], "test_events": counts,
                "feature_names": [f"{f}_{i}" for i in range(len(x[0]) // 3) for f in FEATURES],
                "provenance": background.provenance}
        zeros = np.zeros(len(x), dtype=np.int64)
        return Split(x[train], zeros[train], x[val], zeros[val], np.concatenate(x_test),
                     np.concatenate(y_test), spec, info)

    def scores(self, card: Card, model, x: np.ndarray) -> np.ndarray:
        """The float anomaly score of a trained network on firmware inputs `x`."""
        raise NotImplementedError(f"{type(self).__name__}.scores")

    def evaluate(self, card: Card, split: Split, float_model, qat_model) -> dict[str, Any]:
        names = split.info["processes"]
        baseline = self.scores(card, float_model, split.x_test)
        qat = self.scores(card, qat_model, split.x_test)
        background = split.y_test == 0
        result: dict[str, Any] = {
            "test_background_events": int(background.sum()),
            "background_mean_score_qat": float(np.mean(qat[background])),
            "auc_baseline": {}, "auc_qat": {},
        }
        for label, name in enumerate(names[1:], start=1):
            signal = split.y_test == label
            result["auc_baseline"][name] = metrics.auc(baseline[background], baseline[signal])
            result["auc_qat"][name] = metrics.auc(qat[background], qat[signal])
        return result

    def config_passes(self, card: Card) -> tuple:
        from l1forge.tasks.anomaly_scores import score_types

        return (score_types,)

    def firmware_metrics(self, card: Card, y_test: np.ndarray, info: dict[str, Any],
                         firmware_outputs: np.ndarray, qat_outputs: np.ndarray) -> dict[str, Any]:
        """Firmware (C-simulated) scores against the QAT float scores on the events simulated;
        the figures at the card's rates come from the post-build step, over every event."""
        fw = first_output(firmware_outputs)
        qat = first_output(qat_outputs)[: len(fw)]
        scale = max(float(np.max(np.abs(qat))), 1e-12)
        return {
            "firmware_events": int(len(fw)),
            "firmware_float_max_abs_difference": float(np.max(np.abs(fw - qat))),
            "firmware_float_max_relative_difference": float(np.max(np.abs(fw - qat)) / scale),
        }

    def scan_objective(self, card: Card, y_test: np.ndarray, info: dict[str, Any],
                       firmware_outputs: np.ndarray, qat_outputs: np.ndarray) -> dict[str, Any]:
        """The mean over signals of the firmware score's AUC, each signal's AUC, and the
        firmware efficiency at the card's first rate (None where the sample cannot measure it)."""
        fw, labels = first_output(firmware_outputs), np.asarray(y_test)[: len(firmware_outputs)]
        background = fw[labels == 0]
        aucs = {name: metrics.auc(background, fw[labels == label])
                for label, name in enumerate(info["processes"][1:], start=1)}
        rate = card.trigger.rates_hz[0] if card.trigger.rates_hz else None
        efficiency = {}
        if rate is not None:
            from l1forge.trigger import efficiency_at_rate

            for label, name in enumerate(info["processes"][1:], start=1):
                found = efficiency_at_rate(background, fw[labels == label], rate)
                efficiency[name] = None if found is None else found.as_dict()
        return {"objective": "mean_auc_firmware", "mean_auc_firmware": float(np.mean(list(aucs.values()))),
                "auc_firmware": aucs, "efficiency_at_first_rate": {"rate_hz": rate, **efficiency}}

    def post_build(self, card: Card, context: BuildContext) -> dict[str, Any]:
        """The trigger stage's figures at the card's rates, from the firmware score of every
        stored event (background test and signals; the flow C-simulated them all)."""
        from l1forge.trigger.ad_project import ProjectScores, record_scores

        scores = ProjectScores(list(context.info["processes"]), np.asarray(context.y_test),
                               first_output(context.keras_outputs), first_output(context.firmware_outputs))
        return record_scores(context.project_dir, scores, card.trigger.rates_hz, context.card_sha256)


def first_output(outputs) -> np.ndarray:
    """The score: the first (only) output of each event, as float64."""
    values = np.asarray(outputs, dtype=np.float64)
    return values.reshape(len(values), -1)[:, 0]


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
    for signal in card.family.data.signals:
        if not paths[signal].is_file():
            raise UserError(f"{card.source}: signal '{signal}' is missing from the sample: no "
                            f"file {paths[signal]}")


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
