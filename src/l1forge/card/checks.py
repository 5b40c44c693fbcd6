"""Semantic checks of a card after its types are right: ranges, names, layer stacks."""

from __future__ import annotations

import difflib
import importlib.util
from dataclasses import replace
from typing import Iterable

from l1forge.card.schema import (BACKENDS, IDENTIFIER, IO_TYPES, MULTIPLIER_IMPLS,
                                 QAT_INITS, STRATEGIES, Card)
from l1forge.errors import UserError

BUNCH_CROSSING_HZ = 40e6
CPP_KEYWORDS = frozenset(
    "alignas alignof and asm auto bool break case catch char class const constexpr continue "
    "default delete do double else enum explicit export extern false float for friend goto if "
    "inline int long mutable namespace new noexcept not nullptr operator or private protected "
    "public register return short signed sizeof static struct switch template this throw true "
    "try typedef typeid typename union unsigned using virtual void volatile while xor".split()
)


def check_card(card: Card, task_names: Iterable[str]) -> None:
    """The checks every card passes, whatever its task (the task adds its own after)."""
    src = card.source
    check_identifier(src, "name", card.name)
    one_of(src, "task", card.task, tuple(task_names))
    _check_quantization(card)
    _check_training(card)
    _check_target(card)
    _check_rtl(card)
    _check_data(card)
    for i, rate in enumerate(card.trigger.rates_hz):
        if not 0 < rate < BUNCH_CROSSING_HZ:
            bad(src, f"trigger.rates_hz[{i}]", f"a rate above 0 and below 40 MHz, got {rate:g} Hz")


def check_identifier(src: str, where: str, value: str) -> None:
    if not IDENTIFIER.match(value) or value in CPP_KEYWORDS or len(value) > 64:
        bad(src, where, f"a C identifier (letters, digits, _; not starting with a digit; "
                        f"not a C++ keyword; at most 64 characters), got '{value}'")


