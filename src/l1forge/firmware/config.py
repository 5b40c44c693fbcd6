"""The hls4ml HLSConfig of a firmware model: hls4ml's per-layer config, then the config
passes in the order they read here (firmware/passes.py), then the family's own. A config
given by the user (`l1forge compile --precision as-given`) replaces the passes' choices."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Callable, Iterable

from l1forge.firmware.passes import COMMON_PASSES

if TYPE_CHECKING:
    from l1forge.firmware.spec import FirmwareSpec

ConfigPass = Callable[["FirmwareSpec", Any, dict], None]


def base_config(spec: FirmwareSpec, keras_model) -> dict[str, Any]:
    """hls4ml's own per-layer config of `keras_model` (granularity 'name')."""
    import hls4ml

    return hls4ml.utils.config_from_keras_model(
        keras_model, granularity="name", backend=spec.backend,
        default_reuse_factor=spec.reuse_factor,
    )


def hls_config(spec: FirmwareSpec, keras_model, task_passes: Iterable[ConfigPass] = ()) -> dict[str, Any]:
    """The HLSConfig l1forge converts `keras_model` with: the user's own config when the spec
    carries one, else hls4ml's defaults through l1forge's passes."""
    if spec.given_config is not None:
        config = copy.deepcopy(spec.given_config)
    else:
        config = base_config(spec, keras_model)
        for config_pass in (*COMMON_PASSES, *task_passes):
            config_pass(spec, keras_model, config)
    for key, value in spec.config_overrides:
        set_dotted(config, key, value)
    return config


def set_dotted(config: dict[str, Any], key: str, value: Any) -> None:
    """`config["LayerName"]["fc1"]["ReuseFactor"] = value` for key `"LayerName.fc1.ReuseFactor"`."""
    node, parts = config, key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            from l1forge.errors import UserError

            raise UserError(f"hls.{key}: '{part}' is a value in the hls4ml configuration, not a section")
    node[parts[-1]] = value
