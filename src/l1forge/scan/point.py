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
                  **_evaluate(Path(scan_dir), {**base_overrides, **overrides}, csim)}
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


def _evaluate(scan_dir: Path, overrides: dict, csim: bool) -> dict[str, Any]:
    """A card's point, or a compiled project's (its scan folder names the project)."""
    from l1forge.scan.compiled import PROJECT_FILE, evaluate_compiled

    if (scan_dir / PROJECT_FILE).is_file():
        point = evaluate_compiled(scan_dir, overrides, csim)
        return {**point, "estimate": {k: point["estimate"][k] for k in ESTIMATE_KEYS}}
    return evaluate(scan_dir, overrides, csim)


def evaluate(scan_dir: Path, overrides: dict, csim: bool) -> dict[str, Any]:
    """The point's card through the one flow (l1forge.flow), in a temporary folder: the
    emulator (and with `csim` the C-simulation) over the whole test split."""
    from l1forge import flow
    from l1forge.tasks import load_card
    from l1forge.tasks.flow_jobs import card_job
    from l1forge.tasks.training import load_trained, train

    card = load_card(scan_dir / CARD_FILE, overrides)
    trained = load_trained(card, scan_dir / TRAINED) or train(card, scan_dir / TRAINED, log=_quiet)
    with tempfile.TemporaryDirectory(prefix=f".{card.name}-", dir=scan_dir) as tmp:
        folder = Path(tmp) / card.name
        folder.mkdir()
        events = len(trained.test_split()[0]) if csim else None
        result = flow.run(card_job(card, trained, folder, csim_events=events, final_dir=None,
                                   scan=True, log=_quiet))
    metrics = {**trained.metrics, **result.figures}
    point = {**_plain(metrics), "estimate": {k: result.report["estimate"][k] for k in ESTIMATE_KEYS}}
    if csim:
        verified = result.verified
        point["csim"] = {"events": int(len(verified.firmware_outputs)),
                         "mismatches": verified.csim["mismatches"],
                         "emulator_mismatches": verified.emulator.get("mismatches")}
    return point


def _plain(metrics: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(metrics, default=lambda v: v.item() if hasattr(v, "item") else str(v)))


def _quiet(message: str) -> None:
    pass
