"""Turn one event's truth objects into the L1 layout: smeared, quantised, thresholded.

Pure numpy (no generator needed), so the object definitions are testable on their own.
Resolutions are simple, documented stand-ins for L1 trigger objects (not a detector
simulation): they make the objects look measured rather than exact.
"""

from __future__ import annotations

import numpy as np

from l1forge.data.schema import L1_N_COLUMNS, L1_N_OBJECTS, L1_ROWS

# Acceptance and thresholds of the 40 MHz challenge objects.
ELECTRON_CUTS = {"pt_min": 3.0, "abs_eta_max": 3.0}
MUON_CUTS = {"pt_min": 3.0, "abs_eta_max": 2.1}
JET_CUTS = {"pt_min": 15.0, "abs_eta_max": 4.0}
LEPTON_FILTER_PT = 23.0  # at least one electron or muon above this, as in the challenge

# Resolution stand-ins: relative pT resolution of leptons, jets a calorimeter-like
# stochastic (100%/sqrt(pT)) and constant (10%) term, MET components 0.5*sqrt(sum ET).
ELECTRON_PT_RESOLUTION = 0.05
MUON_PT_RESOLUTION = 0.10
JET_STOCHASTIC = 1.0
JET_CONSTANT = 0.10
JET_ANGLE_RESOLUTION = 0.03
MET_SUMET_COEFFICIENT = 0.5

# Quantisation to L1 granularity: 0.5 GeV in pT, the calorimeter trigger-tower half width
# in eta (0.087/2) and 2*pi/144 in phi.
PT_LSB = 0.5
ETA_LSB = 0.0435
PHI_LSB = 2.0 * np.pi / 144.0


def quantise(pt, eta, phi):
    pt = np.round(np.asarray(pt) / PT_LSB) * PT_LSB
    eta = np.round(np.asarray(eta) / ETA_LSB) * ETA_LSB
    phi = np.round(np.asarray(phi) / PHI_LSB) * PHI_LSB
    # Rounding can push phi past +-pi by half a step; keep it in [-pi, pi].
    phi = np.where(phi > np.pi, phi - 2 * np.pi, np.where(phi < -np.pi, phi + 2 * np.pi, phi))
    return pt, eta, phi


def smear_leptons(rng, pt, resolution: float):
    return np.maximum(pt * (1.0 + resolution * rng.standard_normal(len(pt))), 0.0)


def smear_jets(rng, pt, eta, phi):
    sigma = np.sqrt(JET_STOCHASTIC**2 / np.maximum(pt, 1e-3) + JET_CONSTANT**2)
    pt = np.maximum(pt * (1.0 + sigma * rng.standard_normal(len(pt))), 0.0)
    eta = eta + JET_ANGLE_RESOLUTION * rng.standard_normal(len(eta))
    phi = phi + JET_ANGLE_RESOLUTION * rng.standard_normal(len(phi))
    return pt, eta, np.arctan2(np.sin(phi), np.cos(phi))


def smear_met(rng, met_x, met_y, sum_et):
    sigma = MET_SUMET_COEFFICIENT * np.sqrt(max(sum_et, 0.0))
    return met_x + sigma * rng.standard_normal(), met_y + sigma * rng.standard_normal()


def _select(pt, eta, phi, cuts: dict, n_max: int):
    pt, eta, phi = quantise(pt, eta, phi)
    keep = (pt > cuts["pt_min"]) & (np.abs(eta) < cuts["abs_eta_max"])
    order = np.argsort(-pt[keep], kind="stable")[:n_max]
    return pt[keep][order], eta[keep][order], phi[keep][order]


def fill_event(electrons: tuple, muons: tuple, jets: tuple, met_xy: tuple) -> np.ndarray:
    """One (19, 4) event from measured (pt, eta, phi) arrays per type and MET (x, y).

    Objects are quantised, cut at the challenge thresholds, pT-ordered within their type
    and zero-padded; the MET row always carries class id 1 (eta = 0).
    """
    event = np.zeros((L1_N_OBJECTS, L1_N_COLUMNS), dtype=np.float32)
    met_pt, _, met_phi = quantise(np.hypot(*met_xy), 0.0, np.arctan2(met_xy[1], met_xy[0]))
    event[0] = (met_pt, 0.0, met_phi, L1_ROWS["met"][2])
    for kind, arrays, cuts in (("electron", electrons, ELECTRON_CUTS),
                               ("muon", muons, MUON_CUTS), ("jet", jets, JET_CUTS)):
        first, n_rows, class_id = L1_ROWS[kind]
        pt, eta, phi = _select(*arrays, cuts, n_rows)
        rows = slice(first, first + len(pt))
        event[rows, 0], event[rows, 1], event[rows, 2] = pt, eta, phi
        event[rows, 3] = class_id
    return event


def passes_lepton_filter(event: np.ndarray) -> bool:
    first_e, n_e, _ = L1_ROWS["electron"]
    first_mu, n_mu, _ = L1_ROWS["muon"]
    leptons = np.concatenate([event[first_e:first_e + n_e, 0], event[first_mu:first_mu + n_mu, 0]])
    return bool(np.any(leptons > LEPTON_FILTER_PT))


def definitions() -> dict:
    """The object definitions, stored in each file's provenance."""
    return {
        "electron": dict(ELECTRON_CUTS, pt_resolution=ELECTRON_PT_RESOLUTION),
        "muon": dict(MUON_CUTS, pt_resolution=MUON_PT_RESOLUTION),
        "jet": dict(JET_CUTS, algorithm="anti-kT R=0.4 on visible final-state particles "
                    "|eta|<5 minus the e/mu candidates", stochastic=JET_STOCHASTIC,
                    constant=JET_CONSTANT, angle_resolution=JET_ANGLE_RESOLUTION),
        "met": {"definition": "minus the vector pT sum of visible final-state particles "
                "|eta|<5", "sigma_xy": f"{MET_SUMET_COEFFICIENT}*sqrt(sum ET)"},
        "quantisation": {"pt_gev": PT_LSB, "eta": ETA_LSB, "phi": PHI_LSB},
        "lepton_filter": f"at least one electron or muon with pT > {LEPTON_FILTER_PT} GeV",
        "isolation": "none (L1-like candidates)",
    }
