"""The 16 jet high-level features, computed in numpy from jet constituents.

Inputs are the constituents of one jet as arrays of pT, rapidity and phi: the full
(ungroomed) anti-kT R=0.8 jet for `zlogz` and `multiplicity`, and the mMDT-groomed jet for
every `*_mmdt` feature. Definitions (energy fractions z_i = pT_i / sum pT, angles
R_ij = sqrt(dy^2 + dphi^2)):

* zlogz          sum_i z_i log z_i over the ungroomed constituents (a measure of how evenly
                 the jet's momentum is shared; more negative for many soft particles).
* multiplicity   number of ungroomed constituents (visible final-state particles).
* mass_mmdt      invariant mass of the groomed jet [GeV].
* Generalised energy correlation functions (Moult, Necib, Thaler, arXiv:1609.07483):
      v_e_n^(b) = sum_{i1<..<in} z_i1..z_in * prod_{m=1..v} min^(m){R_st^b}
  where min^(m) is the m-th smallest of the pairwise angles among the n particles.
  Standard ECFs (Larkoski, Salam, Thaler, arXiv:1305.0007) are the v = n(n-1)/2 case:
      e2^(b) = 1_e_2^(b) = sum_{i<j} z_i z_j R_ij^b
      e3^(b) = 3_e_3^(b) = sum_{i<j<k} z_i z_j z_k (R_ij R_ik R_jk)^b
* c1_bB  = C1^(B) = e2^(B)                     (B = 0 gives (1 - sum z_i^2) / 2)
* c2_bB  = C2^(B) = e3^(B) / e2^(B)^2           (arXiv:1305.0007)
* d2_bB  = D2^(B) = e3^(B) / e2^(B)^3           (Larkoski, Moult, Neill, arXiv:1409.6298)
* d2_a1_bB = D2^(1,B) = 3_e_3^(1) / (1_e_2^(B))^(3/B)   (generalised D2, arXiv:1507.03018);
  for B = 1 it equals D2^(1) by definition, and both columns are kept because the public
  dataset carries both.
* m2_bB  = M2^(B) = 1_e_3^(B) / 1_e_2^(B)       (arXiv:1609.07483)
* n2_bB  = N2^(B) = 2_e_3^(B) / (1_e_2^(B))^2   (arXiv:1609.07483)

These are the observables named in the hls4ml jet dataset (arXiv:1804.06913), written here
from their published definitions.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from l1forge.data.schema import JET_FEATURES

# The min-angle three-point sums (1_e_3, 2_e_3, for M2 and N2) need explicit triplets,
# O(n^3) in time and memory. For a groomed jet of more than 90 constituents they run over
# its 90 C/A subjets instead (the caller's `reduced`: the closest-angle pairs merged first,
# which these collinear-safe sums barely notice; data/README.md gives the measured effect),
# with z still normalised to the whole groomed jet. Every other ECF is exact: e2 by a pair
# sum, e3 by a matrix trace.
MAX_TRIPLET_CONSTITUENTS = 90


def pairwise_angles(rap: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Matrix of R_ij = sqrt(dy^2 + dphi^2), dphi wrapped into [-pi, pi]."""
    dy = rap[:, None] - rap[None, :]
    dphi = np.abs(phi[:, None] - phi[None, :])
    dphi = np.where(dphi > np.pi, 2.0 * np.pi - dphi, dphi)
    return np.sqrt(dy * dy + dphi * dphi)


@lru_cache(maxsize=128)
def _triplets(n: int) -> tuple:
    """Index arrays (i, j, k) of every triplet i < j < k among n particles."""
    a = np.arange(n)
    mask = (a[:, None, None] < a[None, :, None]) & (a[None, :, None] < a[None, None, :])
    i, j, k = (index.astype(np.int32) for index in np.nonzero(mask))
    # Flat indices into the n x n angle matrix: one gather per pair instead of 2-D indexing.
    return i, j, k, i * n + j, i * n + k, j * n + k


def _e2(z: np.ndarray, angles_b: np.ndarray) -> float:
    # sum over i<j of z_i z_j R_ij^b; the diagonal is zero for b > 0 and excluded for b = 0.
    weights = np.outer(z, z) * angles_b
    return float((weights.sum() - np.trace(weights)) / 2.0)


