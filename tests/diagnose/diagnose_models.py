"""Converting the test classifier with hls4ml's default types plus planted changes."""

from __future__ import annotations

import copy


def convert(model, **changes):
    """hls4ml's default conversion (config_from_keras_model, granularity="name"), with
    `changes` as {layer: {key: value or {Precision key: value}}}."""
    import hls4ml

    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
    for layer, settings in changes.items():
        for key, value in settings.items():
            target = config["LayerName"][layer]
            if isinstance(value, dict):
                target.setdefault(key, {}).update(copy.deepcopy(value))
            else:
                target[key] = value
    return hls4ml.converters.convert_from_keras_model(model, hls_config=config, output_dir="unused-not-written",
                                                      backend="Vitis", io_type="io_parallel")
