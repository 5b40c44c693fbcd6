"""Boosted-jet generation with Pythia 8 and FastJet: g, q, W, Z and top jets near 1 TeV.

One worker fills a quota of jets per class. Each class comes from its own hard process
(settings in JET_PROCESSES); a jet is labelled by truth matching to the hard-process
record, then groomed with mMDT and described by the 16 features of jet_substructure, and
its N hardest constituents are kept as jet_constituents describes them.
"""

from __future__ import annotations

import numpy as np

from l1forge.data.jet_constituents import DEFAULT_CONSTITUENTS, constituent_table
from l1forge.data.jet_substructure import MAX_TRIPLET_CONSTITUENTS, jet_features
from l1forge.data.pythia_events import final_particles, import_fastjet, is_visible, make_pythia
from l1forge.data.schema import CONSTITUENT_FEATURES

JET_R = 0.8
JET_PT_RANGE = (800.0, 1200.0)  # GeV, window around the 1 TeV hard scale
JET_ABS_ETA_MAX = 2.0
MMDT_ZCUT = 0.1  # modified mass-drop tagger = soft drop with beta = 0
MATCH_DR = 0.4  # jet axis to the truth parton / boson
CONTAIN_DR = 0.8  # every decay quark of W, Z or top inside the jet

_PT_HAT = ("PhaseSpace:pTHatMin = 950.", "PhaseSpace:pTHatMax = 1100.")
_HADRONIC_W = ("24:onMode = off", "24:onIfAny = 1 2 3 4 5")
_HADRONIC_Z = ("23:onMode = off", "23:onIfAny = 1 2 3 4 5", "WeakZ0:gmZmode = 2")

# Hard process per source, and the classes it can fill.
JET_PROCESSES = {
    "qcd": (("HardQCD:all = on",) + _PT_HAT, ("g", "q")),
    "w": (("WeakBosonAndParton:qqbar2Wg = on", "WeakBosonAndParton:qg2Wq = on")
          + _PT_HAT + _HADRONIC_W, ("w",)),
    "z": (("WeakBosonAndParton:qqbar2gmZg = on", "WeakBosonAndParton:qg2gmZq = on")
          + _PT_HAT + _HADRONIC_Z, ("z",)),
    "t": (("Top:gg2ttbar = on", "Top:qqbar2ttbar = on") + _PT_HAT + _HADRONIC_W, ("t",)),
}
_RESONANCE_LABEL = {24: "w", 23: "z", 6: "t"}
_LIGHT_QUARKS = (1, 2, 3)
_CONSTITUENT_KEYS = ("pt", "e", "eta", "phi", "pid", "charge")


def settings_for(source: str, mpi: bool) -> tuple:
    settings, _ = JET_PROCESSES[source]
    return settings + (f"PartonLevel:MPI = {'on' if mpi else 'off'}",)


def _delta_r(eta1, phi1, eta2, phi2):
    dphi = np.abs(phi1 - phi2)
    dphi = np.where(dphi > np.pi, 2 * np.pi - dphi, dphi)
    return np.hypot(eta1 - eta2, dphi)


def _decay_quarks(process, index: int) -> list:
    """(eta, phi) of the quarks a hard-process resonance finally decays to."""
    out = []
    for child in process[index].daughterList():
        particle = process[child]
        if particle.idAbs() in _RESONANCE_LABEL:
            out.extend(_decay_quarks(process, child))
        elif particle.isQuark():
            out.append((particle.eta(), particle.phi()))
    return out


def truth_objects(process, source: str) -> list:
    """(label, eta, phi, decay quarks) for each taggable object of the hard process.

    QCD: outgoing partons (status 23) that are gluons or light quarks (c, b dropped, as the
    q class means light quarks). W/Z/top: the resonance with its decay quarks.
    """
    objects = []
    for index in range(process.size()):
        particle = process[index]
        if source == "qcd":
            if particle.status() != 23:
                continue
            if particle.id() == 21:
                objects.append(("g", particle.eta(), particle.phi(), []))
            elif particle.idAbs() in _LIGHT_QUARKS:
                objects.append(("q", particle.eta(), particle.phi(), []))
        else:
            label = _RESONANCE_LABEL.get(particle.idAbs())
            # Take the resonance only at its decay (last copy), for the source's own class.
            if label == source and process[particle.daughter1()].idAbs() != particle.idAbs():
                objects.append((label, particle.eta(), particle.phi(),
                                _decay_quarks(process, index)))
    return objects


