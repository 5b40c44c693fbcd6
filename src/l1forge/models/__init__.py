"""Networks built from model cards: the QKeras (QAT) network and its float twin."""

from l1forge.models.layers import build_stack, quantizer_strings
from l1forge.models.network import build_network

__all__ = ["build_network", "build_stack", "quantizer_strings"]
