"""``ecsim validate`` (the model against the empirical patterns, docs/ODD.md §1.2) and ``ecsim calibrate`` (rejection
ABC of the negotiation parameters to them, ecsim.validation.calibrate)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ecsim.cli.common import UsageError, check_out, count, model_options, model_params
from ecsim.params import did_you_mean


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
    out = check_out(args.out, (".md",))
    params = model_params(args)
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
    params = model_params(args)
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


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``validate`` and ``calibrate``."""
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
    val.add_argument("--replicates", type=count(1), default=None, metavar="N", help="runs per pattern (default 20)")
    val.add_argument("--workers", type=count(1), default=1, metavar="N", help="local processes (default 1)")
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
    cal.add_argument("--samples", type=count(1), default=None, metavar="N", help="prior points (default 400)")
    cal.add_argument("--replicates", type=count(1), default=None, metavar="N", help="runs per point (default 2)")
    cal.add_argument("--workers", type=count(1), default=1, metavar="N", help="local processes (default 1)")
    cal.add_argument("--out", metavar="DIR", help="the calibration's folder (default results/calibration)")
    cal.add_argument("--install", action="store_true", help="make the posterior the 'calibrated' scenario")
    cal.add_argument("--quiet", action="store_true", help="no progress bar")
    model_options(cal)
    cal.set_defaults(func=cmd_calibrate)
