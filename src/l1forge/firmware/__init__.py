"""The firmware stage: hls4ml configuration passes, conversion, compilation, project loading.

    config.py          the HLSConfig: hls4ml's per-layer config, then the passes in order
    passes.py          one function per concern (input type, softmax, tables, batch norm, ...)
    convert.py         ModelGraph from the Keras model; compile; hls4ml_config.yml relocation
    loading.py         the ModelGraph of any hls4ml project folder on disk
    testbench_data.py  test-bench data for the vendor's own C-simulation
"""

from l1forge.firmware.config import hls_config
from l1forge.firmware.convert import compile_graph, convert, relocate_config, require_compiler
from l1forge.firmware.loading import load_graph, load_keras_model, model_path, read_config

__all__ = ["compile_graph", "convert", "hls_config", "load_graph", "load_keras_model",
           "model_path", "read_config", "relocate_config", "require_compiler"]
