"""The ``ecsim`` command: a thin shell over the Python API (nothing imports it).

A user's mistake (an unknown parameter, a value out of range, an unwritable
output file) ends the command with one line on stderr that names the culprit
and what is allowed, and exit status 2; never a traceback.

Building the parser imports only light modules (:mod:`ecsim.params`,
:mod:`ecsim.model.regimes`), so ``ecsim --help`` and ``ecsim --version`` answer
without Mesa, pandas, SciPy or the experiment stack; each command imports what
it needs when it runs, and the options that the experiment layer declares are
added when their command is used (:meth:`_Parser.defer`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ecsim.params import PARAMETERS, ParameterError, did_you_mean, unknown_parameter

EPILOG = """examples:
  ecsim run --regime flexible --seed 7
  ecsim run --regime centralised --seed 7 --steps 120 --set decision_rule=qualified_majority --out run.parquet
  ecsim compare --seed 7 --set market_concentration=0.9
  ecsim sweep experiments/regime_comparison.py --replicates 5 --workers 2
  ecsim params
  ecsim validate --quick
  ecsim store repair results/regime_comparison
  ecsim explore --port 8765
"""


class UsageError(Exception):
    """A mistake in the command line or its files; reported as one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is reported in one line (plus where to find help).

    :meth:`defer` adds options when the parser is first used (to parse arguments or to
    print its usage or help), so that building every command's parser imports no heavy module.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deferred: list[Callable[[argparse.ArgumentParser], None]] = []

    def defer(self, add_options: Callable[[argparse.ArgumentParser], None]) -> None:
        """Call ``add_options(self)`` when this parser is first used, not now."""
        self._deferred.append(add_options)

    def _add_deferred(self) -> None:
        while self._deferred:
            self._deferred.pop(0)(self)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        self._add_deferred()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self._add_deferred()
        return super().format_usage()

    def format_help(self) -> str:
        self._add_deferred()
        return super().format_help()

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


class _Version(argparse.Action):
    """``--version``: the installed version, read from the package metadata only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show program's version number and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from ecsim._version import __version__

        print(f"ecsim {__version__}")  # on stdout, as argparse's own version action
        parser.exit()


def _seed(text: str) -> int:
    """argparse type for --seed: a non-negative integer."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a non-negative integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a non-negative integer")
    return value


