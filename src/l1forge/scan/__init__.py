"""`l1forge scan`: the accuracy-versus-resources design space of a card, on Dask.

    grid.py     --grid KEY=V1,V2 lists -> the points (product, or a seeded sample of it)
    point.py    one point: train, convert, estimate, emulate the whole test split (a pure
                function of the card file, the point's overrides and its work folder)
    engine.py   the points as Dask tasks (LocalCluster, or a running scheduler), resumable
    pareto.py   the front: objective higher; LUT, DSP, latency lower
    budget.py   --budget lut=5%,dsp=0,latency_ns=50 against the card's part
    outputs.py  scan.json, pareto.png, scan.html
"""

from l1forge.scan.engine import run_scan

__all__ = ["run_scan"]
