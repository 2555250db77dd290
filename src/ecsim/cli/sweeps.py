"""``ecsim sweep`` (a replicated, paired sweep into a resumable store), ``ecsim reproduce`` and ``ecsim store``.

``ecsim sweep SCRIPT`` runs the ``EXPERIMENT`` a script defines; without a script the command line
defines it, BehaviorSpace-style (:func:`experiment_from_args`)::

    ecsim sweep --regimes flexible,centralised --factor monitoring_capacity=0:1 \\
        --factor decision_rule=consensus,qualified_majority --design lhs --samples 20 --replicates 5 --out DIR

Both build an :class:`~ecsim.experiment.Experiment` and run it through the same engine
(:func:`ecsim.experiment.cli.run_from_args`): the same store, resume, executors and limits.  The
store's manifest records the specification and its hash, so the same command resumes and a
different one is refused.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from ecsim.cli.common import Parser, UsageError, count, parse_sets
from ecsim.params import PARAMETERS, ParameterError, did_you_mean, unknown_parameter

#: The options that define an experiment on the command line (without SCRIPT), by attribute.
DEFINING = {
    "regimes": "--regimes",
    "factor": "--factor",
    "set": "--set",
    "design": "--design",
    "seed": "--seed",
    "name": "--name",
    "outputs": "--outputs",
    "step_every": "--step-every",
}
#: The name of an experiment defined on the command line, unless --name gives another (its default folder
#: is results/NAME; the name is part of the specification, so a resume must use the same one).
DEFAULT_NAME = "sweep"
FACTOR_HELP = (
    "a parameter that varies (repeatable): NAME=LOW:HIGH a range sampled by the design (NAME=LOW:HIGH:K "
    "for K evenly spaced levels, as the factorial and ablation designs need), NAME=A,B,C a list of levels "
    "(categorical or numbers), NAME=VALUE a fixed value"
)


def cmd_sweep(args: argparse.Namespace) -> int:
    from ecsim.experiment.cli import load_experiment, run_from_args

    if args.script is not None:
        given = [option for attr, option in DEFINING.items() if getattr(args, attr) not in (None, [])]
        if given:
            raise UsageError(
                f"{given[0]}: {args.script} defines the experiment; give either SCRIPT or the options that "
                f"define one ({', '.join(DEFINING.values())}), not both"
            )
        experiment = load_experiment(args.script)
        _check_samples(args.samples, experiment.design)
        experiment = experiment.with_sizes(samples=args.samples)
    else:
        experiment = experiment_from_args(args)
    return run_from_args(experiment, args)


def _check_samples(samples: int | None, design: str) -> None:
    from ecsim.experiment.spec import LEVELLED_DESIGNS

    if samples is not None and design in LEVELLED_DESIGNS:
        raise UsageError(
            f"--samples {samples}: the {design} design takes no samples (its points follow from the factors' "
            "levels); --samples sizes lhs, sobol, morris and saltelli"
        )


def parse_factor(text: str) -> tuple[str, Any]:
    """``--factor NAME=SPEC`` as (name, value): a ``Range``, ``Levels`` or a fixed value, each checked
    against the parameter's declaration (UsageError or ParameterError, one line naming the option)."""
    from ecsim.experiment.spec import Levels, Range

    option = f"--factor {text}"
    name, sep, spec = text.partition("=")
    name, spec = name.strip(), spec.strip()
    if not sep or not name or not spec:
        raise UsageError(f"{option}: expected NAME=LOW:HIGH, NAME=A,B,C or NAME=VALUE, e.g. monitoring_capacity=0:1")
    if name not in PARAMETERS:
        raise ParameterError(f"{option}: {unknown_parameter(name)}")
    if name == "steps":
        raise UsageError(f"{option}: the run length is not a factor; set it with --steps")
    p = PARAMETERS[name]
    try:
        if p.kind == "mix":  # category:weight pairs: its commas and colons are one value
            return name, p.parse(spec)
        if ":" in spec:
            if p.kind not in ("int", "float"):
                raise UsageError(f"{option}: {name} is {p.allowed}, so it takes a list of levels (A,B,C), not a range")
            bounds = spec.split(":")
            if len(bounds) not in (2, 3):
                raise UsageError(f"{option}: a range is LOW:HIGH or LOW:HIGH:K (K levels)")
            low, high = p.parse(bounds[0]), p.parse(bounds[1])
            if not low < high:
                raise UsageError(f"{option}: a range needs LOW < HIGH ({name} is {p.allowed})")
            levels = None
            if len(bounds) == 3:
                if not bounds[2].strip().isdigit() or int(bounds[2]) < 2:
                    raise UsageError(f"{option}: K (the number of levels) must be a whole number >= 2")
                levels = int(bounds[2])
            return name, Range(low, high, levels)
        if "," in spec:
            values = [v.strip() for v in spec.split(",")]
            if "" in values:
                raise UsageError(f"{option}: an empty level; expected NAME=A,B,C")
            levels_ = [p.parse(v) for v in values]
            if len(set(levels_)) != len(levels_):
                raise UsageError(f"{option}: a level is listed twice")
            return name, Levels(levels_)
        return name, p.parse(spec)
    except ParameterError as exc:
        raise ParameterError(f"{option}: {exc}") from None


