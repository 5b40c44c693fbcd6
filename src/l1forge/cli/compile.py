"""`l1forge compile`: bring your own trained model or hls4ml configuration."""

from __future__ import annotations

import json
from pathlib import Path

from l1forge.cli.build import ERR, log, print_summary


def register(sub) -> None:
    p = sub.add_parser(
        "compile", help="a trained Keras/QKeras model or hls4ml configuration -> verified firmware",
        description="Convert a trained model with hls4ml, C-simulate it against hls4ml's compiled model, "
        "check the emulator bit for bit, estimate latency and resources, and diagnose layer by layer "
        "where the firmware departs from Keras. SOURCE: a Keras 2 model (.h5 or tf.keras .keras), a "
        "Keras JSON architecture with --weights, or an hls4ml `convert -c` YAML.")
    p.add_argument("source", type=Path, help="model file (.h5, .keras, .json) or hls4ml configuration (.yml)")
    p.add_argument("--weights", type=Path, help="weights (.h5) of a JSON architecture")
    p.add_argument("--name", help="project name, a C identifier (default: from the file name)")
    p.add_argument("--projects", type=Path, default=Path("hls_projects"), help="projects folder")
    p.add_argument("--part", help="FPGA part (default: the YAML's, else xcvu13p-flga2577-2-e)")
    p.add_argument("--clock-ns", type=float, help="clock period in ns (default: the YAML's, else 5)")
    p.add_argument("--io-type", help="io_parallel or io_stream")
    p.add_argument("--backend", help="Vitis or Vivado")
    p.add_argument("--strategy", help="Latency, Resource or distributed_arithmetic")
    p.add_argument("--reuse-factor", type=int, help="reuse factor of every layer")
    p.add_argument("--multiplier-impl", help="dsp or fabric: the vendor build script's multiplier binding "
                   "(config_op mul -impl), for the estimate")
    p.add_argument("--precision", default="as-given", help="as-given (the YAML's or hls4ml's default types) "
                   "or exact (l1forge's passes choose accumulator, result and table types)")
    p.add_argument("--data", type=Path, help="verification events in firmware-input space (.npy, .npz or HDF5; several inputs: one array per input, named as the inputs)")
    p.add_argument("--dataset", help="the array (HDF5 dataset or .npz entry) of --data holding the events")
    p.add_argument("--labels", type=Path, help="class labels of the events (.npy), for accuracies")
    p.add_argument("--events", type=int, default=10_000, help="events to verify on (default 10000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic events (without --data)")
    p.add_argument("--force", action="store_true", help="replace a project folder of another source")
    p.add_argument("--json", action="store_true", help="print the manifest as JSON")
    p.set_defaults(handler=run_compile)


def run_compile(args) -> int:
    from l1forge.build import verdict
    from l1forge.compile import CompileOptions, compile_model
    from l1forge import diagnose

    options = CompileOptions(name=args.name, projects=args.projects, weights=args.weights, part=args.part,
                             clock_ns=args.clock_ns, io_type=args.io_type, backend=args.backend,
                             strategy=args.strategy, reuse_factor=args.reuse_factor,
                             multiplier_impl=args.multiplier_impl, precision=args.precision,
                             data=args.data, dataset=args.dataset, labels=args.labels, events=args.events,
                             seed=args.seed, force=args.force)
    with ERR.status("compiling"):
        result = compile_model(args.source, options, log=log)
    content = result.manifest
    if args.json:
        print(json.dumps(content, indent=1))
    else:
        print_summary(result.project_dir, content)
        if content.get("diagnosis"):
            print(diagnose.render_text(diagnose.Diagnosis.from_dict(content["diagnosis"])))
        elif content["metrics"].get("diagnosis_skipped"):
            print(f"  diagnosis: none ({content['metrics']['diagnosis_skipped']})")
    return 0 if not any(verdict(content).values()) else 1
