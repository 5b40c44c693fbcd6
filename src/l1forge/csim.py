"""C-simulation: build the project's firmware with its l1forge test bench (g++ only), run it.

hls4ml's own test bench prints outputs through ap_fixed's `operator<<`, which keeps only six
significant digits, so it cannot prove bit equality. l1forge writes `l1forge_tb.cpp` into the
project: a whole file generated from the ModelGraph's input and output variables (never text
spliced into hls4ml's files). It reads events as raw float64, calls the top function exactly
as hls4ml's test bench does, and prints every output as a C99 hexadecimal float, which
`float.fromhex` reads back exactly (ap_fixed of up to 53 bits converts to double exactly).
Inputs must be the quantized values the firmware sees; they are passed as float64, so the
conversion to the input type is exact.

In a build the test bench links the firmware library hls4ml's `compile()` built (the firmware
C++ is compiled once, with hls4ml's flags); an hls4ml folder someone else made is compiled
from the folder's own firmware sources instead (`rerun_folder`).
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from l1forge.errors import UserError
from l1forge.firmware.convert import compile_graph, require_compiler
from l1forge.project import CSIM_BINARY as BINARY
from l1forge.project import TESTBENCH, Project

DEFAULT_EVENTS = 10_000


@dataclass(frozen=True)
class CsimRun:
    outputs: np.ndarray
    seconds: float


@dataclass(frozen=True)
class Comparison:
    events: int
    mismatches: int
    examples: list = field(default_factory=list)  # (event, output, csim value, reference value)

    def as_dict(self) -> dict:
        return {"events": self.events, "mismatches": self.mismatches,
                "first_mismatches": [list(e) for e in self.examples]}


def testbench_source(graph) -> str:
    """The C++ test bench for `graph` (one input array/stream in, one out)."""
    name = graph.config.get_project_name()
    inputs, outputs = graph.get_input_variables(), graph.get_output_variables()
    n_in = sum(v.size() for v in inputs)
    lines = [
        "// l1forge C-simulation test bench: float64 events in, hex-float outputs out.",
        "#include <cstdio>", "#include <map>", "#include <string>", "#include <vector>",
        f'#include "firmware/{name}.h"', '#include "firmware/nnet_utils/nnet_helpers.h"',
        "namespace nnet {", "bool trace_enabled = false;",
        "std::map<std::string, void *> *trace_outputs = NULL;",
        "size_t trace_type_size = sizeof(double);", "}",
        "int main(int argc, char **argv) {",
        "    if (argc != 3) { std::fprintf(stderr, \"usage: l1forge_csim IN.bin OUT.txt\\n\"); return 2; }",
        "    std::FILE *fin = std::fopen(argv[1], \"rb\");",
        "    std::FILE *fout = std::fopen(argv[2], \"w\");",
        "    if (!fin || !fout) { std::fprintf(stderr, \"cannot open files\\n\"); return 2; }",
        f"    std::vector<double> event({n_in});",
        f"    while (std::fread(event.data(), sizeof(double), {n_in}, fin) == {n_in}) {{",
    ]
    offset = 0
    for var in inputs:
        lines.append(f"        {var.definition_cpp()};")
        lines.append(f"        nnet::convert_data<double, {var.type.name}, {var.size()}>"
                     f"(event.data() + {offset}, {var.name});")
        offset += var.size()
    for var in outputs:
        lines.append(f"        {var.definition_cpp()};")
    args = ", ".join(v.name for v in inputs + outputs)
    lines.append(f"        {name}({args});")
    for var in outputs:
        lines += [
            f"        double {var.name}_out[{var.size()}];",
            f"        nnet::convert_data<{var.type.name}, double, {var.size()}>({var.name}, {var.name}_out);",
            f"        for (int i = 0; i < {var.size()}; i++) std::fprintf(fout, \"%a \", {var.name}_out[i]);",
        ]
    lines += ['        std::fputc(\'\\n\', fout);', "    }", "    std::fclose(fin);",
              "    std::fclose(fout);", "    return 0;", "}", ""]
    return "\n".join(lines)


def start_testbench_build(graph, project_dir: Path, library: Path | None = None) -> subprocess.Popen:
    """Write the test bench into a written and compiled project and start g++ on it; call
    `finish_testbench_build` to wait. Never start it before hls4ml's `compile()` returns:
    that call rewrites the project folder, and g++ would read half-copied headers.

    Without `library` the test bench compiles the folder's `firmware/<name>.cpp` itself (a
    folder whose firmware may differ from what hls4ml writes for the graph). With `library`
    (hls4ml's compiled firmware, a `.so` under the project's firmware/) the test bench links
    that object code instead of compiling the firmware a second time: the C-simulation then
    runs the very firmware g++ built for `predict`, through l1forge's exact I/O."""
    compiler = require_compiler()
    project_dir = Path(project_dir)
    name = graph.config.get_project_name()
    (project_dir / TESTBENCH).write_text(testbench_source(graph))
    cmd = [compiler, "-O2", "-std=c++14", "-Ifirmware/ap_types", "-Ifirmware", TESTBENCH]
    if library is None:
        # In C-simulation the firmware reads its weights from text files under WEIGHTS_DIR; the
        # binary runs from the project folder, so the relative path keeps the project movable.
        cmd += ['-DWEIGHTS_DIR="firmware/weights"', f"firmware/{name}.cpp"]
    else:
        library = Path(library)
        if library.parent.resolve() != (project_dir / "firmware").resolve():
            raise ValueError(f"{library}: the firmware library must sit in {project_dir / 'firmware'}")
        # Found through the binary's own folder, so the project stays movable.
        cmd += ["-Lfirmware", f"-l:{library.name}", "-Wl,-rpath,$ORIGIN/firmware"]
    return subprocess.Popen(cmd + ["-o", BINARY], cwd=project_dir, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def compiled_library(graph) -> Path:
    """The shared library hls4ml's `compile()` built for `graph` (firmware/<name>-<stamp>.so)."""
    config = graph.config
    return (Path(config.get_output_dir()) / "firmware"
            / f"{config.get_project_name()}-{config.get_config_value('Stamp')}.so")


def finish_testbench_build(process: subprocess.Popen, project_dir: Path) -> Path:
    _, stderr = process.communicate()
    if process.returncode != 0:
        first = next((ln for ln in stderr.splitlines() if "error" in ln), stderr[:200])
        raise UserError(f"{project_dir}: the C-simulation test bench failed to compile: {first}")
    return Path(project_dir) / BINARY


def build_testbench(graph, project_dir: Path, library: Path | None = None) -> Path:
    """Write and compile the test bench into `project_dir` (linked to `library` when given,
    see `start_testbench_build`); returns the binary."""
    return finish_testbench_build(start_testbench_build(graph, project_dir, library), project_dir)


def run_binary(project_dir: Path, x: np.ndarray, n_outputs: int) -> CsimRun:
    """Run the compiled test bench over firmware inputs `x` (N, ...)."""
    project_dir = Path(project_dir)
    binary = project_dir / BINARY
    if not binary.is_file():
        raise UserError(f"{project_dir}: no compiled C-simulation ({BINARY}); run `l1forge build`")
    x = np.ascontiguousarray(np.asarray(x, dtype=np.float64).reshape(len(x), -1))
    io_dir = project_dir / "tb_data"
    io_dir.mkdir(exist_ok=True)
    in_path, out_path = io_dir / "l1forge_csim_in.bin", io_dir / "l1forge_csim_out.txt"
    x.tofile(in_path)
    start = time.perf_counter()
    result = subprocess.run([str(binary.resolve()), str(in_path.relative_to(project_dir)),
                             str(out_path.relative_to(project_dir))], cwd=project_dir,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise UserError(f"{binary}: C-simulation failed (exit {result.returncode}): "
                        f"{result.stderr.strip()[:200]}")
    outputs = parse_outputs(out_path.read_text(), n_outputs, str(out_path))
    if len(outputs) != len(x):
        raise UserError(f"{out_path}: C-simulation wrote {len(outputs)} events for {len(x)} inputs")
    return CsimRun(outputs, seconds)


def parse_outputs(text: str, n_outputs: int, source: str = "csim output") -> np.ndarray:
    """Parse hex-float rows (one event per line) into an exact float64 array."""
    rows = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if len(fields) != n_outputs:
            raise UserError(f"{source}: line {line_no} has {len(fields)} values; expected {n_outputs}")
        try:
            rows.append([float.fromhex(f) for f in fields])
        except ValueError:
            raise UserError(f"{source}: line {line_no} holds a value that is not a hex float") from None
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), n_outputs)


