"""A multiplier binding written into an hls4ml project's firmware sources.

Besides the build script's `config_op mul -impl dsp|fabric` (project.tcl_multiplier_impl),
a project can bind its products in the C++ itself: a modified kernel header with
`#pragma HLS bind_op variable=mult op=mul impl=fabric` (Vitis HLS) or `#pragma HLS RESOURCE
variable=mult core=Mul_LUT` (Vivado HLS; `core=DSP48` for DSPs). A pragma on the variable
overrides the tool-wide `config_op`, so where the firmware has one it wins over the Tcl.
hls4ml's own templates carry none on multiplies (only `core=ROM_nP_BRAM` on weights), so a
match is the project author's choice. Sources with both bindings are not modelled: the
estimate keeps the tools' own choice and says so.
"""

from __future__ import annotations

import re
from pathlib import Path

BIND_OP_MUL = re.compile(r"#pragma\s+HLS\s+bind_op\b(?=[^\n]*\bop\s*=\s*mul\b)[^\n]*?\bimpl\s*=\s*(\w+)",
                         re.IGNORECASE)
RESOURCE_CORE = re.compile(r"#pragma\s+HLS\s+RESOURCE\b[^\n]*?\bcore\s*=\s*(\w+)", re.IGNORECASE)
SOURCES = ("*.h", "*.hpp", "*.cpp", "*.cc")


def _impl(pragma_impl: str) -> str | None:
    name = pragma_impl.lower()
    if name == "fabric" or name == "mul_lut":
        return "fabric"
    if name == "dsp" or name.startswith("dsp48"):
        return "dsp"
    return None


def source_bindings(text: str) -> set[str]:
    """The bindings ('dsp', 'fabric') a source's pragmas force on multiplies."""
    found = {_impl(m.group(1)) for m in BIND_OP_MUL.finditer(text)}
    found |= {_impl(m.group(1)) for m in RESOURCE_CORE.finditer(text)}
    return {impl for impl in found if impl}


def firmware_multiplier_impl(folder: Path) -> tuple[str | None, list[str]]:
    """(binding, warnings naming the file that sets it) from the sources under `folder`/firmware."""
    firmware = Path(folder) / "firmware"
    if not firmware.is_dir():
        return None, []
    seen: dict[str, str] = {}
    for pattern in SOURCES:
        for source in sorted(firmware.rglob(pattern)):
            try:
                text = source.read_text(errors="replace")
            except OSError:
                continue
            for impl in source_bindings(text):
                seen.setdefault(impl, str(source.relative_to(folder)))
    if not seen:
        return None, []
    if len(seen) > 1:
        return None, [f"{' and '.join(sorted(seen.values()))}: pragmas bind multiplies to both DSP and fabric; "
                      "not modelled, estimated with the tools' own binding"]
    (impl, where), = seen.items()
    return impl, [f"{where}: a pragma binds the multiplies to {impl}; estimated so"]
