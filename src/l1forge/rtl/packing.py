"""Element codes <-> the packed bit vectors of the top module's ports, as 32-bit words.

Bit b of a port is bit (b % 32) of word b // 32 (Verilator's layout of wide ports), words
little-endian in the files the test bench reads and writes.
"""

from __future__ import annotations

import numpy as np

from l1forge.rtl.interface import Port, total_width


def words(width: int) -> int:
    return max(1, (width + 31) // 32)


def pack(codes: np.ndarray, ports: list[Port]) -> np.ndarray:
    """(events, elements) int64 codes -> (events, words) uint32 packed ports."""
    events = codes.shape[0]
    width = total_width(ports)
    bits = np.zeros((events, words(width) * 32), dtype=np.uint8)
    for column, port in enumerate(ports):
        if port.width == 0:
            continue
        raw = codes[:, column].astype(np.int64) & ((1 << port.width) - 1)
        shifts = np.arange(port.width, dtype=np.int64)
        bits[:, port.offset:port.offset + port.width] = (raw[:, None] >> shifts) & 1
    packed = np.packbits(bits, axis=1, bitorder="little")
    return packed.view("<u4").reshape(events, -1)


def unpack(packed: np.ndarray, ports: list[Port]) -> np.ndarray:
    """(events, words) uint32 -> (events, elements) int64 codes (0 for width-0 elements)."""
    events = packed.shape[0]
    bits = np.unpackbits(packed.astype("<u4").view(np.uint8).reshape(events, -1), axis=1, bitorder="little")
    codes = np.zeros((events, len(ports)), dtype=np.int64)
    for column, port in enumerate(ports):
        if port.width == 0:
            continue
        field = bits[:, port.offset:port.offset + port.width].astype(np.int64)
        value = (field << np.arange(port.width, dtype=np.int64)).sum(axis=1)
        if port.signed:
            value -= (field[:, -1] << port.width)
        codes[:, column] = value
    return codes


def codes_of(values: np.ndarray, ports: list[Port]) -> np.ndarray:
    """Real values (events, elements) -> codes on each port's grid (exact: checked)."""
    fracs = np.array([p.frac for p in ports], dtype=np.float64)
    scaled = values * 2.0**fracs
    codes = np.round(scaled).astype(np.int64)
    if not np.array_equal(codes, scaled):
        raise ValueError("values off the ports' grids")
    return codes


def values_of(codes: np.ndarray, ports: list[Port]) -> np.ndarray:
    fracs = np.array([p.frac for p in ports], dtype=np.float64)
    return codes.astype(np.float64) * 2.0**-fracs
