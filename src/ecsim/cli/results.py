"""What to do with results: ``ecsim export`` (a store's tables as CSV or Parquet) and ``ecsim plot`` (a quick figure).

``ecsim export STORE`` writes two tables: the runs (one row per run: its keys, every parameter, the
summary metrics, ``harm_reduction`` paired against the baseline, status) and the steps (one row per
successful run and stored month, with the run's keys and the experiment's factors beside the
metrics, so that a step table can be grouped by factor without a join).  The steps are copied by
DuckDB from the store's Parquet parts straight into the file, out of core: a store larger than
memory exports.

``ecsim plot FILE_OR_STORE`` draws the per-step table of one run (a file written by ``ecsim run
--out``) or of a store (mean and 95% band per regime, and, for a store with factors, harm reduction
against the first factor), headless, with :mod:`ecsim.plots`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ecsim.cli.common import UsageError
from ecsim.params import did_you_mean

#: The run keys first on every row of the exported step table.
KEYS = ("run_id", "point", "replicate", "regime", "seed")


def _store(path: str) -> Any:
    """The results of the store folder ``path`` (UsageError if it is no store)."""
    from ecsim.experiment.store import MANIFEST, load_results

    folder = Path(path)
    if not folder.is_dir():
        raise UsageError(f"{path}: no such folder; give a store (a sweep's --out folder)")
    if not (folder / MANIFEST).is_file():
        raise UsageError(f"{path}: no {MANIFEST} here; is this a sweep's --out folder?")
    return load_results(folder)


def factor_columns(results: Any) -> list[str]:
    """The runs table's columns that hold the experiment's factors (a mix factor has one column per category)."""
    factors = list(results.manifest.get("spec", {}).get("factors", {}))
    columns = list(results.runs.columns)
    out: list[str] = []
    for name in factors:
        out.extend([name] if name in columns else [c for c in columns if c.startswith(f"{name}_")])
    return out


def cmd_export(args: argparse.Namespace) -> int:
    from ecsim.analysis.paired import harm_reduction
    from ecsim.experiment.steps import ident, literal

    results = _store(args.store)
    if results.runs.empty:
        raise UsageError(f"{args.store}: holds no runs yet; run (or resume) its sweep first")
    suffix = ".parquet" if args.parquet else ".csv"
    out = Path(args.to) if args.to else Path(args.store) / "export"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--to {out}: cannot write there ({exc.strerror or exc})") from None
    runs_file, steps_file = out / f"runs{suffix}", out / f"steps{suffix}"

    runs = harm_reduction(results.runs)
    try:
        if args.parquet:
            runs.to_parquet(runs_file, index=False)
        else:
            runs.to_csv(runs_file, index=False)
    except OSError as exc:
        raise UsageError(f"--to {out}: cannot write {runs_file.name} ({exc.strerror or exc})") from None

    factors = factor_columns(results)
    table = results.step_table
    keys = ", ".join(f"s.{ident(k)}" for k in KEYS)
    joined = "".join(f", r.{ident(c)}" for c in factors)
    rest = ", ".join(ident(k) for k in (*KEYS, "_rank"))
    query = (
        f"SELECT {keys}{joined}, s.* EXCLUDE ({rest}) FROM steps s JOIN runs r ON s.run_id = r.run_id "
        "ORDER BY s._rank, s.step"
    )
    options = "FORMAT parquet" if args.parquet else "FORMAT csv, HEADER"
    try:
        table.connection.execute(f"COPY ({query}) TO {literal(str(steps_file))} ({options})")
    except Exception as exc:  # duckdb.IOException and kin: the file could not be written
        raise UsageError(f"--to {out}: cannot write {steps_file.name} ({str(exc).splitlines()[0]})") from None
    rows = len(table)
    with_factors = f"; with the factors {', '.join(factors)}" if factors else ""
    print(f"runs:  {runs_file} ({len(runs):,} rows: one per run, with every parameter and harm_reduction)")
    print(f"steps: {steps_file} ({rows:,} rows: one per run and stored month{with_factors})")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")  # headless: the figure goes to a file, never to a window
    from ecsim.model.metrics import METRICS

    metric = args.metric or "harm"
    if metric not in METRICS:
        raise UsageError(
            f"--metric {metric}: not a per-step metric (see `ecsim metrics`){did_you_mean(metric, METRICS)}"
        )
    source = Path(args.source)
    if source.is_dir():
        default = source / f"quick_{metric}.png"
    elif source.is_file():
        default = source.with_name(f"{source.stem}_{metric}.png")
    else:
        raise UsageError(f"{args.source}: no such file or folder; give a run's table (ecsim run --out) or a store")
    out = Path(args.out) if args.out else default
    if out.suffix not in (".png", ".pdf", ".svg"):
        raise UsageError(f"--out {out}: the file name must end in .png, .pdf or .svg")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
    fig = _plot_store(args.source, metric, args.metric is not None) if source.is_dir() else _plot_run(source, metric)
    import matplotlib.pyplot as plt

    from ecsim import plots

    try:
        with plt.rc_context(plots.STYLE):
            fig.savefig(out, dpi=200)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write ({exc.strerror or exc})") from None
    finally:
        plt.close(fig)
    print(f"figure: {out}")
    return 0


def _plot_run(path: Path, metric: str) -> Any:
    """One run's per-step table (``ecsim run --out``): the metric over time."""
    import pandas as pd

    from ecsim import plots

    try:
        table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except Exception as exc:  # not Parquet or CSV, unreadable: pandas and pyarrow raise several kinds
        raise UsageError(f"{path}: cannot be read as a table ({str(exc).splitlines()[0]})") from None
    if "step" not in table or metric not in table or "regime" not in table:
        raise UsageError(
            f"{path}: not a per-step table of a run (no step, regime or {metric} column); "
            "write one with `ecsim run --out FILE.parquet`, or give a store folder"
        )
    fig, ax = plots.figure()
    series = table.assign(mean=table[metric], low=table[metric], high=table[metric])
    plots.timeseries(series[["regime", "step", "mean", "low", "high"]], metric, ax=ax)
    seed = f", seed {table['seed'].iloc[0]}" if "seed" in table else ""
    ax.set_title(f"{table['regime'].iloc[0].replace('_', ' ')}{seed}", fontsize=8)
    if ax.get_legend() is not None:  # one run, one line: its name is the title (plots.timeseries labels line ends)
        ax.get_legend().remove()
    return fig


