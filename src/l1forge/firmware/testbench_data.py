"""Test-bench data for the vendor flow (`csim_design` in Vivado/Vitis HLS).

hls4ml's own test bench reads `tb_data/tb_input_features.dat` and
`tb_data/tb_output_predictions.dat` (one event per line, space separated). l1forge writes
the quantized inputs and the C-simulation outputs there, so a firmware engineer's vendor
C-simulation runs on the same events l1forge verified.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_vendor_testbench_data(project_dir: Path, inputs: np.ndarray, outputs: np.ndarray) -> None:
    folder = Path(project_dir) / "tb_data"
    folder.mkdir(exist_ok=True)
    for name, values in (("tb_input_features.dat", inputs), ("tb_output_predictions.dat", outputs)):
        rows = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
        # repr-precision floats: the quantized values are exact in decimal with 17 digits.
        np.savetxt(folder / name, rows, fmt="%.17g", delimiter=" ")
