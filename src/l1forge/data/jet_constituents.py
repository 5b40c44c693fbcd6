"""A jet's constituents as an L1 tagger sees them: the N hardest, relative to the jet axis.

Per constituent (CONSTITUENT_FEATURES, in this order):
* kinematics relative to the jet: pT/pT_jet, E/E_jet, delta eta and delta phi from the jet
  axis (pseudorapidity; delta phi wrapped into [-pi, pi)) and delta R;
* what Level-1 particle flow knows of the particle: its charge and its PF class (charged
  hadron, electron, muon, neutral hadron, photon) as one-hot flags. L1 PF sees a charge only
  through an L1 track, which needs pT > L1_TRACK_MIN_PT and |eta| < L1_TRACK_MAX_ABS_ETA;
  an untracked charged particle is reconstructed from the calorimeters alone, so an
  electron becomes a photon and a charged hadron or a muon a neutral hadron, of charge 0.
Rows are ordered by pT (hardest first) and zero-padded to N. The kinematics are the
generated particles' (no detector resolution), as for the 16 HLF features.
"""

from __future__ import annotations

import numpy as np

from l1forge.data.schema import CONSTITUENT_FEATURES

DEFAULT_CONSTITUENTS = 32
L1_TRACK_MIN_PT = 2.0  # GeV, the L1 track trigger's threshold (CMS Phase-2)
L1_TRACK_MAX_ABS_ETA = 2.4  # L1 track finding coverage
PF_CLASSES = ("charged_hadron", "electron", "muon", "neutral_hadron", "photon")
_ELECTRON, _MUON, _PHOTON = 11, 13, 22


# Charge of each long-lived particle a jet holds, by |PDG id|, for a positive id; leptons
# (11, 13) flip sign. Everything else that reaches the detector is neutral (photons, K0_L,
# neutrons, Lambda, Xi0, ...).
_POSITIVE_ID_CHARGE = {11: -1, 13: -1, 211: 1, 321: 1, 2212: 1, 3222: 1, 3112: -1, 3312: -1,
                       3334: -1}


def pdg_charge(pid: np.ndarray) -> np.ndarray:
    """Electric charge of particles given by PDG id (for files that store only the id)."""
    pid = np.asarray(pid).astype(np.int64)
    magnitude = np.zeros(pid.shape, np.float64)
    for apid, charge in _POSITIVE_ID_CHARGE.items():
        magnitude[np.abs(pid) == apid] = charge
    return magnitude * np.sign(pid)


def l1_pf_columns(pid: np.ndarray, charge: np.ndarray, pt: np.ndarray,
                  eta: np.ndarray) -> np.ndarray:
    """(..., 6): the charge L1 particle flow sees and its PF class one-hot (PF_CLASSES)."""
    tracked = (pt > L1_TRACK_MIN_PT) & (np.abs(eta) < L1_TRACK_MAX_ABS_ETA)
    charge = np.where(tracked, charge, 0.0)
    classes = np.eye(len(PF_CLASSES))[pf_class(pid, charge, tracked)]
    return np.concatenate([charge[..., None], classes], axis=-1)


def pf_class(pid: np.ndarray, charge: np.ndarray, tracked: np.ndarray) -> np.ndarray:
    """Index into PF_CLASSES for each particle (pid, charge, whether it has an L1 track)."""
    apid = np.abs(pid)
    charged = (charge != 0) & tracked
    return np.select(
        [charged & (apid == _ELECTRON), charged & (apid == _MUON), charged,
         (apid == _PHOTON) | (apid == _ELECTRON)],
        [1, 2, 0, 4], default=3)


def _wrap(dphi: np.ndarray) -> np.ndarray:
    return (dphi + np.pi) % (2 * np.pi) - np.pi


def constituent_table(jet: dict, particles: dict, count: int) -> np.ndarray:
    """(count, F) float32: the `count` hardest of `particles`, zero-padded.

    `jet`: pt, e, eta, phi of the jet axis. `particles`: arrays pt, e, eta, phi, pid, charge
    of the jet's constituents, in any order.
    """
    order = np.argsort(-np.asarray(particles["pt"]), kind="stable")[:count]
    pt, e, eta, phi = (np.asarray(particles[k], np.float64)[order]
                       for k in ("pt", "e", "eta", "phi"))
    pid = np.asarray(particles["pid"])[order]
    charge = np.asarray(particles["charge"], np.float64)[order]
    delta_eta, delta_phi = eta - jet["eta"], _wrap(phi - jet["phi"])
    rows = np.column_stack([pt / jet["pt"], e / jet["e"], delta_eta, delta_phi,
                            np.hypot(delta_eta, delta_phi), l1_pf_columns(pid, charge, pt, eta)])
    out = np.zeros((count, len(CONSTITUENT_FEATURES)), np.float32)
    out[:len(rows)] = rows
    return out
