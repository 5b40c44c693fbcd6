"""L1-object event generation: SM background mix and the four challenge signals.

Every source is one Pythia 8 configuration (SOURCES). A worker generates events of each
source in its quota, builds the L1 objects (l1_objects), and keeps the events that pass
the challenge's lepton filter until the quota is met.
"""

from __future__ import annotations

import numpy as np

from l1forge.data import l1_objects
from l1forge.data.pythia_events import (PYTHIA_MAX_SEED, final_particles, import_fastjet,
                                        is_visible, make_pythia)
from l1forge.errors import UserError

# Settings of every L1 source, chosen to fit the CPU budget (documented in data/README.md):
# * no multi-parton interactions: ~4x faster, and the challenge's pile-up (which dominates
#   soft activity at L1) is not modelled here anyway;
# * tau decays with Pythia's isotropic model (TauDecays:mode = 0): ~5x faster than the
#   helicity-correlated model, at the price of tau polarisation effects;
# * hadronisation only for events that can pass the lepton filter (see build_event).
_COMMON = ("PartonLevel:MPI = off", "TauDecays:mode = 0", "HadronLevel:all = off")
_LEPTONIC_W = ("24:onMode = off", "24:onIfAny = 11 13 15")
_B_HADRONS = (511, 521, 531, 5122)

SOURCES = {
    "w_lnu": ("WeakSingleBoson:ffbar2W = on",) + _LEPTONIC_W,
    "z_ll": ("WeakSingleBoson:ffbar2gmZ = on", "WeakZ0:gmZmode = 2", "23:onMode = off",
             "23:onIfAny = 11 13 15"),
    "ttbar": ("Top:gg2ttbar = on", "Top:qqbar2ttbar = on"),
    # QCD multijet reaches a 23 GeV lepton almost only through semileptonic b decays: b pairs
    # above pT-hat 40 GeV with the weakly decaying b hadrons forced to decays with an e or mu.
    "qcd_bbbar": ("HardQCD:hardbbbar = on", "PhaseSpace:pTHatMin = 40.")
    + tuple(f"{b}:{key}" for b in _B_HADRONS for key in ("onMode = off", "onIfAny = 11 13")),
    # A (m = 50 GeV, coupled to Z pairs) -> Z* Z* -> 4 leptons (e, mu).
    "ato4l": ("Higgs:useBSM = on", "HiggsBSM:gg2A3 = on", "HiggsA3:coup2Z = 1.", "36:m0 = 50.",
              "36:onMode = off", "36:onIfMatch = 23 23", "23:onMode = off",
              "23:onIfAny = 11 13"),
    # Scalar leptoquark pairs (m = 80 GeV, charge 2/3), each decaying to b tau.
    "leptoquark": ("LeptoQuark:gg2LQLQbar = on", "LeptoQuark:qqbar2LQLQbar = on", "42:m0 = 80.",
                   "42:chargeType = 2", "42:oneChannel = 1 1.0 0 5 -15"),
    # Neutral scalar (m = 60 GeV) -> tau tau, produced with a jet (pT-hat > 50 GeV) so that
    # its taus are hard enough to give a 23 GeV lepton at a workable rate.
    "h_tautau": ("HiggsSM:gg2Hg(l:t) = on", "HiggsSM:qg2Hq(l:t) = on",
                 "HiggsSM:qqbar2Hg(l:t) = on", "PhaseSpace:pTHatMin = 50.", "25:m0 = 60.",
                 "25:onMode = off", "25:onIfMatch = 15 -15"),
    # Charged scalar (m = 60 GeV) -> tau nu, produced as a light charged Higgs is at the LHC:
    # in top decays, t -> H+ b, with the other top decaying t -> W b.
    "hplus_taunu": ("Higgs:useBSM = on", "Top:gg2ttbar = on", "Top:qqbar2ttbar = on",
                    "37:m0 = 60.", "37:onMode = off", "37:onIfAny = 15",
                    "6:addChannel = 1 0.1 0 37 5", "6:onPosIfAny = 37", "6:onNegIfAny = 24"),
}

# Shares of the background mix after the lepton filter. The public sample is about
# W 59%, QCD 34%, Z 6.7%, ttbar 0.3%. QCD is kept at a 5% share: even with forced
# semileptonic b decays only a few percent of b-pair events pass the filter, and each is
# costly (data/README.md has the measured efficiencies). W, Z and ttbar keep their
# public ratios among themselves (ttbar rounded up to 0.5% so it is not a handful).
BACKGROUND_SHARES = {"w_lnu": 0.849, "qcd_bbbar": 0.05, "z_ll": 0.096, "ttbar": 0.005}


def settings_for(source: str) -> tuple:
    return SOURCES[source] + _COMMON


def source_quotas(process: str, events: int) -> dict:
    """{source: events} for `process`: the background shares, or one signal source."""
    if process != "background":
        return {process: int(events)}
    quotas = {s: int(round(share * events)) for s, share in BACKGROUND_SHARES.items()}
    quotas["w_lnu"] += int(events) - sum(quotas.values())  # rounding remainder
    return quotas