def mmdt_groom(fastjet, constituents: list):
    """mMDT: recluster with C/A, drop the softer branch while z < zcut.

    Returns the groomed constituents' (pt, rap, phi), its C/A subjets when it has more than
    MAX_TRIPLET_CONSTITUENTS constituents (else None), its mass, and the cluster sequence
    (kept alive by the caller while the jets are used).
    """
    sequence = fastjet.ClusterSequence(list(constituents),
                                       fastjet.JetDefinition(fastjet.cambridge_algorithm, 1.5))
    jet = fastjet.sorted_by_pt(sequence.inclusive_jets())[0]
    while True:
        a, b = fastjet.PseudoJet(), fastjet.PseudoJet()
        if not jet.has_parents(a, b):
            break
        if min(a.pt(), b.pt()) / (a.pt() + b.pt()) > MMDT_ZCUT:
            break
        jet = a if a.pt() > b.pt() else b
    groomed = _pt_rap_phi(jet.constituents())
    reduced = None
    if len(groomed[0]) > MAX_TRIPLET_CONSTITUENTS:
        # Undo the last C/A merges: the 90 subjets keep all but the closest-angle structure.
        reduced = _pt_rap_phi(jet.exclusive_subjets_up_to(MAX_TRIPLET_CONSTITUENTS))
    return groomed, reduced, jet.m(), sequence


def _pt_rap_phi(pseudojets) -> tuple:
    return tuple(np.array([getattr(p, name)() for p in pseudojets])
                 for name in ("pt", "rap", "phi_std"))


def _jet_features(fastjet, jet) -> np.ndarray:
    constituents = jet.constituents()
    full_pt = np.array([p.pt() for p in constituents])
    groomed, reduced, mass, _sequence = mmdt_groom(fastjet, constituents)
    return jet_features(full_pt, groomed, mass, reduced)


def _constituents(jet, visible: dict, count: int) -> np.ndarray:
    """The jet's `count` hardest constituents (jet_constituents), found by user index."""
    index = np.array([c.user_index() for c in jet.constituents()], np.int64)
    axis = {"pt": jet.pt(), "e": jet.e(), "eta": jet.eta(), "phi": jet.phi_std()}
    return constituent_table(axis, {k: visible[k][index] for k in _CONSTITUENT_KEYS}, count)


def labelled_jets(fastjet, event, process, source: str, constituents: int) -> list:
    """(label, features, constituents) for each selected jet that matches a truth object."""
    parts = final_particles(event)
    keep = is_visible(parts["pid"]) & (np.abs(parts["eta"]) < 5.0)
    visible = {k: v[keep] for k, v in parts.items()}
    pseudojets = []
    for index, row in enumerate(np.column_stack([visible[k] for k in ("px", "py", "pz", "e")])
                                .tolist()):
        pseudojet = fastjet.PseudoJet(*row)
        pseudojet.set_user_index(index)  # back to the particle's pid and charge
        pseudojets.append(pseudojet)
    sequence = fastjet.ClusterSequence(pseudojets,
                                       fastjet.JetDefinition(fastjet.antikt_algorithm, JET_R))
    jets = [j for j in fastjet.sorted_by_pt(sequence.inclusive_jets(JET_PT_RANGE[0]))
            if j.pt() < JET_PT_RANGE[1] and abs(j.eta()) < JET_ABS_ETA_MAX]
    out, used = [], set()
    for label, eta, phi, quarks in truth_objects(process, source):
        for index, jet in enumerate(jets):
            if index in used or _delta_r(jet.eta(), jet.phi_std(), eta, phi) > MATCH_DR:
                continue
            if all(_delta_r(jet.eta(), jet.phi_std(), qe, qp) < CONTAIN_DR for qe, qp in quarks):
                used.add(index)
                out.append((label, _jet_features(fastjet, jet),
                            _constituents(jet, visible, constituents)))
            break
    return out


def generate_jets_worker(quota: dict, seed: int, mpi: bool, report,
                         constituents: int = DEFAULT_CONSTITUENTS) -> dict:
    """Fill `quota` ({class: n}) with jets; `report(n)` is called as jets are accepted."""
    fastjet = import_fastjet()
    from l1forge.data.schema import JET_CLASSES

    features, labels, tables, stats = [], [], [], {}
    remaining = dict(quota)
    for source, (_, classes) in JET_PROCESSES.items():
        if not any(remaining.get(c, 0) > 0 for c in classes):
            continue
        pythia = make_pythia(settings_for(source, mpi), seed)
        events = 0
        max_events = 50 * sum(remaining[c] for c in classes) + 1000
        while any(remaining[c] > 0 for c in classes):
            if events >= max_events:
                raise RuntimeError(f"jet source {source}: too few jets after {events} events")
            events += 1
            if not pythia.next():
                continue
            for label, row, table in labelled_jets(fastjet, pythia.event, pythia.process,
                                                   source, constituents):
                if remaining[label] > 0:
                    remaining[label] -= 1
                    features.append(row)
                    tables.append(table)
                    labels.append(JET_CLASSES.index(label))
                    report(1)
        stats[source] = {"events": events, "sigma_mb": pythia.infoPython().sigmaGen()}
    return {"features": np.array(features, np.float32).reshape(-1, 16),
            "labels": np.array(labels, np.int64), "stats": stats,
            "constituents": np.array(tables, np.float32).reshape(
                -1, constituents, len(CONSTITUENT_FEATURES))}
