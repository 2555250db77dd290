"""``ecsim sweep`` (a replicated, paired sweep into a resumable store), ``ecsim reproduce`` and ``ecsim store``."""

from __future__ import annotations

import argparse
from typing import Any

from ecsim.cli.common import Parser


def cmd_sweep(args: argparse.Namespace) -> int:
    from ecsim.experiment.cli import load_experiment, run_from_args

    return run_from_args(load_experiment(args.script), args)


def cmd_store_repair(args: argparse.Namespace) -> int:
    from ecsim.experiment.store import repair

    print(repair(args.folder))
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    from ecsim.study import reproduce

    return reproduce(args)


def _sweep_options(parser: argparse.ArgumentParser) -> None:
    from ecsim.experiment.cli import add_sweep_options

    add_sweep_options(parser)


def _study_options(parser: argparse.ArgumentParser) -> None:
    from ecsim.experiment.cli import add_sweep_options
    from ecsim.study import add_study_options

    add_sweep_options(parser, out=False)
    add_study_options(parser)


def register_sweep(sub: Any) -> None:
    """Add ``sweep`` to the subcommands ``sub``."""
    swp = sub.add_parser(
        "sweep",
        help="run (or resume) the sweep an experiment script defines",
        description="Run the sweep defined by EXPERIMENT in an experiment script, in parallel, into a "
        "resumable store (Parquet + manifest.json). Same options as `python SCRIPT`.",
        epilog="example: ecsim sweep experiments/regime_comparison.py --replicates 5 --workers 2",
    )
    swp.add_argument("script", metavar="SCRIPT", help="experiment script, e.g. experiments/regime_comparison.py")
    swp.defer(_sweep_options)
    swp.set_defaults(func=cmd_sweep)


def register_reproduce(sub: Any) -> None:
    """Add ``reproduce`` to the subcommands ``sub``."""
    rep = sub.add_parser(
        "reproduce",
        help="run every study and build every figure, table and results/REPORT.md",
        description="Run (or resume) every study in experiments/ and build its figures and tables, then "
        "results/REPORT.md. Re-running reuses stored runs. --quick uses each study's quick size "
        "(results/quick/).",
    )
    rep.add_argument("--only", metavar="A,B", help="comma-separated studies (default: all)")
    rep.add_argument("--experiments", default="experiments", metavar="DIR", help="study scripts (default experiments)")
    rep.add_argument("--results", default="results", metavar="DIR", help="results root (default results)")
    rep.defer(_study_options)
    rep.set_defaults(func=cmd_reproduce, out=None)


def register_store(sub: Any) -> None:
    """Add ``store`` (``store repair``) to the subcommands ``sub``."""
    sto = sub.add_parser(
        "store",
        help="look after a sweep's store folder (repair)",
        description="Look after the store folder of a sweep (the --out folder: Parquet parts and manifest.json).",
    )
    store_sub = sto.add_subparsers(dest="store_command", metavar="ACTION", parser_class=Parser, required=True)
    rpr = store_sub.add_parser(
        "repair",
        help="set damaged or alien parts aside and rebuild the manifest from the rest",
        description="Check every part of a store; move the parts that fail (truncated, corrupt, from another "
        "sweep or other model code, runs outside the plan, steps without their runs) into FOLDER/quarantine/, "
        "never deleting them; rebuild manifest.json from the parts that pass. Re-running the sweep's command "
        "then runs what is missing.",
    )
    rpr.add_argument("folder", metavar="FOLDER", help="the store folder (a sweep's --out)")
    rpr.set_defaults(func=cmd_store_repair)
