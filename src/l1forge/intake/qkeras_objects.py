"""QKeras for Keras' deserializers: its layers registered, its quantizer objects revived.

QKeras quantizers come in two styles: strings (`kernel_quantizer="quantized_bits(6,0)"`)
and objects (`kernel_quantizer=quantized_bits(6, 0)`, the style of hls4ml's tutorial).
An object is saved as a nested `{"class_name": "quantized_bits", "config": {...}}`. Most
QKeras layers turn that back into an object themselves, but `QActivation` (and
`QBatchNormalization`'s activation, `QInitializer`'s quantizer) keep whatever they are
given, and a dictionary is not callable: tf.keras 2.14 then refuses the whole model
(`QActivation ... could not be deserialized properly`). `revive_quantizers` walks an
architecture and replaces each saved quantizer by the object it describes, so the layers
receive exactly what they held when the model was saved.
"""

from __future__ import annotations

from typing import Any


def custom_objects() -> dict[str, Any]:
    """Every QKeras layer, quantizer, initializer and constraint, by its saved name."""
    from qkeras.utils import _add_supported_quantized_objects

    objects: dict[str, Any] = {}
    _add_supported_quantized_objects(objects)
    return objects


def quantizer_classes() -> frozenset[str]:
    """Names of the QKeras quantizer classes (quantized_bits, quantized_po2, binary, ...)."""
    import qkeras.quantizers as quantizers

    base = quantizers.BaseQuantizer
    return frozenset(name for name, value in vars(quantizers).items()
                     if isinstance(value, type) and issubclass(value, base) and value is not base)


def _is_saved_quantizer(node: dict, names: frozenset[str]) -> bool:
    return node.get("class_name") in names and isinstance(node.get("config"), dict)


def revive_quantizers(architecture: Any, names: frozenset[str] | None = None) -> Any:
    """A copy of `architecture` (a Keras `to_json()`/config.json tree) with every saved
    QKeras quantizer replaced by the quantizer object it describes."""
    from qkeras.quantizers import get_quantizer

    names = quantizer_classes() if names is None else names
    if isinstance(architecture, dict):
        if _is_saved_quantizer(architecture, names):
            return get_quantizer({"class_name": architecture["class_name"],
                                  "config": architecture["config"]})
        return {key: revive_quantizers(value, names) for key, value in architecture.items()}
    if isinstance(architecture, list):
        return [revive_quantizers(value, names) for value in architecture]
    return architecture
