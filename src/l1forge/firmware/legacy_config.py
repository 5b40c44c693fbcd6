"""hls4ml configurations written by older hls4ml versions, made convertible by this one.

A project someone else made may come from hls4ml 0.x or 1.0, whose config says things the
installed hls4ml refuses outright:
- a `Backend` it no longer has (`Pynq`, the board wrapper of early versions): converted as
  `Vivado`, the HLS backend those versions generated for;
- `ConvImplementation: encoded` / `linebuffer` in lower case (configs of 2022-23): the
  installed hls4ml accepts only `Encoded` and `LineBuffer`, so the spelling is mended;
- `ConvImplementation: Pointwise` (hls4ml 1.0's switch for 1-wide convolutions): the
  installed hls4ml chooses its pointwise kernel for a 1-wide convolution by itself and accepts
  only the line-buffer and encoded implementations here, so the key is dropped. What it
  built is kept: hls4ml 1.0's io_parallel Pointwise kernel
  (`pointwise_conv_1d_latency_cl_split_by_rf`) computes every output position in one call
  (RF slices, each an unrolled kernel pipelined at II = RF), which hls4ml 1.3 builds for
  `ParallelizationFactor` = the output width (one partition, its batched dense). A layer
  named in `LayerName` whose output width is known gets that factor (unless it sets one);
  the Brainz22 L1 jet tagger's vendor report (Vivado HLS 2019.2) shows the 1.0 kernel: its
  two pointwise instances take 1 and 0 cycles for all 10 positions at RF 2.
Each change comes back as one note, for the report's warnings.
"""

from __future__ import annotations

import copy
from typing import Any

CONV_SPELLING = {"linebuffer": "LineBuffer", "encoded": "Encoded"}  # hls4ml 1.3 compares case-sensitively
CONFIG_SECTIONS = ("Model", "LayerType", "LayerName")


def known_backends() -> tuple[str, ...]:
    """The backends the installed hls4ml converts for (lower case)."""
    from hls4ml.backends import get_available_backends

    return tuple(name.lower() for name in get_available_backends())


def convertible_config(config: dict[str, Any], output_widths: dict[str, int] | None = None
                       ) -> tuple[dict[str, Any], list[str]]:
    """(a copy of `config` the installed hls4ml accepts, notes on what was changed);
    `output_widths` maps 1-D convolution layer names to their output widths."""
    config = copy.deepcopy(config)
    notes = []
    backend = config.get("Backend")
    if backend is not None and str(backend).lower() not in known_backends():
        config["Backend"] = "Vivado"
        notes.append(f"Backend '{backend}' is not an hls4ml backend any more; converted as Vivado")
    hls_config = config.get("HLSConfig")
    if isinstance(hls_config, dict):
        for where, entry in _config_entries(hls_config):
            value = entry.get("ConvImplementation")
            spelled = CONV_SPELLING.get(str(value).lower())
            if spelled is not None and value != spelled:
                entry["ConvImplementation"] = spelled
                notes.append(f"{where}: ConvImplementation '{value}' read as '{spelled}' (the spelling "
                             "hls4ml accepts now)")
            elif value is not None and spelled is None:
                del entry["ConvImplementation"]
                note = (f"{where}: ConvImplementation '{value}' is not one hls4ml accepts "
                        "(LineBuffer, Encoded); dropped, a 1-wide convolution gets hls4ml's "
                        "pointwise kernel by itself")
                width = (output_widths or {}).get(where.split(".", 1)[1]) if where.startswith("LayerName.") else None
                if str(value).lower() == "pointwise" and width and "ParallelizationFactor" not in entry:
                    entry["ParallelizationFactor"] = int(width)
                    note += (f", with ParallelizationFactor {int(width)}: every output position in one "
                             "call, as hls4ml 1.0's Pointwise kernel computed them")
                notes.append(note)
    return config, notes


def _config_entries(hls_config: dict[str, Any]):
    """(where, dict) for the model entry and every layer-type and layer-name entry."""
    model = hls_config.get("Model")
    if isinstance(model, dict):
        yield "Model", model
    for section in CONFIG_SECTIONS[1:]:
        entries = hls_config.get(section)
        if isinstance(entries, dict):
            for name, entry in entries.items():
                if isinstance(entry, dict):
                    yield f"{section}.{name}", entry