def compare(csim: np.ndarray, reference: np.ndarray, max_examples: int = 20) -> Comparison:
    """Bit-for-bit comparison of two output arrays (exact float64 equality per value)."""
    csim = np.asarray(csim, dtype=np.float64).reshape(len(csim), -1)
    reference = np.asarray(reference, dtype=np.float64).reshape(len(reference), -1)
    if csim.shape != reference.shape:
        raise ValueError(f"shapes differ: {csim.shape} vs {reference.shape}")
    differ = csim != reference
    events, outputs = np.nonzero(differ)
    examples = [(int(e), int(o), float(csim[e, o]), float(reference[e, o]))
                for e, o in zip(events[:max_examples], outputs[:max_examples])]
    return Comparison(int(len(csim)), int(differ.sum()), examples)


def quantize_inputs(graph, x: np.ndarray) -> np.ndarray:
    """The firmware's view of inputs: each double converted to the input type as the test
    bench's `nnet::convert_data` does (the type's own rounding and overflow modes; the
    emulator's conversion, proven equal to ap_fixed's)."""
    from l1forge.emulate.quantize import quantize_real
    from l1forge.intake import graph_ports, input_types, split

    types = input_types(graph)
    if len(types) == 1:
        return quantize_real(x, types[0]) / 2.0**types[0].frac
    # several inputs laid end to end (intake.ports): each slice in its own input's type
    parts = [quantize_real(part, ftype) / 2.0**ftype.frac for part, ftype in zip(split(x, graph_ports(graph)), types)]
    return np.concatenate([part.reshape(len(part), -1) for part in parts], axis=1)


