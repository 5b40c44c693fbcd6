"""Vendor-free RTL for distributed-arithmetic designs: da4ml Verilog traced from the
ModelGraph through the emulator's semantics, proven bit for bit in Verilator, with yosys
netlist figures (flow.py reads top to bottom)."""

from l1forge.rtl.flow import RtlResult, write_rtl

__all__ = ["RtlResult", "write_rtl"]
