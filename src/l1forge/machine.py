"""What the machine is, for the manifest: TensorFlow's CPU kernels (oneDNN) pick their code
path from the processor's vector extensions at run time, so trained weights can differ
between CPU types even with the same seeds and op determinism."""

from __future__ import annotations

import os
import platform
from pathlib import Path

# The extensions oneDNN and Eigen dispatch on (x86); others are left out of the manifest.
VECTOR_EXTENSIONS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl",
                     "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8")
CPUINFO = Path("/proc/cpuinfo")


def cpu_description(cpuinfo: str | None = None) -> dict[str, str]:
    """{"cpu": model name, "cpu_vector_extensions": "avx avx2 ...", "onednn_opts": ...}."""
    if cpuinfo is None:
        cpuinfo = CPUINFO.read_text() if CPUINFO.is_file() else ""
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    flags = set(fields.get("flags", "").split())
    return {
        "cpu": fields.get("model name") or platform.processor() or platform.machine(),
        "cpu_vector_extensions": " ".join(e for e in VECTOR_EXTENSIONS if e in flags) or "unknown",
        # TensorFlow's switch between oneDNN and Eigen kernels (its default: on), and
        # oneDNN's cap on the instruction set it dispatches to (its default: the CPU's best)
        "tf_enable_onednn_opts": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"),
        "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", "default"),
    }