def one_of(src: str, where: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        close = difflib.get_close_matches(value, allowed, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        bad(src, where, f"one of {', '.join(allowed)}, got '{value}'{hint}")


def bad(src: str, where: str, expected: str) -> None:
    raise UserError(f"{src}: bad value at '{where}': expected {expected}")


def named_layers(card: Card) -> Card:
    """Give every unnamed layer a stable name (type + position) so hls4ml and C++ agree."""
    layers = tuple(
        layer if layer.name else replace(layer, name=f"{layer.type}_{i}")
        for i, layer in enumerate(card.model.layers)
    )
    return replace(card, model=replace(card.model, layers=layers))


def _check_quantization(card: Card) -> None:
    src, q = card.source, card.quantization
    for kind in ("weight", "bias", "activation", "input"):
        bits, integer = getattr(q, f"{kind}_bits"), getattr(q, f"{kind}_integer")
        lowest = 1 if kind == "activation" else 2
        if not lowest <= bits <= 32:
            bad(src, f"quantization.{kind}_bits", f"a bit width from {lowest} to 32, got {bits}")
        if not 0 <= integer <= bits:
            bad(src, f"quantization.{kind}_integer", f"integer bits from 0 to {bits}, got {integer}")


def _check_training(card: Card) -> None:
    src, t = card.source, card.training
    if t.epochs < 1:
        bad(src, "training.epochs", f"at least 1, got {t.epochs}")
    if t.batch_size < 1:
        bad(src, "training.batch_size", f"at least 1, got {t.batch_size}")
    if not 0 < t.learning_rate < 1:
        bad(src, "training.learning_rate", f"a number between 0 and 1, got {t.learning_rate:g}")
    if t.early_stopping_patience < 0:
        bad(src, "training.early_stopping_patience", f"0 or more, got {t.early_stopping_patience}")
    if t.lr_decay_patience < 0:
        bad(src, "training.lr_decay_patience", f"0 (off) or more epochs, got {t.lr_decay_patience}")
    if not 0 < t.lr_decay_factor < 1:
        bad(src, "training.lr_decay_factor", f"a number between 0 and 1 (exclusive), got {t.lr_decay_factor:g}")
    one_of(src, "training.qat_init", t.qat_init, QAT_INITS)
    if t.seed < 0:
        bad(src, "training.seed", f"0 or more, got {t.seed}")


def _check_target(card: Card) -> None:
    src, t = card.source, card.target
    one_of(src, "target.backend", t.backend, BACKENDS)
    one_of(src, "target.io_type", t.io_type, IO_TYPES)
    one_of(src, "target.strategy", t.strategy, STRATEGIES)
    if t.reuse_factor < 1:
        bad(src, "target.reuse_factor", f"at least 1, got {t.reuse_factor}")
    if t.strategy == "distributed_arithmetic":
        if t.reuse_factor != 1:
            bad(src, "target.reuse_factor", "1 with target.strategy distributed_arithmetic (hls4ml builds "
                                            f"every product as fixed shift-and-add logic), got {t.reuse_factor}")
        if t.io_type != "io_parallel":
            bad(src, "target.io_type", "io_parallel with target.strategy distributed_arithmetic, "
                                       f"got '{t.io_type}'")
        if importlib.util.find_spec("da4ml") is None:
            bad(src, "target.strategy", "da4ml installed for distributed_arithmetic "
                                        "(pip install 'da4ml>=0.5.2,<0.6'); it is not")
    if t.multiplier_impl is not None:
        one_of(src, "target.multiplier_impl", t.multiplier_impl, MULTIPLIER_IMPLS)
    if not 0 < t.clock_ns <= 100:
        bad(src, "target.clock_ns", f"a clock period above 0 and at most 100 ns, got {t.clock_ns:g}")
    if t.clock_uncertainty is not None:
        from l1forge.report.project import clock_uncertainty_of

        try:
            clock_uncertainty_of(t.clock_uncertainty, t.clock_ns, "target.clock_uncertainty")
        except UserError:
            bad(src, "target.clock_uncertainty", "a share of the period such as \"12.5%\" or a time in ns "
                                                 f"below the {t.clock_ns:g} ns period, got {t.clock_uncertainty!r}")
    if not t.part.strip():
        bad(src, "target.part", "an FPGA part name such as xcvu13p-flga2577-2-e")
    from l1forge.report.parts import check_part

    try:
        check_part(t.part)
    except UserError as err:
        bad(src, "target.part", f"a part l1forge knows ({err})")
    if t.softmax_table_size < 64 or t.softmax_table_size & (t.softmax_table_size - 1):
        bad(src, "target.softmax_table_size", f"a power of two of at least 64, got {t.softmax_table_size}")


def _check_rtl(card: Card) -> None:
    """RTL is written for distributed-arithmetic designs, with its tools installed."""
    src, r = card.source, card.rtl
    if not r.build:
        return
    if card.target.strategy != "distributed_arithmetic":
        bad(src, "rtl.build", "false unless target.strategy is distributed_arithmetic (l1forge writes "
                              f"RTL through da4ml), got true with strategy {card.target.strategy}")
    if r.events < 1:
        bad(src, "rtl.events", f"at least 1 verification event, got {r.events}")
    from l1forge.rtl import tools

    try:
        tools.find_verilator()
        if r.synth:
            tools.find_yosys()
    except UserError as err:
        bad(src, "rtl.build", f"the RTL tools installed ({err})")


def _check_data(card: Card) -> None:
    src, d = card.source, card.data
    if d.max_events is not None and d.max_events < 100:
        bad(src, "data.max_events", f"at least 100 events (or null for all), got {d.max_events}")
    for key in ("test_fraction", "validation_fraction"):
        value = getattr(d, key)
        if not 0 < value < 0.5:
            bad(src, f"data.{key}", f"a fraction above 0 and below 0.5, got {value:g}")

