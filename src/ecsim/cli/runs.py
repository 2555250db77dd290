"""``ecsim run`` (one regime, a summary, the per-step table) and ``ecsim compare`` (every regime on one seed)."""

from __future__ import annotations

import argparse
import time
from typing import Any

from ecsim.cli.common import check_out, model_options, model_params, write
from ecsim.params import did_you_mean


def cmd_run(args: argparse.Namespace) -> int:
    from ecsim.model import EnhancedCooperationModel, summarise
    from ecsim.model.summary import tidy_metrics

    params = model_params(args)
    out = check_out(args.out, (".parquet", ".csv"))
    start = time.perf_counter()
    model = EnhancedCooperationModel(regime=args.regime, rng=args.seed, **params).run()
    seconds = time.perf_counter() - start
    summary = summarise(model)
    print(f"regime {args.regime}, seed {args.seed}, {summary['steps']} steps in {seconds:.2f} s")
    for key, value in summary.items():
        if key != "steps":
            print(f"  {key:<18} {value:,.3f}" if isinstance(value, float) else f"  {key:<18} {value:,}")
    if out is not None:
        write(tidy_metrics(model), out)
        print(f"per-step table: {out}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from ecsim.model import REGIMES, compare
    from ecsim.model.metrics import SUMMARY

    params = model_params(args)
    regimes = [r.strip() for r in args.regimes.split(",") if r.strip()] if args.regimes else list(REGIMES)
    out = check_out(args.out, (".csv", ".parquet"))
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
        write(table, out)
        print(f"\ntable: {out}")
    return 0


def register(sub: Any) -> None:
    """Add ``run`` and ``compare`` to the subcommands ``sub``."""
    from ecsim.model.regimes import REGIMES

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
