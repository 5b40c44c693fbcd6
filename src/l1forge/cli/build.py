"""`l1forge train`, `l1forge build`, `l1forge csim`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console

ERR = Console(stderr=True)


def register(sub) -> None:
    p = sub.add_parser("train", help="quantization-aware training of a model card")
    p.add_argument("card", type=Path, help="model card (YAML), e.g. l1models/jet_id.yaml")
    p.add_argument("--projects", type=Path, default=Path("hls_projects"),
                   help="projects folder; trained models go to PROJECTS/.trained (default hls_projects)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a card field, e.g. training.epochs=5 (repeatable)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(handler=run_train)

    p = sub.add_parser("build", help="train if needed, convert with hls4ml, C-simulate, write the project")
    p.add_argument("card", type=Path)
    p.add_argument("--projects", type=Path, default=Path("hls_projects"))
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--events", type=int, default=10_000, help="C-simulation events (default 10000)")
    p.add_argument("--force", action="store_true", help="replace a project folder of another card")
    p.add_argument("--json", action="store_true", help="print the manifest as JSON")
    p.set_defaults(handler=run_build)

    p = sub.add_parser("csim", help="C-simulation of a built project or any hls4ml project folder",
                       description="Compile the project's firmware with l1forge's test bench (g++) and "
                       "compare its outputs bit for bit with hls4ml's compiled model. An l1forge project "
                       "runs on its stored test events; a folder without l1forge.json (any hls4ml "
                       "project) on --data or on seeded synthetic events, and is left untouched.")
    p.add_argument("project", type=Path)
    p.add_argument("--events", type=int, default=10_000,
                   help="events to simulate (the first N of --data; default 10000)")
    p.add_argument("--data", type=Path, metavar="FILE",
                   help="events in firmware-input space: .npy, or .npz/HDF5 (with --dataset, or one array per input)")
    p.add_argument("--dataset", help="the array (HDF5 dataset or .npz entry) of --data holding the events")
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic events (default 0)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_csim)


def parse_overrides(items: list[str]) -> dict:
    import yaml

    from l1forge.errors import UserError

    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"--set '{item}': expected KEY=VALUE, e.g. training.epochs=5")
        overrides[key] = yaml.safe_load(value)
    return overrides


def log(message: str) -> None:
    ERR.print(f"[dim]l1forge:[/dim] {message}")


def run_train(args) -> int:
    from l1forge.tasks import load_card
    from l1forge.tasks.training import train

    card = load_card(args.card, parse_overrides(args.set))
    with ERR.status(f"training {card.name}"):
        trained = train(card, args.projects, log=log)
    if args.json:
        print(json.dumps({"trained": str(trained.directory), "metrics": trained.metrics}, indent=1))
    else:
        m = trained.metrics
        print(f"trained {card.name} -> {trained.directory}")
        for key in ("float_accuracy", "qat_accuracy"):
            if key in m:
                print(f"  {key:16s} {m[key]:.4f}")
    return 0


def run_build(args) -> int:
    from l1forge.build import build_project

    with ERR.status("building"):
        result = build_project(args.card, args.projects, force=args.force,
                               overrides=parse_overrides(args.set), csim_events=args.events, log=log)
    if args.json:
        print(json.dumps(result.manifest, indent=1))
    else:
        print_summary(result.project_dir, result.manifest)
    return 0 if result.ok else 1


def print_summary(project_dir, content: dict) -> None:
    """The build's figures, budget verdicts and report warnings."""
    print(f"project {project_dir}")
    for key, value in content["metrics"].items():
        if isinstance(value, float):
            print(f"  {key:32s} {value:.4f}")
    c = content["csim"]
    print(f"  C-simulation: {c['events']} events, {c['mismatches']} mismatches vs hls4ml predict "
          f"({c['seconds']:.2f} s)")
    e = content.get("emulator", {})
    if e.get("supported"):
        print(f"  emulator: {e['events']} events, {e['mismatches']} mismatches vs C-simulation")
    elif e:
        print(f"  emulator: not available for this model ({e['reason']})")
    est = content.get("report", {}).get("estimate")
    if est:
        print(f"  estimate: latency {est['latency_cycles']} cycles ({est['latency_ns']:.0f} ns), "
              f"II {est['ii']}, DSP {est['dsp']}, LUT {est['lut']}, FF {est['ff']}, "
              f"BRAM_18K {est['bram_18k']}")
    for check in content.get("report", {}).get("budget", {}).get("checks", []):
        verdict = {True: "pass", False: "FAIL", None: "n/a"}[check["pass"]]
        print(f"  {check['check']}: {verdict} ({check['detail']}, {check['source']})")
    for note in content.get("report", {}).get("notes", []):
        print(f"  note: {note}")
    for warning in content.get("report", {}).get("warnings", []):
        print(f"  warning: {warning}")


def run_csim(args) -> int:
    from l1forge.csim import rerun

    with ERR.status("C-simulation"):
        result = rerun(args.project, args.events, log=log, data=args.data, dataset=args.dataset,
                       seed=args.seed)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"C-simulation of {args.project}: {result['events']} events, "
              f"{result['mismatches']} mismatches vs hls4ml predict ({result['seconds']:.2f} s)")
        for event, output, got, want in result["first_mismatches"]:
            print(f"  event {event} output {output}: csim {got!r} predict {want!r}")
        if "inputs" in result:
            inputs = result["inputs"]
            arrays = inputs.get("datasets") or ([inputs["dataset"]] if inputs.get("dataset") else [])
            where = inputs.get("file") or "seed %d" % inputs["seed"]
            print(f"  inputs: {inputs['kind']} ({where}{' [' + ', '.join(arrays) + ']' if arrays else ''})")
        if "firmware" in result:
            print(f"  firmware: {result['firmware']}")
        emulator = result.get("emulator")
        if emulator and emulator.get("supported"):
            print(f"  emulator: {emulator['events']} events, {emulator['mismatches']} mismatches vs C-simulation")
        elif emulator:
            print(f"  emulator: not available for this model ({emulator['reason']})")
    sys.stdout.flush()
    return 0 if result["ok"] else 1