@dataclass(frozen=True)
class Verification:
    """C-simulation outputs checked bit for bit against hls4ml's compiled predict."""

    inputs: np.ndarray      # quantized firmware inputs
    outputs: np.ndarray     # C-simulation outputs
    comparison: Comparison
    seconds: float

    def as_dict(self) -> dict:
        return {**self.comparison.as_dict(), "seconds": round(self.seconds, 3)}


def verify(graph, project_dir: Path, x_firmware: np.ndarray) -> Verification:
    """Quantize inputs, run the C-simulation and compare with `graph.predict` (compiled)."""
    xq = quantize_inputs(graph, x_firmware)
    n_outputs = sum(v.size() for v in graph.get_output_variables())
    run = run_binary(project_dir, xq, n_outputs)
    comparison = compare(run.outputs, _graph_predict(graph, xq))
    return Verification(xq, run.outputs, comparison, run.seconds)


def _graph_predict(graph, xq: np.ndarray):
    """hls4ml's compiled predict on quantized events (a list of per-input arrays for a
    model with several inputs, intake.ports); several outputs are laid end to end."""
    from l1forge.intake import graph_ports, split

    ports = graph_ports(graph)
    x = np.ascontiguousarray(xq) if len(ports) == 1 else [np.ascontiguousarray(a.reshape(len(a), -1))
                                                            for a in split(xq, ports)]
    return outputs_per_event(graph.predict(x), len(xq))


def outputs_per_event(out, n: int) -> np.ndarray:
    """(n, values) float64 of a predict's output, several outputs laid end to end as the
    test bench writes them."""
    arrays = out if isinstance(out, (list, tuple)) else [out]
    return np.concatenate([np.asarray(a, dtype=np.float64).reshape(n, -1) for a in arrays], axis=1)


def emulator_check(graph, x_raw: np.ndarray, csim_outputs: np.ndarray) -> dict:
    """l1forge.emulate on the raw (unquantized) inputs `x_raw`, so that its input conversion
    is checked too, against the C-simulation outputs of the same events, bit for bit.

    A layer the emulator does not model is recorded, not fatal: the firmware is still valid.
    """
    from l1forge import emulate

    try:
        emulator = emulate.from_graph(graph)
    except UserError as err:
        return {"supported": False, "reason": str(err)}
    start = time.perf_counter()
    outputs = emulator_outputs(emulator, graph, np.asarray(x_raw))
    seconds = time.perf_counter() - start
    comparison = compare(outputs, csim_outputs)
    return {"supported": True, **comparison.as_dict(), "seconds": round(seconds, 4)}


def emulator_outputs(emulator, graph, x: np.ndarray) -> np.ndarray:
    """The emulator's firmware outputs (events, values) for events laid end to end
    (intake.ports), several outputs laid end to end as the test bench writes them."""
    from l1forge.intake import graph_ports, split

    return outputs_per_event(emulator.predict(split(x, graph_ports(graph))), len(x))


def _events_for(graph, events: int, data, dataset, seed: int):
    """Verification events: the first `events` of `data` (checked against the graph's input
    shape), or `events` seeded synthetic events of the graph's input type."""
    from l1forge.intake import events_from_file, graph_input_shape, graph_ports, graph_synthetic_events

    if events < 1:
        raise UserError(f"--events must be at least 1, got {events}")
    shape = graph_input_shape(graph)
    if data is not None:
        return events_from_file(data, shape, dataset=dataset, limit=events, ports=graph_ports(graph))
    if dataset is not None:
        raise UserError(f"--dataset {dataset} names a dataset of --data FILE; expected --data too")
    return graph_synthetic_events(graph, events, seed=seed)


