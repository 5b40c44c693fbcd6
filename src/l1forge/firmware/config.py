"""The hls4ml HLSConfig of a card's firmware model: hls4ml's per-layer config, then the
config passes in the order they read here (firmware/passes.py), then the task's own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

from l1forge.firmware.passes import COMMON_PASSES

if TYPE_CHECKING:
    from l1forge.card.schema import Card

ConfigPass = Callable[["Card", Any, dict], None]


def base_config(card: Card, keras_model) -> dict[str, Any]:
    """hls4ml's own per-layer config of `keras_model` (granularity 'name')."""
    import hls4ml

    return hls4ml.utils.config_from_keras_model(
        keras_model, granularity="name", backend=card.target.backend,
        default_reuse_factor=card.target.reuse_factor,
    )


def hls_config(card: Card, keras_model, task_passes: Iterable[ConfigPass] = ()) -> dict[str, Any]:
    """The HLSConfig l1forge converts `keras_model` with."""
    config = base_config(card, keras_model)
    for config_pass in (*COMMON_PASSES, *task_passes):
        config_pass(card, keras_model, config)
    return config
