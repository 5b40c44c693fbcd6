"""Thin helpers around a Pythia 8 generator: configure, seed, and read final particles.

Only the generation modules import this, and only inside a worker, so `l1forge.data` works
without the `generate` extra (pythia8mc, fastjet).
"""

from __future__ import annotations

import importlib

import numpy as np

from l1forge.errors import UserError

# Settings common to every l1forge sample: 13 TeV pp, quiet output.
COMMON_SETTINGS = (
    "Beams:eCM = 13000.",
    "Print:quiet = on",
    "Random:setSeed = on",
)
NEUTRINOS = (12, 14, 16)
PYTHIA_MAX_SEED = 900_000_000


def _import_generator(module: str):
    """Import one of the optional extra's modules, or say how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise UserError(
            "generation needs the optional extra 'generate' (pythia8mc, fastjet): "
            "pip install -e '.[generate]'"
        ) from err


def import_pythia():
    return _import_generator("pythia8mc")


def import_fastjet():
    return _import_generator("fastjet")


def make_pythia(settings: tuple, seed: int):
    """An initialised Pythia for `settings`, seeded with `seed` (1..900,000,000)."""
    pythia8mc = import_pythia()
    pythia = pythia8mc.Pythia("", False)
    for line in COMMON_SETTINGS + tuple(settings) + (f"Random:seed = {int(seed)}",):
        if not pythia.readString(line):
            raise RuntimeError(f"Pythia rejected setting {line!r}")
    if not pythia.init():
        raise RuntimeError(f"Pythia failed to initialise with {settings!r}")
    return pythia


def final_particles(event) -> dict:
    """Final-state particles as numpy arrays: px, py, pz, e, pt, eta, phi, rap, pid, charge.

    Neutrinos are kept (flagged by pid) so callers decide what is visible.
    """
    rows = []
    for index in range(event.size()):
        particle = event[index]
        if particle.isFinal():
            rows.append((particle.px(), particle.py(), particle.pz(), particle.e(), particle.id(),
                         particle.charge()))
    arr = np.array(rows, dtype=np.float64).reshape(-1, 6)
    px, py, pz, e = arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]
    pt = np.hypot(px, py)
    p = np.sqrt(px * px + py * py + pz * pz)
    # Guard against exactly collinear beam-axis particles (pt = 0) in eta and rapidity.
    eta = np.arcsinh(np.divide(pz, pt, out=np.full_like(pz, 1e3 * np.sign(pz + 1e-30)),
                               where=pt > 0))
    rap = 0.5 * np.log(np.maximum(e + pz, 1e-12) / np.maximum(e - pz, 1e-12))
    return {
        "px": px, "py": py, "pz": pz, "e": e, "pt": pt, "eta": eta, "rap": rap,
        "phi": np.arctan2(py, px), "pid": arr[:, 4].astype(np.int64), "p": p,
        "charge": arr[:, 5],
    }


def is_visible(pid: np.ndarray) -> np.ndarray:
    return ~np.isin(np.abs(pid), NEUTRINOS)