def _port(text: str) -> int:
    """argparse type for --port: 0 (a free port) or 1-65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return value


def _parse_sets(pairs: Sequence[str] | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for pair in pairs or ():
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set {pair!r}: expected NAME=VALUE, e.g. --set issue_rate=2")
        if name not in PARAMETERS:
            raise ParameterError(f"--set {pair!r}: {unknown_parameter(name)}")
        values[name] = PARAMETERS[name].parse(text)
    return values


def _params(args: argparse.Namespace) -> dict[str, Any]:
    params = _parse_sets(args.set)
    if args.steps is not None:
        params["steps"] = PARAMETERS["steps"].validate(args.steps)
    return params


def _check_out(path: str | None, suffixes: tuple[str, ...]) -> Path | None:
    if path is None:
        return None
    out = Path(path)
    if out.suffix not in suffixes:
        raise UsageError(f"--out {path}: the file name must end in {' or '.join(suffixes)}")
    if not out.parent.exists():
        raise UsageError(f"--out {path}: the folder {out.parent} does not exist")
    if out.is_dir():
        raise UsageError(f"--out {path}: is a folder; give a file name")
    return out


def _write(df: Any, out: Path) -> None:
    try:
        if out.suffix == ".parquet":
            df.to_parquet(out, index=False)
        else:
            df.to_csv(out, index=False)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write ({exc.strerror or exc})") from None


def cmd_run(args: argparse.Namespace) -> int:
    from ecsim.model import EnhancedCooperationModel, summarise
    from ecsim.model.summary import tidy_metrics

    params = _params(args)
    out = _check_out(args.out, (".parquet", ".csv"))
    start = time.perf_counter()
    model = EnhancedCooperationModel(regime=args.regime, rng=args.seed, **params).run()
    seconds = time.perf_counter() - start
    summary = summarise(model)
    print(f"regime {args.regime}, seed {args.seed}, {summary['steps']} steps in {seconds:.2f} s")
    for key, value in summary.items():
        if key != "steps":
            print(f"  {key:<18} {value:,.3f}" if isinstance(value, float) else f"  {key:<18} {value:,}")
    if out is not None:
        _write(tidy_metrics(model), out)
        print(f"per-step table: {out}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from ecsim.model import REGIMES, compare
    from ecsim.model.metrics import SUMMARY

    params = _params(args)
    regimes = [r.strip() for r in args.regimes.split(",") if r.strip()] if args.regimes else list(REGIMES)
    out = _check_out(args.out, (".csv", ".parquet"))
    start = time.perf_counter()
    table = compare(seed=args.seed, regimes=regimes, **params)
    seconds = time.perf_counter() - start
    # The summary metrics that are better or worse (not the descriptive ones); --out keeps every column.
    compared = (metric.name for metric in SUMMARY if metric.lower_is_better is not None)
    shown = table[["regime", "harm_reduction", *compared]]
    print(f"Regimes on seed {args.seed} (paired: same stakeholders, same issues), {seconds:.1f} s")
    print("harm_reduction = 1 - cumulative harm / cumulative harm of no_cooperation\n")
    print(shown.to_string(index=False, float_format=lambda x: f"{x:,.3f}"))
    print("(every summary metric: --out FILE.csv)")
    if out is not None:
        _write(table, out)
        print(f"\ntable: {out}")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    from ecsim.params import table

    if args.markdown:
        print(table())
        return 0
    for p in PARAMETERS.values():
        default = ",".join(f"{k}:{v:g}" for k, v in p.default.items()) if p.kind == "mix" else p.default
        print(f"{p.name}  (default {default}; {p.allowed}; unit: {p.unit}; {_plausible(p)})")
        print(f"    {p.description}  [{p.source}]")
    return 0


def _plausible(p: Any) -> str:
    """The range (or choices) a sensitivity analysis explores, as ``ecsim params --markdown`` shows it."""
    if p.plausible is None:
        return "no plausible range (not varied in sensitivity analyses)"
    if p.kind == "choice":
        return "plausible (sensitivity): " + ("every choice" if p.plausible == p.choices else ", ".join(p.plausible))
    if p.switched_off:  # a mechanism off by default: its range is where it acts once turned on
        return f"plausible when on: {p.plausible[0]:g}-{p.plausible[1]:g} (off = {p.off:g}, the default: not varied)"
    if p.inert:  # acts only through a mechanism that is off by default
        return f"plausible when {p.switch} is on: {p.plausible[0]:g}-{p.plausible[1]:g} (not varied while it is off)"
    return f"plausible (sensitivity): {p.plausible[0]:g}-{p.plausible[1]:g}"


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


def _positive(text: str) -> int:
    """argparse type for --replicates and --workers: a whole number of at least 1."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a whole number of at least 1")
    return int(text)


def _validate_command(args: argparse.Namespace) -> str:
    """The ``ecsim validate`` command line that reproduces ``args`` (written into the report)."""
    words = ["ecsim validate"]
    words += ["--quick"] if args.quick else []
    words += [] if args.scenario == "defaults" else [f"--scenario {args.scenario}"]
    words += [] if args.replicates is None else [f"--replicates {args.replicates}"]
    words += [] if args.seed == 0 else [f"--seed {args.seed}"]
    words += [] if args.steps is None else [f"--steps {args.steps}"]
    words += [f"--set {pair}" for pair in args.set or ()]
    words += [] if args.workers == 1 else [f"--workers {args.workers}"]
    return " ".join([*words, f"--out {args.out}"])


