"""One point of a scan: the card with the point's overrides, QAT training, hls4ml conversion,
the estimate, and the bit-exact emulator over the whole test split (optionally the
C-simulation too). A pure function of (the scan's card file, its --set overrides, the
point's overrides); trained models are shared between points through the scan's
trained/ store (keyed by the hash of the training sections, as for `l1forge build`), so
points that differ only in the firmware target train once.

The result is written atomically to DIR/points/<id>.json by the worker itself (workers
share the scan folder: a shared file system for a remote cluster).
"""

from __future__ import annotations

import json
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from l1forge.atomic import write_text_atomic
from l1forge.errors import UserError

ESTIMATE_KEYS = ("latency_cycles", "latency_ns", "ii", "dsp", "lut", "ff", "bram_18k")
CARD_FILE = "card.yaml"
POINTS = "points"
TRAINED = "trained"


def point_file(scan_dir: Path, point_id: str) -> Path:
    return Path(scan_dir) / POINTS / f"{point_id}.json"


def run_point(scan_dir: str, base_overrides: dict, overrides: dict, point_id: str,
              csim: bool = False) -> dict[str, Any]:
    """Evaluate one point and write its result file; returns the result (never raises for
    a design the tools refuse: that is a failed point with its one-line error)."""
    import warnings

    # Keras' HDF5 and QKeras serialization warnings say nothing to a scan's user
    warnings.filterwarnings("ignore", category=UserWarning, module=r"keras(\.|$)")
    start = time.perf_counter()
    try:
        result = {"overrides": overrides, "status": "done",
                  **evaluate(Path(scan_dir), {**base_overrides, **overrides}, csim)}
    except UserError as err:
        result = {"overrides": overrides, "status": "failed", "error": str(err)}
    except Exception as err:  # noqa: BLE001 - hls4ml and TensorFlow raise anything; keep going
        where = traceback.extract_tb(err.__traceback__)[-1]
        result = {"overrides": overrides, "status": "failed",
                  "error": f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''} "
                           f"({Path(where.filename).name}:{where.lineno})"}
    result["seconds"] = round(time.perf_counter() - start, 2)
    write_text_atomic(point_file(Path(scan_dir), point_id), json.dumps(result, indent=1) + "\n")
    return result


def evaluate(scan_dir: Path, overrides: dict, csim: bool) -> dict[str, Any]:
    from l1forge import emulate, firmware, report
    from l1forge.card import load_card
    from l1forge.report.project import target_from_card
    from l1forge.tasks import task_for
    from l1forge.train import load_trained, train

    card = load_card(scan_dir / CARD_FILE, overrides)
    task = task_for(card)
    trained = load_trained(card, scan_dir / TRAINED) or train(card, scan_dir / TRAINED, log=_quiet)
    fw_model = task.firmware_model(card, trained.qat_model())
    x, y = trained.test_split()
    with tempfile.TemporaryDirectory(prefix=f".{card.name}-", dir=scan_dir) as tmp:
        folder = Path(tmp) / card.name
        folder.mkdir()
        graph = firmware.convert(card, fw_model, folder, task.config_passes(card))
        figures = report.make_report(folder, graph=graph, target=target_from_card(card, folder))
        firmware_outputs = np.asarray(emulate.from_graph(graph).predict(x), dtype=np.float64)
        qat_outputs = np.asarray(fw_model.predict(x, batch_size=8192, verbose=0), dtype=np.float64)
        checked = _csim(graph, folder, x, firmware_outputs) if csim else None
    metrics = {**trained.metrics,
               **task.firmware_metrics(card, y, trained.info, firmware_outputs, qat_outputs),
               **task.scan_objective(card, y, trained.info, firmware_outputs, qat_outputs)}
    result = {**_plain(metrics), "estimate": {k: figures["estimate"][k] for k in ESTIMATE_KEYS}}
    if checked is not None:
        result["csim"] = checked
    return result


def _csim(graph, folder: Path, x: np.ndarray, emulated: np.ndarray) -> dict[str, Any]:
    """C-simulate the point's firmware over the test split: against hls4ml's predict, and
    the emulator's outputs against the C-simulation."""
    from l1forge import csim, firmware

    firmware.compile_graph(graph)
    csim.build_testbench(graph, folder)
    verification = csim.verify(graph, folder, x)
    emulator = csim.compare(emulated.reshape(len(x), -1), verification.outputs)
    return {"events": int(len(x)), "mismatches": verification.comparison.mismatches,
            "emulator_mismatches": emulator.mismatches}


def _plain(metrics: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(metrics, default=lambda v: v.item() if hasattr(v, "item") else str(v)))


def _quiet(message: str) -> None:
    pass
