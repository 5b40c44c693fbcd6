"""Every tuned number of the estimator, in one place, with where it came from.

Calibration set (the only reports these numbers were fitted on): the two jet-tagger
projects in ../shared/reference/vivado_reports (jet-tagger-float-vivado2019 and
jet-tagger-qkeras-vivado2019; Vivado HLS 2019.2, xcu250, 5 ns, io_parallel, Latency,
RF 1), whose real weights are in the folders. Each per-instance row of their reports
was matched to its layer (the instance with DSPs in the QKeras report is the only one
with a 16-bit input, fc1; the others follow by size). The Vitis HLS 2024.1 run of the
float tagger (RF 1) set the two Vitis constants, the pruned SVHN CNN (io_stream) the
stream constants, and hls4ml's Dense 16->5 test on an xc7z020 -1 the cascade rule. The
other reports are for validation only (see VALIDATION.md); the speed of other fabrics
and grades is from the data sheets (timing.py). The series7_* numbers (Vitis HLS on
7-series parts) were read from the ArgyKokk ARRYTHMIA, Breast_cancer and HAR builds
(reference_sets.SETS marks them calibration).

Numbers marked "assumed" have no report behind them: they come from the device data
sheets or from the hls4ml templates, and the estimate says so where they dominate.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Calibration:
    # --- which products become DSP slices ------------------------------------------
    # Constant products with 3+ CSD digits on inputs of at least 10 bits: 1486 predicted
    # vs 1445 DSPs in the float dense layers, 29 vs 18 in QKeras fc1; QKeras layers fed
    # by 6-bit activations use no DSP at all, so the input width threshold lies in 7..16.
    # The one Vivado HLS report between (brainz22, 2019.2: 10-bit inputs, 0 DSPs) would put it
    # above 10, the other (ECON encoder, 2020.1: 11/12-bit inputs, 132 DSPs where 76 are
    # estimated) at or below 11: one project, not moved then (eighth pass). A second report
    # agrees since (the seventeenth unseen set, Vitis HLS 2023.1: 10-bit inputs x 10-bit
    # weights, 31 DSPs where 852 were estimated at 10; its 12- and 15-bit builds keep theirs):
    # 11 (docs/estimator.md, fourteenth pass).
    dsp_min_csd_digits: int = 3
    dsp_min_data_bits: int = 11
    # Products of two variables (weights in a ROM): DSP when the operand widths add up
    # to this many bits. Fabric at 16 (8x8) and 18 (9u x 9s), DSP at 22 (16x6) in every
    # Resource layer of the study sets; 20 lies in that gap (variable_binding.py).
    variable_dsp_min_bits: int = 20

    # --- LUTs ------------------------------------------------------------------------
    # Least-squares fit (relative errors) of the 8 dense instances: LUT = a * bits of the
    # shift-and-add multiplier adders + b * bits of the accumulation adder trees; every
    # instance within 13% (`python tools/calibrate.py ../shared/reference/vivado_reports`).
    lut_per_adder_bit: float = 0.49
    lut_per_tree_bit: float = 1.28
    # ReLU: 28 LUTs per 16-bit value (float relu1-3); 72 per live value for a 16-bit to
    # ufixed<6,0,RND_CONV,SAT> cast (QKeras relu1-3: 4176/58, 1944/27, 1800/25).
    lut_per_relu_bit: float = 1.75  # per output bit (compare + select)
    lut_per_cast_in_bit: float = 3.84  # per input bit when the output type rounds or saturates
    # Softmax (stable, 5 values): 484 LUT, 144 FF, 3 cycles with plain table types
    # (QKeras); 664 LUT, 236 FF, 4 cycles with AP_RND/AP_SAT tables (float). Its depth is
    # its operator chain cut at the two table reads (softmax_depth.reference_cycles), with
    # the operations' delays as Vitis HLS 2023.1 schedules them on an xcvu13p -2 (the
    # verbose schedule of a public 3-class softmax, 2 cycles at 5 ns): compare 0.78 and
    # select 0.24 per level of the maximum's tree, subtract 0.78, the index's saturating
    # select 0.30, table read 1.20 (registered), 0.78 per level of the sum's tree. A
    # saturating table type adds its select (0.30) to every level of the sum.
    softmax_compare_level_ns: float = 1.02
    softmax_subtract_ns: float = 0.78
    softmax_index_ns: float = 0.30
    softmax_table_read_ns: float = 1.20
    softmax_sum_level_ns: float = 0.78
    softmax_saturate_ns: float = 0.30
    # An element-wise table activation (sigmoid, tanh, ...) in io_parallel: its index
    # arithmetic (scale, offset and the two clamps, on an int) is one stage and the
    # registered table read the next. Both io_parallel sigmoid instances in the reports
    # take 2 cycles at 5 ns: Vivado HLS 2018.3 on a Virtex-7 -2 (18 bits) and Vitis HLS
    # 2022.1 on an Alveo U55C (16 bits); the model took 1 before.
    table_lookup_parallel_cycles: int = 2
    # The softmax's final multiplies on 7-series where a DSP multiply fills the cycle: the
    # DSP48's M and P registers (`mul i30` on DSP48, latency 2, in the verbose schedule of
    # a Vivado HLS 2020.1 xc7z020 softmax at 5 ns; softmax_depth.scaled_softmax).
    softmax_dsp_pipeline_registers: int = 2
    # Vitis HLS, Resource strategy, io_stream (vitis_stream_resource.py; the per-module
    # reports of the twenty-first unseen set's Artix-7 CNN, Vitis HLS 2024.2): two 2:1
    # multiplexers of 9 LUTs for each kernel input (its phi and rewind copies); the
    # line-buffer convolution's counters (443 LUTs of expressions, 66 of multiplexers, 128
    # FFs); 32 LUTs and 64 FFs per line-buffer memory; 9 LUTs per window value it feeds.
    # A Vivado HLS Resource Dense reading the design's packed input word (7-series,
    # io_parallel): its index arithmetic and 6-stage variable shift (dense_cost.packed_read_adds_cycles)
    vivado_packed_input_cycles: int = 8
    vitis_rewind_mux_lut: float = 18.0
    # Vitis HLS's variable shift of a packed input word, per bit of the word (the 31st
    # unseen set's Artix-7 MLP: 2,171 LUT for 1,800 bits; resource_cost.vitis_shared_select_lut)
    vitis_packed_shift_lut_per_bit: float = 1.2
    vitis_conv_counters_lut: float = 509.0
    vitis_conv_counters_ff: float = 128.0
    vitis_line_memory_lut: float = 32.0
    vitis_line_memory_ff: float = 64.0
    vitis_window_mux_lut: float = 9.0
    # Recurrent layers (recurrent_cost.py), read from one GRU report (Vivado HLS 2019.2,
    # xcvu13p -2, 5 ns, Resource RF 1: its gru_static and gru_stack module reports): each call
    # of the cell's state machine takes its latency plus one state, each element-wise
    # product stage one; the step loop adds three states (input slice, call, state copy) and
    # one on exit; the input slice of the design's packed input word is a variable shift of
    # the whole word plus 11 LUTs per input element (2,171 for 2,160 bits); a LUT6 selects
    # one of four inputs where the slice is a multiplexer.
    recurrent_call_states: int = 1
    recurrent_product_cycles: int = 1
    recurrent_loop_states: int = 3
    recurrent_exit_states: int = 1
    recurrent_shift_overhead_lut: float = 11.0
    mux_inputs_per_lut: int = 4
    # A Vitis HLS Dense instance of combinational DSP products (vitis_instance_ff.py): the
    # multiply and an accum_t adder level, from the cut each tree shows at two clocks (5 ns
    # with 0.62 and with 1.35 ns of uncertainty: 4 and 2 levels before the first register).
    vitis_comb_dsp_ns: float = 2.6
    vitis_sum_level_ns: float = 0.4
    # DSPs a softmax adds when HLS fills its exponential table in hardware (a single-
    # precision exponential core): 7 in both reports of it (kojos03, Vitis HLS 2024.2,
    # 9 against 2; the 16-64-32-32-5 MLP, Vitis HLS 2025.2, 12 against 5; softmax_tables)
    softmax_float_exp_dsps: int = 7
    softmax_lut_per_value: float = 97.0
    # A variable multiply built in LUTs, per bit pair of its operands: 366 LUTs for the 18 x
    # 18-bit exponential x inverse product of the fabric-bound softmaxes (the median over
    # ARRYTHMIA, HAR and Breast_cancer of (fabric - DSP build LUTs) / values: 358, 366, 366).
    lut_per_variable_product_bit: float = 1.13
    softmax_lut_rounding_per_value: float = 36.0
    softmax_ff_per_value_cycle: float = 10.6

    # --- flip-flops ------------------------------------------------------------------
    ff_per_term_registered: float = 2.0  # inside a dense whose adder tree is cut by a register
    # A DSP multiply that cannot chain with this many adder levels in its cycle makes the
    # tool sum in the DSP post-adders, one registered level per cycle (dense_cost). The
    # dense16x5 report (xc7z020 -1, 5 ns: its 16-term Dense takes 7 cycles, one per tree
    # level, ~100 FF per product) needs 2 or more here; the UltraScale+ -2 reports at 5 ns
    # (no cascade) allow at most 3. Fitted on that one report.
    cascade_chain_levels: int = 2

    # --- delays (ns) for the latency schedule -----------------------------------------
    # Chosen so that the schedule puts 4 boundary registers in the float jet tagger and
    # 6 in the QKeras one at 5 ns, as the reports show (their layer*_out registers);
    # the resulting totals are 12 (report: 13) and 10 (report: 9) cycles.
    # The tools' default, 12.5% of the period; a project that asks for its own (hls4ml's
    # ClockUncertainty, `set_clock_uncertainty`) gets that (cost.Target.clock_uncertainty_ns).
    clock_uncertainty_fraction: float = 0.125
    delay_dsp_ns: float = 2.0
    delay_lut_mult_ns: float = 1.0
    delay_adder_level_ns: float = 0.6
    delay_relu_ns: float = 0.9
    delay_cast_ns: float = 0.6
    delay_softmax_head_ns: float = 2.0

    # --- composition -----------------------------------------------------------------
    # Cycles a tool adds around the whole pipeline. Vitis HLS 2024.1 put the same
    # registers as Vivado HLS 2019.2 in the float jet tagger and reported one more cycle
    # (14 vs 13): tutorial model_1 RF 1, the one Vitis report used for tuning.
    extra_cycles: dict = field(default_factory=lambda: {"Vivado HLS": 0, "Vitis HLS": 1})
    # Vitis HLS 2024.1 counts more LUTs than Vivado HLS 2019.2 for the same logic: its
    # report of tutorial model_1 (RF 1) has 101839 where this model, fitted on Vivado
    # HLS, gives 86550 with the jet-tagger weights (relu: 38 vs 28 LUTs per value).
    lut_scale: dict = field(default_factory=lambda: {"Vivado HLS": 1.0, "Vitis HLS": 1.18})
    stream_start_cycles: int = 1  # dataflow start handshake
    # What each pixel-streamed dataflow process adds to the region's latency beyond the
    # slowest one: 0 since the vector processes are summed (schedule_stream.py; the
    # SVHN CNN: 1027 + 17 + 1 = 1045 for its 1044; with 1 per process it would be 1055).
    stream_cycles_per_process: int = 0
    # Flip-flops of an io_stream process against the same logic in io_parallel: each
    # pipelined pixel loop registers what it reads and what it writes. The SVHN CNN
    # report (calibration) has 47025 FFs in its processes where the io_parallel rules
    # give 23232: 2.0.
    stream_ff_scale: float = 2.0
    stream_overhead_cycles: int = 2  # read-to-write cycles a softmax process adds in io_stream
    # A Resource-strategy streamed convolution's pixel iteration beyond its window-shift
    # loop and its kernel: the read, the window bookkeeping and the write (stream_conv.py;
    # the loop tables of the Conv1D encoders' per-instance reports, Vivado HLS 2020.1:
    # iterations of 2 + 4 cycles without the kernel call at filt_width 3, 4 + 4 at 5).
    stream_resource_pixel_cycles: int = 4
    # A Resource-strategy loop body (weight read, DSP multiply, accumulation) is one stage
    # from this much logic a cycle (calibration-part ns), three below it: one stage at 8.75
    # (xcu50 -2 at 10 ns: the DNNonSilicon CNN's kernels RF + 1, 43 cycles a pixel at RF 36)
    # and 21.9 (xcvu13p -2 at 25 ns: the seventh unseen set's pixels RF + 5), three at about
    # 3.6 (KU15P -1 at 5 ns: the Conv1D encoders' RF + 3), 2.6 (xc7z020 -1 at 10 ns: the
    # DNNonSilicon CNNs' ReuseLoop, iteration latency 4) and below. Set between the two.
    resource_flat_budget_ns: float = 6.0
    # A streamed dense process: its output is written one cycle after the kernel's last
    # register (the SVHN CNN report, Vivado HLS 2020.1: Dense 10 and Dense 42 exactly,
    # Dense 64 one cycle short).
    stream_dense_write_cycles: int = 1
    # io_stream FIFOs, from the SVHN CNN report (Vivado HLS 2020.1; no model, so it is
    # not a validation case): 496 FIFOs, 14972 LUT, 5 FF each when 1-4 deep; FIFOs of
    # 576+ bits took one BRAM_18K each, 256-bit ones none. Shift-register FIFOs; Vivado
    # HLS's block-RAM ones are estimate.fifo_cost's.
    fifo_srl_max_bits: int = 512
    fifo_ff: int = 5
    fifo_lut: int = 30
    # a FIFO in block RAM, Vivado HLS (estimate.fifo_cost)
    vivado_bram_fifo_lut: int = 61
    # Top-level control of an io_parallel design: `Expression` 6 + `Multiplexer` 36 LUTs
    # and ap_CS_fsm, the input valid and a start register (both calibration reports).
    top_control_lut: int = 42
    top_control_ff: int = 3

    # --- Vitis HLS on 7-series (series7.py) --------------------------------------------
    # Read from the ArgyKokk calibration builds (ARRYTHMIA, Breast_cancer, HAR; Vitis HLS
    # 2021.1, xc7z007s -2, 3.33 and 5 ns; report/VALIDATION.md). A "wide" cycle has at
    # least this much logic (Artix-7 -2 ns) after the uncertainty: 4.375 at 5 ns, where a
    # multiply and two adder levels share the first cycle; 2.91 at 3.33 ns does not.
    series7_wide_cycle_ns: float = 4.0
    # A ReLU chains into its producer's cycle from this much logic on (series7.relu_cycles):
    # between 2.91 ns (xc7z007s -2 at 3.33 ns, 12.5% uncertainty: a cycle of its own) and
    # 3.08 ns (xc7z020 -1 at 5 ns, 27% uncertainty: none; xc7a50t -1 at 5 ns, 12.5%: 3.69
    # ns, none), about the midpoint of the two.
    series7_relu_chain_ns: float = 3.0
    # Flip-flops per non-zero product, in words of the wider of accumulator and product:
    # medians of the calibration dense instances at RF 1 (1.35) and at RF 2 and 100 (1.0).
    # At RF 1 only in a wide cycle: a narrow one is counted from its schedule (registers.py).
    # A layer whose reuse factor caps its distinct multiplies (dense_cost.distinct_multiplies)
    # takes ceil(multiplies / cap) issue cycles, then ceil(log3 terms) - 2 cycles of its
    # three-input adder tree (series7.shared_tail: exact on the 7 capped dense instances of
    # the LUT-bound RF 100 calibration builds, tails 0 to 3), and this many more on DSPs:
    # the median of the DSP builds' extra cycles on the same 7 layers (ARRYTHMIA 2 and 2,
    # Breast_cancer 4 and 4, HAR 0, 0 and 0). The verbose schedules say why they differ:
    # ARRYTHMIA's Mul_DSP core at 3.33 ns has latency 2 (2.45 ns a stage), HAR's at 5 ns
    # latency 0 (3.81 ns fits), Breast_cancer's 5 ns multiply spans 5 states; at 5 ns the
    # two nets disagree, so the median stays (VALIDATION.md, fourth pass).
    series7_shared_dsp_cycles: int = 2
    # ... at a narrow cycle with several shared DSPs; a wide cycle has none (HAR, whose
    # Mul_DSP has latency 0 at 5 ns), and a single shared DSP this many (the five-state
    # multiply of Breast_cancer's verbose schedule; its two cap-1 layers and the held-out
    # CARDIO's at 3.33 ns: 4, 4 and 4; series7.shared_dsp_cycles, fourteenth pass).
    series7_single_dsp_cycles: int = 4
    # A Dense of more than 4,096 products (build_limits.UNROLL_LIMIT) is unrolled but its
    # sums are not balanced into trees: each output adds its terms in a chain, this much
    # logic (Artix-7 -2 ns) an add (series7.chain_cycles). Fitted on HAR's fc1 (561 x 20,
    # its widest output 495 terms: 192 cycles at 5 ns at every reuse factor and binding,
    # which pins it to 1.692-1.697); checked once on the held-out mnist fc1 (196 x 56,
    # stand-in weights, 129 terms: 50 for 48). The verbose schedules' 16-bit Adder core is
    # 1.41-1.53 ns; the rest is the chain's routing.
    series7_chain_add_ns: float = 1.693
    # LUTs per distinct multiply of a capped layer for its share of the multiplexers in
    # front of the shared multipliers: the median over the seven capped layers of the DSP
    # builds of (LUT at RF 100 - LUT at RF 2) / distinct multiplies (6.9 to 14.7).
    series7_shared_mux_lut: float = 8.0
    series7_ff_words_rf1: float = 1.35
    series7_ff_words_shared: float = 1.0
    # Stable softmax outside its two trees: 6 cycles in a wide cycle (Breast_cancer N=2: 8,
    # HAR N=6: 12), 4 in a narrow one (ARRYTHMIA N=16: 20), 2 fewer with a fabric multiply.
    series7_softmax_base_wide: int = 6
    series7_softmax_base_narrow: int = 4
    series7_softmax_fabric_saving: int = 2
    # 7-series logic delays over the data sheets' DSP Fmax ratio (timing.py): two 16-bit
    # adder levels never share a 3.33 ns cycle on the xc7z007s -2 (a level > 1.46 ns where
    # the ratio gives 0.85 ns); 2.0 also gives the Dense 16->5 report its 10 cycles.
    series7_routing: float = 2.0
    # On 7-series the DSP48E1 is a hard block: its multiply is slower than the data sheets'
    # DSP ratio gives, but not by the fabric's routing factor. This factor over that ratio
    # decides whether the multiply needs two pipeline stages (dense_cost.dsp_fills_cycle).
    # Bounded by three reports: two stages on the xc7z020 -1 at 5 ns (the Dense 16->5
    # cascade; > 1.31) and on the xc7z007s -2 at 3.33 ns (the ARRYTHMIA verbose schedule's
    # Mul_DSP, latency 2; > 1.03), one on the Virtex-7 -2 at 5 ns (the tenth unseen set's
    # MLP: Dense instances of 1, 2 and 1 cycles; < 1.84). The middle of that range.
    series7_dsp: float = 1.55


CALIBRATION = Calibration()
