"""The command line of an experiment script, shared by ``python experiments/NAME.py`` and ``ecsim sweep``.

An experiment script defines ``EXPERIMENT = Experiment(...)`` and ends with::

    if __name__ == "__main__":
        raise SystemExit(main(EXPERIMENT))

Exit status: 0 all runs stored, 1 some runs failed, 2 a usage error (one line), 130 interrupted by
Ctrl-C, 143 by SIGTERM.
"""

from __future__ import annotations

import argparse
import importlib.util
import shlex
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from ecsim.experiment.executors import DaskExecutor, Executor, ProcessExecutor, SerialExecutor
from ecsim.experiment.runner import MAX_RUNS, check_size, run_experiment
from ecsim.experiment.spec import Experiment, ExperimentError
from ecsim.experiment.store import StoreError
from ecsim.model.regimes import RegimeError
from ecsim.params import ParameterError


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is reported in one line (plus where to find help).

    The parser of an experiment script; :mod:`ecsim.study` builds a study script's on it.
    """

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return value


def add_sweep_options(parser: argparse.ArgumentParser, out: bool = True) -> None:
    """The options every sweep accepts (``out=False``: no --out, for commands that run several sweeps)."""
    size = parser.add_argument_group("size (override the script's)")
    size.add_argument("--replicates", type=_positive, help="replicates per design point and regime")
    size.add_argument("--steps", type=_positive, help="steps (months) per run")
    where = parser.add_argument_group("where runs execute (default: local processes on all cores)")
    backend = where.add_mutually_exclusive_group()
    backend.add_argument("--workers", type=_positive, metavar="N", help="local worker processes")
    backend.add_argument("--serial", action="store_true", help="run in this process, one run after another")
    backend.add_argument("--dask-local", type=_positive, metavar="N", help="start a Dask LocalCluster of N workers")
    backend.add_argument("--dask-scheduler", metavar="ADDRESS", help="join a running Dask scheduler (tcp://host:port)")
    store = parser.add_argument_group("results")
    if out:
        store.add_argument("--out", metavar="DIR", help="store folder (default results/NAME); resumed if it exists")
        fresh = "discard what --out holds and start over"
    else:
        fresh = "discard each study's stored runs (results/NAME) and start over"
    store.add_argument("--fresh", action="store_true", help=fresh)
    store.add_argument(
        "--reuse",
        action="append",
        default=[],
        metavar="DIR",
        help="copy the runs this sweep shares with the store DIR (same model code, regime, parameters, seed and "
        "outputs) instead of running them again (repeatable)",
    )
    store.add_argument("--quiet", action="store_true", help="no progress bar and no summary line")
    faults = parser.add_argument_group("limits")
    faults.add_argument(
        "--run-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="stop a run that takes longer and store it as failed (default: no limit)",
    )
    faults.add_argument(
        "--max-runs",
        type=_positive,
        default=MAX_RUNS,
        metavar="N",
        help=f"refuse a design of more runs than this before starting (default {MAX_RUNS:,})",
    )


def executor_from(args: argparse.Namespace) -> Executor:
    if args.serial:
        return SerialExecutor()
    if args.dask_scheduler:
        try:
            return DaskExecutor(address=args.dask_scheduler, timeout=5)
        except Exception as exc:  # unreachable, refused, malformed: Dask raises several kinds
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ExperimentError(f"--dask-scheduler {args.dask_scheduler}: cannot connect ({reason})") from None
    if args.dask_local:
        return DaskExecutor(local_workers=args.dask_local)
    return ProcessExecutor(args.workers)


def run_from_args(experiment: Experiment, args: argparse.Namespace, prog: str = "ecsim sweep") -> int:
    """Run the sweep the parsed options ask for; print the outcome; return the exit status."""
    try:
        experiment = experiment.with_sizes(args.replicates, args.steps)
        out = Path(args.out) if args.out else Path("results") / experiment.name
        check_size(experiment, args.max_runs)  # before any worker starts
        report = run_experiment(
            experiment,
            out,
            executor_from(args),
            fresh=args.fresh,
            progress=False if args.quiet else None,
            run_timeout=args.run_timeout,
            max_runs=args.max_runs,
            command=_command(prog),
            reuse=getattr(args, "reuse", ()),
        )
    except (ExperimentError, StoreError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet or report.failed or report.interrupted:
        print(report, file=sys.stderr if (report.failed or report.interrupted) else sys.stdout)
    if report.interrupted:
        return 143 if report.signal == "SIGTERM" else 130
    return 1 if report.failed else 0


def _command(prog: str) -> str | None:
    """This process's command line, as typed (``ecsim sweep ...`` or ``python SCRIPT ...``); None when the
    options did not come from it (``main(experiment, argv)`` called from code)."""
    if prog.startswith("ecsim"):
        return shlex.join(["ecsim", *sys.argv[1:]])
    if sys.argv and prog == Path(sys.argv[0]).name:
        return shlex.join(["python", *sys.argv])
    return None


def main(experiment: Experiment, argv: Sequence[str] | None = None) -> int:
    """Entry point of an experiment script."""
    prog = Path(sys.argv[0]).name if argv is None else experiment.name
    parser = Parser(prog=prog, description=f"Run the '{experiment.name}' sweep (resumable; see --help).")
    add_sweep_options(parser)
    return run_from_args(experiment, parser.parse_args(argv), prog)


def import_script(path: str | Path, what: str = "experiment script") -> ModuleType:
    """Import a script by path without running its ``__main__`` block."""
    path = Path(path)
    if not path.is_file():
        raise ExperimentError(f"{path}: no such {what}")
    spec = importlib.util.spec_from_file_location(f"_ecsim_script_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ExperimentError(f"{path}: not a Python script")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:  # the script itself, or a module it imports
        where = (
            f"{path}, line {exc.lineno}"
            if _same_file(exc.filename, path)
            else f"{path}: {exc.filename}, line {exc.lineno}"
        )
        raise ExperimentError(f"{where}: not valid Python ({exc.msg})") from None
    except Exception as exc:  # an import that fails, an invalid Experiment(...), any error at import
        detail = str(exc).splitlines()[0] if str(exc) else ""
        if isinstance(exc, ImportError):
            what = f"cannot import ({type(exc).__name__}: {detail})"
        elif isinstance(exc, ExperimentError | ParameterError | RegimeError) and detail:  # ecsim's one-line errors
            what = detail
        else:
            what = f"the script raised {type(exc).__name__}" + (f": {detail}" if detail else "")
        raise ExperimentError(f"{path}, line {_line_in(exc, path)}: {what}") from None
    return module


def _same_file(name: str | None, path: Path) -> bool:
    try:
        return name is not None and Path(name).resolve() == path.resolve()
    except OSError:  # pragma: no cover
        return False


def _line_in(exc: BaseException, path: Path) -> int | str:
    """The line of ``path`` that was running when ``exc`` was raised (the innermost frame in the script)."""
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if _same_file(f.filename, path)]
    return lines[-1] if lines and lines[-1] is not None else "?"


def load_experiment(path: str | Path) -> Experiment:
    """The ``EXPERIMENT`` defined by a script (loaded without running its ``__main__`` block)."""
    experiment = getattr(import_script(path), "EXPERIMENT", None)
    if not isinstance(experiment, Experiment):
        raise ExperimentError(f"{path}: defines no EXPERIMENT = Experiment(...)")
    return experiment