def experiment_from_args(args: argparse.Namespace) -> Any:
    """The :class:`~ecsim.experiment.Experiment` the command line defines (``ecsim sweep`` without SCRIPT)."""
    from ecsim.experiment.spec import DESIGNS, LEVELLED_DESIGNS, Experiment, Range
    from ecsim.model.metrics import METRICS
    from ecsim.model.regimes import REGIMES

    fixed = parse_sets(args.set)
    if "steps" in fixed:
        raise UsageError("--set steps: set the run length with --steps")
    factors: dict[str, Any] = {}
    for text in args.factor or ():
        name, value = parse_factor(text)
        if name in fixed or name in factors:
            raise UsageError(f"--factor {text}: {name} is given twice (--factor or --set); give it once")
        if isinstance(value, Range) or hasattr(value, "values"):
            factors[name] = value
        else:
            fixed[name] = value
    regimes = None
    if args.regimes is not None:
        regimes = [r.strip() for r in args.regimes.split(",") if r.strip()]
        unknown = next((r for r in regimes if r not in REGIMES), None)
        if unknown is not None or not regimes:
            raise UsageError(
                f"--regimes {args.regimes}: {unknown!r} is not a regime: expected some of {', '.join(REGIMES)}"
                + did_you_mean(unknown, REGIMES)
                if unknown is not None
                else f"--regimes {args.regimes!r}: expected some of {', '.join(REGIMES)}, comma-separated"
            )
    design = args.design or "factorial"
    if design not in DESIGNS:
        raise UsageError(f"--design {design}: expected one of {', '.join(DESIGNS)}{did_you_mean(design, DESIGNS)}")
    if design in LEVELLED_DESIGNS:
        bare = next((n for n, f in factors.items() if isinstance(f, Range) and f.levels is None), None)
        if bare is not None:
            raise UsageError(
                f"--factor {bare}: the {design} design needs levels: give {bare}=LOW:HIGH:K or a list A,B,C, "
                "or a sampled --design (lhs, sobol, morris, saltelli)"
            )
    _check_samples(args.samples, design)
    outputs = None
    if args.outputs is not None:
        outputs = tuple(o.strip() for o in args.outputs.split(",") if o.strip())
        unknown = next((o for o in outputs if o not in METRICS), None)
        if unknown is not None:
            raise UsageError(
                f"--outputs {args.outputs}: {unknown!r} is not a metric (see `ecsim metrics`)"
                + did_you_mean(unknown, METRICS)
            )
    spec: dict[str, Any] = {"fixed": fixed, "factors": factors, "design": design}
    for key, value in (
        ("regimes", None if regimes is None else tuple(regimes)),
        ("samples", args.samples),
        ("seed", args.seed),
        ("outputs", outputs),
        ("step_every", args.step_every),
        ("replicates", args.replicates),
        ("steps", args.steps),
    ):
        if value is not None:
            spec[key] = value
    return Experiment(args.name or DEFAULT_NAME, **spec)


def _name(text: str) -> str:
    if not text or not text.replace("_", "").replace("-", "").isalnum():
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected letters, digits, _ or -")
    return text


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
    from ecsim.cli.common import seed
    from ecsim.model.regimes import REGIMES

    swp = sub.add_parser(
        "sweep",
        help="run (or resume) a sweep: one an experiment script defines, or one defined by the options",
        description=textwrap.fill(
            "Run a replicated sweep, paired on seeds, in parallel, into a resumable store (Parquet + "
            "manifest.json). With SCRIPT, the EXPERIMENT it defines (same options as `python SCRIPT`); without, "
            "the experiment the options define: regimes, factors, fixed parameters, design. Re-running the same "
            "command resumes; a different experiment in the same --out folder is refused.",
            88,
        ),
        epilog="examples:\n"
        "  ecsim sweep experiments/regime_comparison.py --replicates 5 --workers 2\n"
        "  ecsim sweep --regimes flexible,centralised --factor monitoring_capacity=0:1 \\\n"
        "      --factor decision_rule=consensus,qualified_majority --design lhs --samples 20 --replicates 5 \\\n"
        "      --out results/monitoring\n"
        "  ecsim sweep --factor market_concentration=0.1:0.9:5 --set issue_rate=1.5 --replicates 10 "
        "--out results/concentration",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    swp.add_argument(
        "script",
        metavar="SCRIPT",
        nargs="?",
        help="experiment script, e.g. experiments/regime_comparison.py (omit it to define the experiment "
        "with the options below)",
    )
    define = swp.add_argument_group("the experiment, without SCRIPT")
    define.add_argument(
        "--regimes",
        metavar="A,B",
        help="comma-separated regimes (default: " + ",".join(REGIMES) + "); no_cooperation is added when "
        "missing, as harm reduction is paired against it",
    )
    define.add_argument("--factor", action="append", metavar="NAME=SPEC", help=FACTOR_HELP)
    define.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="hold a parameter at VALUE in every run (repeatable; `ecsim params` lists them); issue_mix takes "
        "category:weight pairs, e.g. issue_mix=national:1,corporate_harm:3",
    )
    define.add_argument(
        "--design",
        metavar="DESIGN",
        help="factorial (default: every combination of levels), ablation, lhs, sobol, morris or saltelli",
    )
    define.add_argument(
        "--samples",
        type=count(1),
        metavar="N",
        help="size of a sampled design: points for lhs and sobol, trajectories for morris, the base sample for "
        "saltelli (default 16; with SCRIPT, overrides the script's)",
    )
    define.add_argument("--seed", type=seed, help="root seed (default 0); every run's seed derives from it")
    define.add_argument(
        "--name",
        type=_name,
        help=f"the experiment's name (default {DEFAULT_NAME}; the default --out is results/NAME)",
    )
    define.add_argument(
        "--outputs", metavar="A,B", help="per-step metrics to store (default: all; `ecsim metrics` lists them)"
    )
    define.add_argument(
        "--step-every", type=count(1), metavar="K", help="store every K-th month of the per-step table (default 1)"
    )
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
