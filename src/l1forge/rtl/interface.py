"""rtl/interface.json: how to drive the top module and read it, for other tools.

da4ml packs the elements of `model_inp` and `model_out` one after the other from bit 0,
each in the fewest bits its value range needs (da4ml's minimal k/i/f of the element's
interval): width = sign + integer + fractional bits, value = code * 2^-frac, the code two's
complement when signed. An element whose width is 0 takes no bits: an input the design
never reads, or an output that is always 0. The pipeline registers the inputs at a rising
edge and gives their outputs `latency_cycles` rising edges later; a new input every cycle
(II 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from da4ml.cmvm.types import _minimal_kif


@dataclass(frozen=True)
class Port:
    offset: int
    width: int
    signed: bool
    frac: int

    def as_dict(self) -> dict:
        return {"offset": self.offset, "width": self.width, "signed": self.signed, "frac": self.frac}


def packed_ports(qints) -> list[Port]:
    ports, offset = [], 0
    for qint in qints:
        k, i, f = _minimal_kif(qint)
        width = int(k) + int(i) + int(f)
        if width <= 0:
            ports.append(Port(offset, 0, False, 0))
            continue
        ports.append(Port(offset, width, bool(k), int(f)))
        offset += width
    return ports


def total_width(ports: list[Port]) -> int:
    return sum(p.width for p in ports)


@dataclass(frozen=True)
class Interface:
    top: str
    input_shape: tuple[int, ...]
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]
    outputs_of: str
    latency_cycles: int
    ii: int = 1
    clock_port: str = "clk"
    input_port: str = "model_inp"
    output_port: str = "model_out"

    def as_dict(self) -> dict:
        return {"top": self.top, "clock_port": self.clock_port, "input_port": self.input_port,
                "output_port": self.output_port, "input_shape": list(self.input_shape),
                "inputs": [p.as_dict() for p in self.inputs], "outputs": [p.as_dict() for p in self.outputs],
                "outputs_of": self.outputs_of, "latency_cycles": self.latency_cycles, "ii": self.ii}


def interface_of(pipeline, top: str, input_shape, outputs_of: str) -> Interface:
    """The interface of da4ml's pipelined module (register_layers 1: one register per stage)."""
    return Interface(top, tuple(int(n) for n in input_shape), tuple(packed_ports(pipeline.inp_qint)),
                     tuple(packed_ports(pipeline.out_qint)), outputs_of, len(pipeline.solutions))
