"""The ``ecsim`` command: a thin shell over the Python API (nothing imports it).

A user's mistake (an unknown parameter, a value out of range, an unwritable
output file) ends the command with one line on stderr that names the culprit
and what is allowed, and exit status 2; never a traceback.

One module per group of commands: :mod:`~ecsim.cli.runs` (``run``, ``compare``),
:mod:`~ecsim.cli.sweeps` (``sweep``, ``reproduce``, ``store``),
:mod:`~ecsim.cli.results` (``export``, ``plot``),
:mod:`~ecsim.cli.explore` (``explore``), :mod:`~ecsim.cli.validation` (``validate``, ``calibrate``),
:mod:`~ecsim.cli.glossary` (``params``, ``metrics``);
what they share is in :mod:`~ecsim.cli.common`.  Building the parser imports
only light modules (:mod:`ecsim.params`, :mod:`ecsim.model.regimes`), so
``ecsim --help`` and ``ecsim --version`` answer without Mesa, pandas, SciPy or
the experiment stack; each command imports what it needs when it runs, and the
options that the experiment layer declares are added when their command is used
(:meth:`~ecsim.cli.common.Parser.defer`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ecsim.cli import explore, glossary, results, runs, sweeps, validation
from ecsim.cli.common import Parser, UsageError, Version, user_error

EPILOG = """examples:
  ecsim run --regime flexible --seed 7
  ecsim run --regime centralised --seed 7 --steps 120 --set decision_rule=qualified_majority --out run.parquet
  ecsim compare --seed 7 --set market_concentration=0.9
  ecsim sweep experiments/regime_comparison.py --replicates 5 --workers 2
  ecsim sweep --regimes flexible,centralised --factor monitoring_capacity=0:1 --design lhs --samples 20 --out DIR
  ecsim export DIR --csv
  ecsim plot DIR --metric harm
  ecsim params
  ecsim metrics
  ecsim validate --quick
  ecsim calibrate --quick
  ecsim store repair results/regime_comparison
  ecsim explore --port 8765
"""


def build_parser() -> argparse.ArgumentParser:
    """The ``ecsim`` command line; builds from light modules only (see the module docstring)."""
    parser = Parser(
        prog="ecsim",
        description="Agent-based simulation of enhanced cooperation in Internet governance: "
        "governments, companies, civil society and the technical community negotiate norms "
        "under centralised, flexible, self-regulatory or no enhanced cooperation.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    runs.register(sub)
    sweeps.register_sweep(sub)
    results.register(sub)
    sweeps.register_reproduce(sub)
    explore.register(sub)
    sweeps.register_store(sub)
    validation.register(sub)
    glossary.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("ecsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if not user_error(exc):
            raise
        print(f"ecsim: error: {exc}", file=sys.stderr)
        return 2


__all__ = ["UsageError", "build_parser", "main"]
