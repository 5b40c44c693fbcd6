"""Convert a Keras model again with a few hls4ml configuration changes, for measuring a fix.

The changes are dotted keys under hls4ml's conversion configuration, as the diagnosis
writes them (`HLSConfig.LayerName.fc1.Precision.accum: ap_fixed<24,12>`). Everything else
(backend, part, clock, io type, the rest of HLSConfig) is taken from the graph converted
before. A flow that applies its own passes after conversion passes its own callable.
"""

from __future__ import annotations

import copy
import tempfile

from l1forge.errors import UserError

SETTINGS = {"Backend": "backend", "IOType": "io_type", "Part": "part", "ClockPeriod": "clock_period",
            "ProjectName": "project_name"}


def apply_changes(hls_config: dict, changes: dict) -> dict:
    """A copy of `hls_config` (the HLSConfig dict) with `changes` set."""
    config = copy.deepcopy(hls_config)
    for dotted, value in changes.items():
        path = dotted.split(".")
        if path[0] != "HLSConfig" or len(path) < 2:
            raise UserError(f"configuration change '{dotted}': expected a key under HLSConfig")
        target = config
        for part in path[1:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
    return config


def hls4ml_reconverter(keras_model, graph):
    """A `reconvert(changes) -> ModelGraph` for a graph hls4ml converted from `keras_model`."""
    import hls4ml

    from l1forge.firmware.da4ml_warmup import before_conversion

    settings = graph.config.config

    def reconvert(changes: dict):
        hls_config = apply_changes(settings["HLSConfig"], changes)
        before_conversion(hls_config)
        options = {argument: settings[name] for name, argument in SETTINGS.items() if name in settings}
        with tempfile.TemporaryDirectory(prefix="l1forge-diagnose-") as folder:
            return hls4ml.converters.convert_from_keras_model(keras_model, hls_config=hls_config,
                                                              output_dir=folder, **options)

    return reconvert
