"""What the firmware stage needs to know besides the trained Keras model: the target and the
firmware's input type. A card build, a scan point and `l1forge compile` each make one of
these at their edge; nothing in the firmware stage reads a card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from l1forge.emulate.fixed import FixedType, parse_cpp_type

BACKENDS = ("Vitis", "Vivado")
IO_TYPES = ("io_parallel", "io_stream")
STRATEGIES = ("Latency", "Resource", "distributed_arithmetic")
MULTIPLIER_IMPLS = ("dsp", "fabric")


def input_fixed_type(bits: int, integer: int) -> FixedType:
    """The firmware input: ap_fixed<bits, integer> rounding to nearest and saturating, so a
    feature beyond the range saturates instead of wrapping to the opposite sign."""
    return FixedType(bits, integer, True, "RND", "SAT")


_MODE = re.compile(r"(?<=,)\s*(TRN_ZERO|TRN|RND_ZERO|RND_MIN_INF|RND_INF|RND_CONV|RND|WRAP|SAT_ZERO|SAT_SYM|SAT)\b")


def parse_config_type(text: str) -> FixedType:
    """A type as an hls4ml config spells it (`fixed<16,6>`, `ufixed<8,0,RND,SAT>`,
    `ap_fixed<...>`, `int<8>`) as a FixedType; UserError for anything else."""
    text = str(text).strip()
    if not text.startswith("ap_"):
        text = "ap_" + text
    return parse_cpp_type(_MODE.sub(lambda m: "AP_" + m.group(1), text))


@dataclass(frozen=True)
class FirmwareSpec:
    """One firmware target: the project (C identifier), the part and clock, the hls4ml
    backend, I/O type, strategy and reuse factor, and the input type."""

    name: str
    input_type: FixedType
    backend: str = "Vitis"
    part: str = "xcvu13p-flga2577-2-e"
    clock_ns: float = 5.0
    io_type: str = "io_parallel"
    strategy: str = "Latency"
    reuse_factor: int = 1
    latency_budget_ns: float | None = 1000.0
    softmax_table_size: int = 4096
    # A multiplier binding forced by the vendor build script (`config_op mul -impl ...`):
    # something an hls4ml config cannot say, read by the estimate.
    multiplier_impl: str | None = None
    # The clock uncertainty HLS schedules with ("12.5%" or ns), given to hls4ml (its
    # ClockUncertainty); None: hls4ml's backend default (Vitis 27%, Vivado 12.5%).
    clock_uncertainty: str | None = None
    # hls4ml HLSConfig entries given by the user (`l1forge compile` of an hls4ml YAML, or
    # --precision as-given): applied over hls4ml's defaults instead of l1forge's passes.
    given_config: dict[str, Any] | None = field(default=None, compare=False)
    # dotted HLSConfig keys set last, over the passes' or the given choices (a precision scan:
    # {"Model.Precision": "ap_fixed<12,4>", "LayerName.fc1.ReuseFactor": 4})
    config_overrides: tuple[tuple[str, Any], ...] = ()

    def target_dict(self) -> dict[str, Any]:
        """The manifest's `target` section."""
        content = {"backend": self.backend, "part": self.part, "clock_ns": self.clock_ns,
                   "io_type": self.io_type, "strategy": self.strategy,
                   "reuse_factor": self.reuse_factor, "latency_budget_ns": self.latency_budget_ns}
        if self.multiplier_impl:
            content["multiplier_impl"] = self.multiplier_impl
        if self.clock_uncertainty is not None:
            content["clock_uncertainty"] = self.clock_uncertainty
        return content