def _plot_store(path: str, metric: str, asked: bool = False) -> Any:
    """A store: the metric's mean and band per regime over time; harm reduction against the first factor."""
    from ecsim import analysis, plots

    results = _store(path)
    if results.runs.empty:
        raise UsageError(f"{path}: holds no runs yet; run (or resume) its sweep first")
    table = results.step_table
    factors = [f for f in factor_columns(results) if f in results.runs]
    if metric not in table.metrics and (table.metrics or not factors or asked):
        kept = ", ".join(table.metrics) or "none (outputs=())"
        raise UsageError(f"--metric {metric}: this store keeps no per-step {metric}; it keeps {kept}")
    name = results.manifest.get("name", Path(path).name)
    if not table.metrics:  # run summaries only (e.g. a Morris or Saltelli design): the factor panel alone
        fig, ax = plots.figure()
        _factor_scatter(analysis.paired_runs(results), factors[0], ax)
        ax.set_title(f"{name}: {len(results.runs):,} runs, no per-step table")
        ax.title.set_fontsize(8)
        return fig
    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH if factors else plots.COLUMN_WIDTH, ncols=2 if factors else 1)
    ax = axes[0] if factors else axes
    plots.timeseries(analysis.timeseries(table, metric), metric, ax=ax)
    ax.set_title(f"{name} ({len(results.runs):,} runs): mean over runs, 95% band", fontsize=8)
    if factors:
        _factor_scatter(analysis.paired_runs(results), factors[0], axes[1])
    return fig


def _factor_scatter(runs: Any, factor: str, ax: Any) -> None:
    """Each run's harm reduction against a factor, one colour per regime (the baseline left out)."""
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from ecsim import plots
    from ecsim.model.regimes import BASELINE

    runs = runs[(runs["regime"] != BASELINE) & runs["harm_reduction"].notna()]
    order = list(dict.fromkeys(runs["regime"]))
    numeric = pd.api.types.is_numeric_dtype(runs[factor])
    levels = sorted(runs[factor].unique()) if not numeric else []
    with plt.rc_context(plots.STYLE):
        for k, regime in enumerate(order):
            d = runs[runs["regime"] == regime]
            x = d[factor].to_numpy(float) if numeric else np.array([levels.index(v) for v in d[factor]], float)
            if not numeric:  # levels side by side, one offset per regime
                x = x + (k - (len(order) - 1) / 2) * 0.12
            ax.scatter(
                x,
                d["harm_reduction"],
                s=10,
                color=plots.colour(regime, order),
                marker=plots.MARKERS.get(regime, "o"),
                label=regime.replace("_", " "),
                alpha=0.8,
            )
        if not numeric:
            ax.set_xticks(range(len(levels)), [str(v).replace("_", " ") for v in levels])
        ax.axhline(0, color="0.6", linewidth=0.8, linestyle="--")
        ax.set_xlabel(plots.label(factor))
        ax.set_ylabel(plots.label("harm_reduction"))
        ax.set_title("each run against the baseline on its seed", fontsize=8)
        ax.legend(loc="best")


def register(sub: Any) -> None:
    """Add ``export`` and ``plot`` to the subcommands ``sub``."""
    exp = sub.add_parser(
        "export",
        help="write a store's runs and steps tables as CSV or Parquet",
        description="Write a store's tables for other tools: runs (one row per run: keys, every parameter, "
        "summary metrics, harm_reduction paired against no_cooperation, status) and steps (one row per run and "
        "stored month: the run's keys, the experiment's factors, the per-step metrics). The steps are copied out "
        "of core, so a store larger than memory exports.",
    )
    exp.add_argument("store", metavar="STORE", help="a store folder (a sweep's --out)")
    fmt = exp.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="CSV files (the default)")
    fmt.add_argument("--parquet", action="store_true", help="Parquet files")
    exp.add_argument("--to", metavar="DIR", help="where to write runs.csv and steps.csv (default STORE/export)")
    exp.set_defaults(func=cmd_export)

    plt = sub.add_parser(
        "plot",
        help="draw a quick figure of a run or a store",
        description="Draw a quick figure: of one run (the per-step table `ecsim run --out` writes), the metric "
        "over time; of a store, the metric's mean and 95%% band per regime over time and, if the experiment "
        "has factors, each run's harm reduction against the first factor (that panel alone for a store that "
        "keeps no per-step table). For publication figures see "
        "ecsim.plots and the studies.",
    )
    plt.add_argument("source", metavar="FILE_OR_STORE", help="a run's .parquet/.csv table or a store folder")
    plt.add_argument("--metric", help="the per-step metric to draw (default harm; `ecsim metrics`)")
    plt.add_argument(
        "--out",
        metavar="FILE",
        help="the figure, .png, .pdf or .svg (default: beside the source, FILE_METRIC.png or STORE/quick_METRIC.png)",
    )
    plt.set_defaults(func=cmd_plot)
