"""`l1forge data`: generate physics samples and describe sample files."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from l1forge.data.schema import L1_PROCESSES


def _add_generate_options(parser, what: str) -> None:
    parser.add_argument("--events", type=int, required=True, help=f"number of {what} to write")
    parser.add_argument("--seed", type=int, required=True, help="random seed (the tasks' "
                        "seeds are derived from it)")
    parser.add_argument("--out", type=Path, required=True, help="output HDF5 file")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="worker processes of a local Dask cluster, "
                       "one thread each (default: the number of cores)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on the running Dask "
                       "scheduler at ADDRESS (tcp://HOST:PORT) instead of a local cluster")
    parser.add_argument("--tasks", type=int, help="seeded tasks to split the events into "
                        "(default: one per worker); the file depends on (seed, tasks, events)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument("--json", action="store_true", help="print the provenance as JSON")


def register(subparsers) -> None:
    data = subparsers.add_parser("data", help="generate physics samples, describe sample files",
                                 description="Generate physics samples with Pythia 8 and "
                                 "describe jet (HLF) and L1-object sample files.")
    sub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    generate = sub.add_parser("generate", help="generate a sample with Pythia 8 "
                              "(needs the 'generate' extra)")
    kinds = generate.add_subparsers(dest="kind", metavar="KIND", required=True)
    jets = kinds.add_parser("jets", help="g, q, W, Z, top jets near 1 TeV with 16 HLF features")
    _add_generate_options(jets, "jets")
    jets.add_argument("--mpi", action="store_true", help="keep multi-parton interactions "
                      "(underlying event); off by default, as in the committed sample")
    jets.add_argument("--constituents", type=int, default=32, help="keep each jet's N "
                      "hardest constituents, zero-padded (default 32)")
    jets.set_defaults(handler=_generate_jets)
    l1 = kinds.add_parser("l1-objects", help="L1 objects (MET, e, mu, jets) per event")
    l1.add_argument("--process", required=True, choices=L1_PROCESSES,
                    help="the SM background mix or one of the four signals")
    _add_generate_options(l1, "events")
    l1.set_defaults(handler=_generate_l1)

    info = sub.add_parser("info", help="format, events, counts, features and provenance")
    info.add_argument("path", nargs="?", type=Path,
                      help="a sample file or numpy-split folder (default: every default sample)")
    info.add_argument("--json", action="store_true", help="machine-readable output")
    info.set_defaults(handler=_info)


def _command(args, kind: str) -> str:
    parts = ["l1forge", "data", "generate", kind]
    if kind == "l1-objects":
        parts += ["--process", args.process]
    parts += ["--events", str(args.events), "--seed", str(args.seed), "--out", str(args.out)]
    for option in ("workers", "scheduler", "tasks"):
        if getattr(args, option) is not None:
            parts += [f"--{option}", str(getattr(args, option))]
    if getattr(args, "mpi", False):
        parts.append("--mpi")
    if getattr(args, "constituents", 32) != 32:
        parts += ["--constituents", str(args.constituents)]
    return shlex.join(parts)


def _print_generated(args, provenance: dict) -> int:
    if args.json:
        print(json.dumps(provenance, indent=2, sort_keys=True))
    else:
        counts = ", ".join(f"{k} {v}" for k, v in provenance["counts"].items())
        print(f"wrote {args.out}: {counts}")
    return 0


def _engine(args):
    from l1forge.data.generate import Engine

    return Engine(workers=args.workers, scheduler=args.scheduler, tasks=args.tasks)


def _generate_jets(args) -> int:
    from l1forge.data.generate import generate_jets

    provenance = generate_jets(args.events, args.seed, args.out, _engine(args), args.mpi,
                               args.constituents, not args.no_progress, _command(args, "jets"))
    return _print_generated(args, provenance)


def _generate_l1(args) -> int:
    from l1forge.data.generate import generate_l1

    provenance = generate_l1(args.process, args.events, args.seed, args.out, _engine(args),
                             not args.no_progress, _command(args, "l1-objects"))
    return _print_generated(args, provenance)


def _info(args) -> int:
    from l1forge.data import info

    reports = [info.describe(args.path)] if args.path else info.describe_defaults()
    if args.json:
        print(json.dumps(reports[0] if args.path else reports, indent=2))
    else:
        print("\n\n".join(info.format_text(r) for r in reports))
    return 0
