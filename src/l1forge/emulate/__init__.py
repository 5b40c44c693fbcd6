"""Bit-accurate, vectorized emulation of hls4ml firmware (io_parallel and io_stream).

    from l1forge import emulate
    em = emulate.load("hls_projects/jet_id")   # or emulate.from_graph(model_graph)
    scores = em.predict(x)                      # x: firmware inputs, float, (events, features)
    layers = em.trace(x)                        # every layer's output

See graph.py for the supported layers and signals.py for how exactness is kept.
"""

from l1forge.emulate.emulator import Emulator
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.graph import from_graph
from l1forge.emulate.overflow import OverflowTally
from l1forge.emulate.project import load

__all__ = ["Emulator", "FixedType", "OverflowTally", "from_graph", "load"]