def cmd_validate(args: argparse.Namespace) -> int:
    from ecsim.validation import scenarios
    from ecsim.validation.run import validate

    known = scenarios.names()
    if args.scenario not in known:
        raise UsageError(
            f"--scenario {args.scenario}: not a known scenario; expected one of {', '.join(known)}"
            + did_you_mean(args.scenario, known)
        )
    out = _check_out(args.out, (".md",))
    params = _params(args)
    start = time.perf_counter()
    result = validate(args.scenario, args.replicates, args.seed, args.quick, args.workers, params)
    seconds = time.perf_counter() - start
    print(f"Validation against {len(result.table)} empirical patterns, {seconds:.1f} s")
    print(result.header())
    print()
    print(result.text())
    if out is not None:
        from ecsim.validation.run import figures, markdown

        try:
            paths = figures(result, out.parent / "img")
            out.write_text(markdown(result, paths, out, _validate_command(args)) + "\n")
        except OSError as exc:
            raise UsageError(f"--out {out}: cannot write ({exc.strerror or exc})") from None
        print(f"\nreport: {out} (figures in {out.parent / 'img'})")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from ecsim.validation import calibrate as abc

    samples = args.samples or (abc.QUICK_SAMPLES if args.quick else abc.SAMPLES)
    replicates = args.replicates or (abc.QUICK_REPLICATES if args.quick else abc.REPLICATES)
    out = Path(args.out) if args.out else Path("results") / ("quick" if args.quick else "") / "calibration"
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file; give a folder")
    params = _params(args)
    start = time.perf_counter()
    try:
        result = abc.calibrate(out, samples, replicates, args.seed, params, args.workers, progress=not args.quiet)
    except abc.CalibrationError as exc:
        raise UsageError(f"--out {out}: {exc}") from None
    print(f"Calibration by rejection ABC, {time.perf_counter() - start:.1f} s -> {out}")
    print(result.text())
    paths = abc.figures(result, out / "figures")
    print(f"\nfigures: {', '.join(str(p) for p in paths.values())}")
    if args.install:
        try:
            print(f"calibrated scenario: {abc.install(result)} ({len(result.posterior)} parameter sets)")
        except abc.CalibrationError as exc:
            raise UsageError(f"--install: {exc}") from None
    return 0


def cmd_explore(args: argparse.Namespace) -> int:
    from ecsim.viz.server import PortError, check_port, free_port

    try:  # before the slow imports: a busy port or a bad host fails at once
        port = args.port or free_port(args.host)
        check_port(args.host, port)
    except PortError as exc:
        raise UsageError(f"--port {args.port}: {exc}") from None
    except OSError as exc:  # e.g. an unknown host name
        raise UsageError(f"--host {args.host}: cannot listen there ({exc.strerror or exc})") from None
    from ecsim.viz.server import serve

    try:
        serve(
            port=port,
            host=args.host,
            max_sessions=args.max_sessions,
            idle_timeout=args.idle_timeout,
            allow_hosts=args.allow_host or (),
        )
    except PortError as exc:  # taken in the meantime
        raise UsageError(f"--port {args.port}: {exc}") from None
    except RuntimeError as exc:
        print(f"ecsim: error: {exc}", file=sys.stderr)
        return 1
    return 0


def _sweep_options(parser: argparse.ArgumentParser) -> None:
    from ecsim.experiment.cli import add_sweep_options

    add_sweep_options(parser)


def _study_options(parser: argparse.ArgumentParser) -> None:
    from ecsim.experiment.cli import add_sweep_options
    from ecsim.study import add_study_options

    add_sweep_options(parser, out=False)
    add_study_options(parser)