def rerun(project_dir, events: int = DEFAULT_EVENTS, log=print, data=None, dataset=None,
          seed: int = 0) -> dict:
    """Re-run a project's C-simulation: an l1forge project on its stored test events (or
    `data`), the result written into the manifest's `csim` section; a folder without a
    manifest by `rerun_folder`."""
    from l1forge.manifest import update_manifest

    project = Project(project_dir)
    if not project.folder.is_dir():
        raise UserError(f"{project.folder}: no such folder; expected an l1forge project or an hls4ml "
                        "project folder")
    if not project.manifest_path.is_file() and project.has_config():
        return rerun_folder(project.folder, events, log, data=data, dataset=dataset, seed=seed)
    project.manifest(strict=True)  # refuses a folder that is not an l1forge project
    if events < 1:
        raise UserError(f"--events must be at least 1, got {events}")
    require_compiler()
    log("loading the project's ModelGraph and compiling hls4ml's reference library")
    graph = project.graph()
    inputs = None
    if data is not None:
        chosen = _events_for(graph, events, data, dataset, seed)
        x_test, inputs = chosen.x, chosen.description
    else:
        x_test = project.test_split()[0][:events]
    compile_graph(graph)
    if not project.csim_binary.is_file():  # compiled from the project's own firmware sources
        build_testbench(graph, project.folder)
    log(f"C-simulation over {len(x_test)} events")
    verification = verify(graph, project.folder, x_test)
    result = verification.as_dict() if inputs is None else {**verification.as_dict(), "inputs": inputs}
    update_manifest(project.folder, csim=result)
    return {**result, "ok": verification.comparison.mismatches == 0}


def _build_folder_testbench(graph, firmware: Path, work: Path) -> bool:
    """Compile hls4ml's reference library (in the graph's scratch folder) and the test bench
    (in `work`) against a copy of `firmware`, or, when the folder has none, of the firmware
    hls4ml wrote for the graph. Returns whether the folder's own firmware was used."""
    import shutil

    name = graph.config.get_project_name()
    skip_libraries = shutil.ignore_patterns("*.so")
    if not (firmware / f"{name}.cpp").is_file():
        compile_graph(graph)
        shutil.copytree(Path(graph.config.get_output_dir()) / "firmware", work / "firmware", ignore=skip_libraries)
        build_testbench(graph, work)
        return False
    shutil.copytree(firmware, work / "firmware", ignore=skip_libraries)
    # The test bench builds from the copy while hls4ml compiles its own scratch folder: the
    # two never share a file, so both compilers run at once.
    build = start_testbench_build(graph, work)
    try:
        compile_graph(graph)
    except BaseException:
        build.kill()
        build.communicate()
        raise
    finish_testbench_build(build, work)
    return True


def rerun_folder(folder: Path, events: int = DEFAULT_EVENTS, log=print, data=None, dataset=None,
                 seed: int = 0) -> dict:
    """C-simulation of any hls4ml project folder (no l1forge manifest), which is never
    modified: its firmware/ (or, for a folder holding only a config and a model, the firmware
    hls4ml writes from them) is copied into a temporary folder, where l1forge's test bench
    (generated from the ModelGraph) is compiled against it and run on `data` or on seeded
    synthetic events; the outputs are compared bit for bit with hls4ml's compiled model of
    the same configuration, and l1forge's emulator with the C-simulation."""
    import tempfile

    project = Project(folder)
    require_compiler()
    log(f"loading the ModelGraph of {project.folder}")
    graph = project.graph()
    chosen = _events_for(graph, events, data, dataset, seed)
    with tempfile.TemporaryDirectory(prefix="l1forge-csim-") as work:
        log("compiling hls4ml's reference library and the C-simulation test bench")
        own_firmware = _build_folder_testbench(graph, project.folder / "firmware", Path(work))
        log(f"C-simulation over {len(chosen.x)} events ({chosen.description['kind']})")
        verification = verify(graph, Path(work), chosen.x)
    emulator = emulator_check(graph, chosen.x, verification.outputs)
    ok = verification.comparison.mismatches == 0 and emulator.get("mismatches", 0) == 0
    return {**verification.as_dict(), "emulator": emulator, "inputs": chosen.description,
            "firmware": "the folder's" if own_firmware else "written by hls4ml from the folder's config",
            "ok": ok}
