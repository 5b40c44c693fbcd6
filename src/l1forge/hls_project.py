"""Temporary alias of l1forge.firmware.loading while the report stage moves over."""

from l1forge.firmware.loading import *  # noqa: F401,F403
from l1forge.firmware.loading import CONFIG_NAME, load_graph, load_keras_model, model_path, read_config  # noqa: F401
