"""Command line: argument parsing and printing only; every action lives in a stage module.

Each command group is one module with `register(subparsers)`, which adds its parser and sets
`handler(args) -> int`. They are listed here explicitly, in the order of the flow.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings

from l1forge import __version__
from l1forge.errors import EXIT_USER_ERROR, UserError

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose pipe closed


def _command_modules():
    # Imported lazily so `l1forge --help` stays fast and a broken optional stage cannot
    # stop the others from working.
    # Each command group adds its own line here when it lands.
    from l1forge.cli import build, compile, data, emulate, report, rtl, scan, trigger

    return [data, build, compile, emulate, report, rtl, trigger, scan]


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="l1forge",
        description="Compile Level-1 trigger neural networks into FPGA firmware.",
    )
    parser.add_argument("--version", action="version", version=f"l1forge {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(sub)
    return parser


def quiet_libraries() -> None:
    """TensorFlow's start-up chatter and Keras' HDF5/QKeras serialization warnings say nothing
    to a user of l1forge; l1forge's own messages and errors are unaffected."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    warnings.filterwarnings("ignore", category=UserWarning, module=r"keras(\.|$)")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    quiet_libraries()
    try:
        try:
            return run(argv)
        finally:
            sys.stdout.flush()  # inside the try: a closed pipe raises here, not at exit
    except BrokenPipeError:
        # The reader went away (`l1forge ... | head`): stop quietly. Point stdout at devnull
        # so the interpreter's final flush does not raise a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def run(argv: list[str] | None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        return int(args.handler(args) or 0)
    except UserError as err:
        print(f"l1forge: error: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("l1forge: interrupted; nothing half-written was left in place", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