def object_definitions() -> dict:
    return dict(l1_objects.definitions(), common_settings=list(_COMMON), background_shares=BACKGROUND_SHARES)


def _jets(fastjet, parts: dict, keep: np.ndarray) -> tuple:
    pseudojets = [fastjet.PseudoJet(*row) for row in
                  np.column_stack([parts[k][keep] for k in ("px", "py", "pz", "e")]).tolist()]
    sequence = fastjet.ClusterSequence(pseudojets,
                                       fastjet.JetDefinition(fastjet.antikt_algorithm, 0.4))
    # 10 GeV before smearing, so that jets fluctuating above the 15 GeV threshold survive.
    jets = sequence.inclusive_jets(10.0)
    return tuple(np.array([getattr(j, name)() for j in jets]) for name in ("pt", "eta",
                                                                           "phi_std"))


# A lepton above the filter must come from a prompt e/mu, a tau decay or a heavy-flavour
# decay; their parents carry at least the lepton's momentum, so 15 GeV leaves ample margin.
_PREFILTER_IDS = (4, 5, 11, 13, 15)
_PREFILTER_PT = 15.0
# After hadronisation: a 23 GeV lepton needs a true one above 15 GeV (5 sigma of the muon
# resolution below 23 GeV).
_LEPTON_PRECHECK_PT = 15.0


def may_pass_filter(event) -> bool:
    """At parton level (before hadronisation): any e, mu, tau, c or b above 15 GeV?"""
    for index in range(event.size()):
        particle = event[index]
        if (particle.status() > 0 and particle.idAbs() in _PREFILTER_IDS
                and particle.pT() > _PREFILTER_PT):
            return True
    return False


def has_lepton_above(event, pt_min: float) -> bool:
    """Any final-state electron or muon above `pt_min`? (Cheaper than reading every particle.)"""
    for index in range(event.size()):
        particle = event[index]
        if particle.idAbs() in (11, 13) and particle.isFinal() and particle.pT() > pt_min:
            return True
    return False


def build_event(fastjet, event, rng) -> np.ndarray | None:
    """The (19, 4) L1 event, or None when no lepton can pass the filter after smearing."""
    # Skip the costly part for events whose leptons are far below the filter (>5 sigma).
    if not has_lepton_above(event, _LEPTON_PRECHECK_PT):
        return None
    parts = final_particles(event)
    pid = np.abs(parts["pid"])
    in_acceptance = is_visible(parts["pid"]) & (np.abs(parts["eta"]) < 5.0)
    is_e, is_mu = pid == 11, pid == 13
    lepton = (is_e | is_mu) & (parts["pt"] > l1_objects.MUON_CUTS["pt_min"])
    electrons = (l1_objects.smear_leptons(rng, parts["pt"][is_e],
                                          l1_objects.ELECTRON_PT_RESOLUTION),
                 parts["eta"][is_e], parts["phi"][is_e])
    muons = (l1_objects.smear_leptons(rng, parts["pt"][is_mu], l1_objects.MUON_PT_RESOLUTION),
             parts["eta"][is_mu], parts["phi"][is_mu])
    jets = l1_objects.smear_jets(rng, *_jets(fastjet, parts, in_acceptance & ~lepton))
    met = l1_objects.smear_met(rng, -parts["px"][in_acceptance].sum(),
                               -parts["py"][in_acceptance].sum(),
                               parts["pt"][in_acceptance].sum())
    return l1_objects.fill_event(electrons, muons, jets, met)


def generate_l1_worker(quota: dict, seed: int, report) -> dict:
    """Fill `quota` ({source: n}) with filtered events; `report(n)` per accepted event."""
    fastjet = import_fastjet()
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2,)))
    events, source_id, stats = [], [], {}
    for index, (source, wanted) in enumerate(quota.items()):
        if source not in SOURCES:
            raise UserError(f"unknown L1 source {source!r}, expected one of {', '.join(SOURCES)}")
        if wanted <= 0:
            continue
        # Each source gets its own Pythia stream, derived from the worker's seed.
        pythia = make_pythia(settings_for(source), (seed + 7919 * index) % PYTHIA_MAX_SEED + 1)
        generated, accepted = 0, 0
        while accepted < wanted:
            generated += 1
            if generated > 1000 * wanted + 10000:
                raise RuntimeError(f"L1 source {source}: filter efficiency too low")
            if not pythia.next() or not may_pass_filter(pythia.event):
                continue
            if not pythia.forceHadronLevel():
                continue
            built = build_event(fastjet, pythia.event, rng)
            if built is None or not l1_objects.passes_lepton_filter(built):
                continue
            events.append(built)
            source_id.append(index)
            accepted += 1
            report(1)
        stats[source] = {"events": generated, "sigma_mb": pythia.infoPython().sigmaGen()}
    return {"particles": np.array(events, np.float32).reshape(-1, 19, 4),
            "source_id": np.array(source_id, np.int8), "stats": stats}
