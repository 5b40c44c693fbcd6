"""For every card in l1models/: the emulator equals the project's C-simulation bit for bit,
crafted edges included (bit_exact.py: 10,000 events in CI, 100,000 in `make verify`).

Each card is built small (project_cache: few events, few epochs; the weights need not be
good, only real), except jet_id_compact, whose full-size build test_compact_cards needs
for its figures anyway. The same holds for io_stream firmware (hls4ml's stream templates,
with their Clone, Repack and ZeroPadding processes): jet-ID and the convolutional
autoencoder, the card with the most layer kinds, are built in io_stream and checked the
same way; and for jet-ID with the Resource strategy at reuse factor 4 (weights in ROMs,
shared multipliers).

Two of those forms run in `make verify` only (VERIFY_ONLY, for CI time: together 84-113 s
of builds in the fresh-clone runs of 2026-12-07): jet-ID in io_stream (its stream dense
kernels are the arithmetic the convolutional autoencoder's stream build also checks in CI)
and jet-ID in the Resource strategy (the same sums as the Latency kernels, in another
schedule). The convolutional autoencoder in io_stream stays in CI: the card with the most
stream process kinds (zero padding, pooling, upsampling).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bit_exact import assert_emulator_equals_csim
from project_cache import CARDS, build_group

FULL_SIZE = {"jet_id_compact"}  # built as committed (test_compact_cards' figures)
STEMS = sorted(path.stem for path in CARDS.glob("*.yaml"))
VARIANTS = {
    "jet_id-io_stream": ("jet_id", {"target.io_type": "io_stream"}),
    "ad_cnn_ae-io_stream": ("ad_cnn_ae", {"target.io_type": "io_stream"}),
    "jet_id-resource-rf4": ("jet_id", {"target.strategy": "Resource", "target.reuse_factor": 4}),
}
VERIFY_ONLY = {"jet_id-io_stream", "jet_id-resource-rf4"}


def variant_marks(name: str) -> list:
    marks = [build_group(*VARIANTS[name])]
    return marks + [pytest.mark.verify] if name in VERIFY_ONLY else marks


def require_default_sample(l1forge_builds, card: str) -> None:
    from l1forge.tasks import load_card
    from l1forge.data import default_jets_path

    loaded = load_card(CARDS / f"{card}.yaml")
    if loaded.task in ("jet_id", "jet_deepsets") and not default_jets_path().is_file():
        pytest.skip(f"needs the committed jet sample {default_jets_path()}")


@pytest.mark.parametrize("card", [pytest.param(stem, marks=build_group(stem, small=stem not in FULL_SIZE))
                                  for stem in STEMS])
def test_emulator_equals_csim_for_card(card, l1forge_builds):
    require_default_sample(l1forge_builds, card)
    result = l1forge_builds.build(card, small=card not in FULL_SIZE)
    assert result.manifest["target"]["io_type"] == result.manifest["card_content"]["target"]["io_type"]
    assert_emulator_equals_csim(result.project_dir, seed=len(card))


@pytest.mark.parametrize("variant", [pytest.param(name, marks=variant_marks(name)) for name in sorted(VARIANTS)])
def test_emulator_equals_csim_for_other_firmware_forms(variant, l1forge_builds):
    card, overrides = VARIANTS[variant]
    require_default_sample(l1forge_builds, card)
    result = l1forge_builds.build(card, overrides)
    for key, value in overrides.items():
        section, field = key.split(".")
        assert result.manifest["target"][field] == value
    assert_emulator_equals_csim(result.project_dir, seed=len(variant))
