"""Constituent-level jet tagging with a permutation-invariant Deep Sets network.

A jet is a set of particles: the card's layers apply a per-particle network phi (Dense
layers on input (N, F): the same weights for every constituent; in firmware a pointwise
Conv1D over the N particles, all computed at once), a pooling over the set (the layer types
`global_avgpool1d`, the mean, or `global_maxpool1d`, the maximum; a sum is the mean times N,
which the next Dense absorbs), then a network rho on the pooled vector and a softmax over
the 5 classes. The inputs are the `data.constituent_features` of the `data.constituents`
hardest particles (pT-ordered, zero-padded), standardized per feature alike for every
particle (mean and spread over the training jets' particles, padding included: the same
map for every element keeps the network a set function). Standardized, pT/pT_jet and the
angles span the firmware input type instead of its last bits (measured: docs/results/deep_sets.md).
`data.log_features` (pT and energy fractions, spanning four decades) enter as
ln(max(x, 2^-12)) before standardization; the transform is part of the manifest's
preprocessing spec, so emulating a raw file applies it too. `data.jet_features` (names of
the file's 16 HLF features) are given to every particle after its own features, padding
rows included: the N hardest particles cannot tell how many the jet has beyond them, and
the multiplicity is among the strongest HLF features (docs/results/deep_sets.md). The
spec then names the inputs (`jet_set`), and emulating a raw jets file rebuilds them
(emulate/streaming.JetSetSource). Jets are split with the same seed and fractions as the HLF
tagger's, so both are evaluated on the same test jets of the same file.
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np

from l1forge import preprocessing
from l1forge.card.checks import bad
from l1forge.data.schema import JET_FEATURES
from l1forge.errors import UserError
from l1forge.tasks.base import Split, split_indices, subsample
from l1forge.tasks.jet_tagging import JetTagging

if TYPE_CHECKING:
    from l1forge.card.schema import Card

# every feature the generator stores, in its order (so `l1forge emulate --dataset
# constituents` reads the file's table as it is)
DEFAULT_FEATURES = ("pt_rel", "e_rel", "delta_eta", "delta_phi", "delta_r", "charge",
                    "is_charged_hadron", "is_electron", "is_muon", "is_neutral_hadron", "is_photon")
POOLING = ("global_avgpool1d", "global_maxpool1d")


def constituent_features(card: Card) -> tuple[str, ...]:
    return tuple(card.family.data.constituent_features) or DEFAULT_FEATURES


def input_features(card: Card) -> tuple[str, ...]:
    """Every particle's inputs in order: its own features, then the jet's (data.jet_features)."""
    return constituent_features(card) + tuple(card.family.data.jet_features)


@dataclass(frozen=True)
class ConstituentData:
    """The Deep Sets family's `data:` fields: the hardest `constituents` particles of each
    jet with these per-particle features by name (empty: DEFAULT_FEATURES); of those, the
    ones that enter as ln(max(x, floor)); jet-level HLF features given to every particle."""

    constituents: int = 32
    constituent_features: tuple[str, ...] = ()
    log_features: tuple[str, ...] = ()
    jet_features: tuple[str, ...] = ()


class DeepSets(JetTagging):
    name = "jet_deepsets"
    data_fields = ConstituentData

    def check_card(self, card: Card) -> None:
        super().check_card(card)
        src, d = card.source, card.family.data
        features = input_features(card)
        unknown_jet = [name for name in d.jet_features if name not in JET_FEATURES]
        if unknown_jet:
            bad(src, "data.jet_features", f"names of the 16 HLF features ({', '.join(JET_FEATURES)}), "
                                          f"got {', '.join(unknown_jet)}")
        if len(set(features)) != len(features):
            bad(src, "data.jet_features", "names not already among data.constituent_features, "
                                          f"got {', '.join(d.jet_features)}")
        if d.constituents < 1:
            bad(src, "data.constituents", f"at least one constituent per jet, got {d.constituents}")
        expected = [d.constituents, len(features)]
        if list(card.model.input_shape) != expected:
            bad(src, "model.input_shape", f"[data.constituents, number of constituent and jet features] "
                                          f"= {expected}, got {list(card.model.input_shape)}")
        pools = [i for i, layer in enumerate(card.model.layers) if layer.type in POOLING]
        if len(pools) != 1:
            bad(src, "model.layers", f"exactly one set pooling layer ({' or '.join(POOLING)}) "
                                     f"between phi and rho, got {len(pools)}")
        phi = card.model.layers[:pools[0]]
        if not phi or phi[-1].type not in ("relu", "leaky_relu"):
            bad(src, f"model.layers[{pools[0]}]", "a pooling that follows a quantized activation "
                                                  "(relu or leaky_relu), so that its sum is exact "
                                                  "in firmware")
        unknown = [name for name in d.log_features if name not in features]
        if unknown:
            bad(src, "data.log_features", f"names from data.constituent_features or data.jet_features "
                                          f"({', '.join(features)}), got {', '.join(unknown)}")
        if any(layer.type in ("flatten", "reshape") for layer in phi):
            bad(src, "model.layers", "per-particle layers (phi) before the pooling; a flatten or "
                                     "reshape there would make the network depend on the "
                                     "constituents' order")

    def firmware_model(self, card: Card, qat_model):
        """The QAT network with its quantized weights as its weights. hls4ml 1.3 turns a
        Dense over a set into a pointwise Conv1D (ReplaceMultidimensionalDenseWithConv) and
        the new node loses the QKeras quantizers: it would truncate the float weights to the
        weight type where QKeras rounds them. With the quantized values stored, that
        conversion is exact, and QKeras computes the same (its quantizers are idempotent)."""
        for layer in qat_model.layers:
            quantizers = getattr(layer, "quantizers", None)
            if not quantizers or not layer.get_weights():
                continue
            values = [q(w).numpy() if q is not None else w.numpy()
                      for q, w in zip(quantizers, layer.weights)]
            layer.set_weights(values)
        return qat_model

    def prepare(self, card: Card) -> Split:
        from l1forge.data import load_jets

        sample = load_jets(card.data.path)
        features = input_features(card)
        x = sample.constituent_inputs(constituent_features(card), card.family.data.constituents,
                                      tuple(card.family.data.jet_features))
        y = sample.labels
        keep = subsample(card, len(x))
        if keep is not None:
            x, y = x[keep], y[keep]
        train, val, test = split_indices(len(x), card.data.test_fraction,
                                         card.data.validation_fraction, card.training.seed)
        log_columns = [features.index(name) for name in card.family.data.log_features]
        negative = [features[c] for c in log_columns if (x[..., c] < 0).any()]
        if negative:
            raise UserError(f"data.log_features: {', '.join(negative)} has negative values in "
                            f"{sample.path}; expected non-negative features (fractions such as "
                            f"pt_rel, e_rel, or delta_r)")
        logged = preprocessing.take_log(x[train], log_columns)
        spec = {**preprocessing.fit_standardize(logged.reshape(-1, x.shape[-1])), "per_element": True}
        if log_columns:
            spec.update(log_columns=log_columns, log_floor=preprocessing.LOG_FLOOR)
        if card.family.data.jet_features:  # emulating a raw file rebuilds the inputs by these names
            spec.update(jet_set={"constituents": int(card.family.data.constituents),
                                 "constituent_features": list(constituent_features(card)),
                                 "jet_features": list(card.family.data.jet_features)})
        x = preprocessing.apply(spec, x).astype(np.float32)
        info = {"path": sample.path, "events": int(len(x)), "class_names": list(sample.class_names),
                "feature_names": list(features), "constituents": int(card.family.data.constituents),
                "provenance": sample.provenance}
        return Split(x[train], y[train], x[val], y[val], x[test], y[test], spec, info)