def _e3(z: np.ndarray, angles_b: np.ndarray) -> float:
    # sum_{i<j<k} z_i z_j z_k W_ij W_ik W_jk = trace((diag(z) W)^3) / 6, as W_ii = 0.
    zw = z[:, None] * angles_b
    return float(np.trace(zw @ zw @ zw) / 6.0)


def _min_angle_ecfs(z: np.ndarray, angles: np.ndarray) -> dict:
    """For beta = 1 and 2: (1_e_3, 2_e_3) from explicit triplets i<j<k."""
    # Without a reduced set, a large jet keeps its hardest constituents (a safety net).
    keep = np.argsort(-z, kind="stable")[:MAX_TRIPLET_CONSTITUENTS]
    z, angles = z[keep], angles[np.ix_(keep, keep)]
    i, j, k, ij, ik, jk = _triplets(len(z))
    flat = angles.ravel()
    rij, rik, rjk = flat[ij], flat[ik], flat[jk]
    smallest = np.minimum(np.minimum(rij, rik), rjk)
    largest = np.maximum(np.maximum(rij, rik), rjk)
    two_smallest = smallest * (rij + rik + rjk - smallest - largest)
    zzz = z[i] * z[j] * z[k]
    return {1: (float(np.dot(zzz, smallest)), float(np.dot(zzz, two_smallest))),
            2: (float(np.dot(zzz, smallest**2)), float(np.dot(zzz, two_smallest**2)))}


def _safe_ratio(num: float, den: float) -> float:
    # A groomed jet of one or two particles has e2 or e3 = 0: the ratio is defined as 0.
    return float(num / den) if den > 0.0 else 0.0


def groomed_features(pt: np.ndarray, rap: np.ndarray, phi: np.ndarray,
                     reduced: tuple | None = None) -> dict:
    """The 13 ECF-based `*_mmdt` features of the groomed jet (mass is added by the caller).

    `reduced`: optional (pt, rap, phi) of at most MAX_TRIPLET_CONSTITUENTS subjets of the
    same jet, used for the min-angle three-point sums only.
    """
    z = pt / pt.sum()
    angles = pairwise_angles(rap, phi)
    e2 = {0: _e2(z, np.ones_like(angles)), 1: _e2(z, angles), 2: _e2(z, angles**2)}
    e3 = {1: _e3(z, angles), 2: _e3(z, angles**2)}
    if reduced is None:
        min_angle = _min_angle_ecfs(z, angles)
    else:
        min_angle = _min_angle_ecfs(reduced[0] / pt.sum(), pairwise_angles(*reduced[1:]))
    return {
        "c1_b0_mmdt": e2[0],
        "c1_b1_mmdt": e2[1],
        "c1_b2_mmdt": e2[2],
        "c2_b1_mmdt": _safe_ratio(e3[1], e2[1] ** 2),
        "c2_b2_mmdt": _safe_ratio(e3[2], e2[2] ** 2),
        "d2_b1_mmdt": _safe_ratio(e3[1], e2[1] ** 3),
        "d2_b2_mmdt": _safe_ratio(e3[2], e2[2] ** 3),
        "d2_a1_b1_mmdt": _safe_ratio(e3[1], e2[1] ** 3.0),
        "d2_a1_b2_mmdt": _safe_ratio(e3[1], e2[2] ** 1.5),
        "m2_b1_mmdt": _safe_ratio(min_angle[1][0], e2[1]),
        "m2_b2_mmdt": _safe_ratio(min_angle[2][0], e2[2]),
        "n2_b1_mmdt": _safe_ratio(min_angle[1][1], e2[1] ** 2),
        "n2_b2_mmdt": _safe_ratio(min_angle[2][1], e2[2] ** 2),
    }


def zlogz(pt: np.ndarray) -> float:
    z = pt / pt.sum()
    return float(np.sum(z * np.log(z)))


def jet_features(full_pt: np.ndarray, groomed: tuple, groomed_mass: float,
                 reduced: tuple | None = None) -> np.ndarray:
    """The 16 features in JET_FEATURES order.

    `full_pt`: constituent pT of the ungroomed jet; `groomed`: (pt, rap, phi) arrays of the
    groomed jet's constituents; `groomed_mass`: its invariant mass.
    """
    values = groomed_features(*groomed)
    values["zlogz"] = zlogz(full_pt)
    values["multiplicity"] = float(len(full_pt))
    values["mass_mmdt"] = float(groomed_mass)
    return np.array([values[name] for name in JET_FEATURES], dtype=np.float32)