def build_parser() -> argparse.ArgumentParser:
    """The ``ecsim`` command line; builds from light modules only (see the module docstring)."""
    from ecsim.model.regimes import REGIMES

    parser = _Parser(
        prog="ecsim",
        description="Agent-based simulation of enhanced cooperation in Internet governance: "
        "governments, companies, civil society and the technical community negotiate norms "
        "under centralised, flexible, self-regulatory or no enhanced cooperation.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def model_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--seed", type=_seed, default=0, help="root seed (default 0); same seed, same numbers")
        p.add_argument("--steps", type=int, default=None, help="number of monthly steps (default 240 = 20 years)")
        p.add_argument(
            "--set",
            action="append",
            metavar="NAME=VALUE",
            help="set a model parameter (repeatable); `ecsim params` lists them. "
            "issue_mix takes category:weight pairs, e.g. issue_mix=national:1,corporate_harm:3",
        )

    run = sub.add_parser(
        "run",
        help="run one regime and print a summary",
        description="Run the model under one regime and print a summary; --out writes the per-step table "
        "(one row per step, with the seed and every parameter alongside).",
    )

    def regime_name(text: str) -> str:
        if text not in REGIMES:
            raise argparse.ArgumentTypeError(
                f"invalid choice: {text!r}: expected one of {', '.join(REGIMES)}{did_you_mean(text, REGIMES)}"
            )
        return text

    run.add_argument(
        "--regime",
        type=regime_name,
        default="flexible",
        metavar="{" + ",".join(REGIMES) + "}",
        help="governance regime (default flexible)",
    )
    model_options(run)
    run.add_argument("--out", metavar="FILE", help="write the per-step table to FILE.parquet (or FILE.csv)")
    run.set_defaults(func=cmd_run)

    comp = sub.add_parser(
        "compare",
        help="run every regime on one seed and compare harm reduction",
        description="Run regimes on the same seed (common random numbers) and print harm reduction "
        "against no_cooperation with the other outputs.",
    )
    comp.add_argument(
        "--regimes",
        metavar="A,B",
        default=None,
        help="comma-separated regimes (default: " + ",".join(REGIMES) + ")",
    )
    model_options(comp)
    comp.add_argument("--out", metavar="FILE", help="also write the table to FILE.csv (or FILE.parquet)")
    comp.set_defaults(func=cmd_compare)

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

    exp = sub.add_parser(
        "explore",
        help="serve the interactive explorer (a web page) on this machine",
        description="Serve the interactive explorer (Mesa's SolaraViz): pick the regime and the main "
        "parameters, step or run the model, and watch harm, open issues, compliance, agreements and "
        "which venue handles which issue. Open the printed address in a browser; Ctrl-C stops it. "
        "In Jupyter, `ecsim.viz.explorer()` shows the same page.",
    )
    exp.add_argument("--port", type=_port, default=8765, help="port to listen on (default 8765; 0: any free port)")
    exp.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 shares it with your "
        "network, unauthenticated)",
    )

    def max_sessions(text: str) -> int:
        if not text.strip().isdigit() or int(text) < 1:
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a whole number of at least 1")
        return int(text)

    def duration(text: str) -> float:
        """Seconds from e.g. 300, 90s, 5m, 1h."""
        number, unit = (text[:-1], text[-1]) if text[-1:] in ("s", "m", "h") else (text, "s")
        try:
            seconds = float(number) * {"s": 1, "m": 60, "h": 3600}[unit]
        except ValueError:
            seconds = float("nan")
        if not 0 < seconds < float("inf"):
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a duration such as 90s, 5m or 1h")
        return seconds

    def host_name(text: str) -> str:
        name = text.strip().removeprefix("[").removesuffix("]")
        if not name or any(c in name for c in "/?#@ ") or name.count(":") == 1:
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a host name or address (no port)")
        return name

    exp.add_argument(
        "--max-sessions",
        type=max_sessions,
        default=8,
        metavar="N",
        help="browser tabs served at once, each with its own model (default 8); more are refused "
        "(HTTP 503) until one closes",
    )
    exp.add_argument(
        "--idle-timeout",
        type=duration,
        default=300.0,
        metavar="TIME",
        help="close a session this long after its last tab disconnected (default 5m; e.g. 90s, 10m, 1h)",
    )
    exp.add_argument(
        "--allow-host",
        type=host_name,
        action="append",
        metavar="NAME",
        help="also answer to this host name or address (repeatable); the server answers only to the "
        "address it listens on (on 127.0.0.1 also localhost; on 0.0.0.0 this machine's name and "
        "addresses) and refuses other Host and Origin headers (HTTP 403)",
    )
    exp.set_defaults(func=cmd_explore)

    val = sub.add_parser(
        "validate",
        help="compare the model with empirical patterns (WGEC, WCIT-12, treaty durations, national law)",
        description="Run the model for each empirical pattern (docs/ODD.md §1.2) on paired seeds and print, per "
        "pattern, the model's statistic with its 95% bootstrap interval over seeds, the target with its "
        "tolerance, and pass or fail; the held-out pattern is marked. Until calibration exists the scenario is "
        "the defaults (uncalibrated). --out FILE.md writes the report with a figure per pattern (in img/ beside it).",
    )
    val.add_argument("--quick", action="store_true", help="5 replicates instead of 20: a first look in seconds")
    val.add_argument(
        "--scenario", default="defaults", metavar="NAME", help="named parameter scenario (default: defaults)"
    )
    val.add_argument("--replicates", type=_positive, default=None, metavar="N", help="runs per pattern (default 20)")
    val.add_argument("--workers", type=_positive, default=1, metavar="N", help="local processes (default 1)")
    model_options(val)
    val.add_argument("--out", metavar="FILE.md", help="also write the report (Markdown) and its figures")
    val.set_defaults(func=cmd_validate)

    cal = sub.add_parser(
        "calibrate",
        help="fit the negotiation parameters to the empirical patterns (rejection ABC), resumably",
        description="Draw prior points of the calibrated parameters (a Latin hypercube over their plausible ranges), "
        "run each calibration pattern's setting on paired seeds, and accept the points at which every calibration "
        "pattern's statistic lies within its accepted interval (docs/ODD.md §1.2). Writes points.csv, posterior.csv, "
        "calibration.json and figures to --out; a stopped calibration resumes there. --install makes the posterior "
        "the 'calibrated' scenario of `ecsim validate --scenario calibrated`.",
    )
    cal.add_argument("--quick", action="store_true", help="16 prior points, 1 replicate: a first look")
    cal.add_argument("--samples", type=_positive, default=None, metavar="N", help="prior points (default 400)")
    cal.add_argument("--replicates", type=_positive, default=None, metavar="N", help="runs per point (default 2)")
    cal.add_argument("--workers", type=_positive, default=1, metavar="N", help="local processes (default 1)")
    cal.add_argument("--out", metavar="DIR", help="the calibration's folder (default results/calibration)")
    cal.add_argument("--install", action="store_true", help="make the posterior the 'calibrated' scenario")
    cal.add_argument("--quiet", action="store_true", help="no progress bar")
    model_options(cal)
    cal.set_defaults(func=cmd_calibrate)

    sto = sub.add_parser(
        "store",
        help="look after a sweep's store folder (repair)",
        description="Look after the store folder of a sweep (the --out folder: Parquet parts and manifest.json).",
    )
    store_sub = sto.add_subparsers(dest="store_command", metavar="ACTION", parser_class=_Parser, required=True)
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

    prm = sub.add_parser(
        "params",
        help="list every model parameter",
        description="List every parameter: default, allowed values, unit, meaning and source.",
    )
    prm.add_argument("--markdown", action="store_true", help="print a Markdown table (as in docs/ODD.md)")
    prm.set_defaults(func=cmd_params)
    return parser


def _user_error(exc: Exception) -> bool:
    """Whether ``exc`` is a user's mistake (one line, exit status 2) rather than a bug (a traceback)."""
    if isinstance(exc, (ParameterError, UsageError)):
        return True
    try:  # imported only now, so that parsing the command line stays light
        from ecsim.experiment import ExperimentError, StoreError
        from ecsim.model import RegimeError
    except ImportError:  # a broken installation: let the original traceback show
        return False
    return isinstance(exc, (RegimeError, ExperimentError, StoreError))


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
        if not _user_error(exc):
            raise
        print(f"ecsim: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
