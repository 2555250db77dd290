"""The regime decomposition on the calibrated scenario, beside the defaults: do the same dimensions carry the gaps?

The same full factorial of hybrid regimes as ``regime_decomposition.py`` (``analysis.decomposition.factorial``),
run with the engine's ``points`` design: the points are the posterior's K accepted parameter sets and, after them,
the defaults K times. Every point runs on its own seeds and every regime of the factorial runs on each seed, so
the regimes stay paired within each parameter set and each scenario's Shapley contributions pool K x replicates
paired seeds (the bootstrap resamples them: the calibrated intervals carry the posterior's spread). The two
scenarios' seeds differ, so they are compared unpaired: a contribution changed when its sign flips with both
intervals clear of 0, when its rank among the dimensions moves, or when the calibrated interval leaves out the
defaults' value.

    python experiments/calibrated_decomposition.py            # paper size: K sets x 2 replicates x 240 months, each
    python experiments/calibrated_decomposition.py --quick    # 12 sets (and 12 default points) x 1 x 120 months

Outputs: results/calibrated_decomposition/ (runs, manifest, figures/decomposition.csv, changes.csv,
calibrated_decomposition.png, report.md).
"""

from pathlib import Path
from typing import Any

import pandas as pd

from ecsim import analysis, plots
from ecsim.analysis import Section
from ecsim.analysis.decomposition import changes, factorial, gap_table
from ecsim.experiment import Experiment, Results
from ecsim.model.regimes import BASELINE
from ecsim.study import main
from ecsim.validation import scenarios

REFERENCE = "flexible"
OTHERS = ("centralised", "self_regulatory")
SCENARIOS = ("defaults", "calibrated")
CELLS, _FACTORIAL = factorial(REFERENCE, OTHERS)
#: The posterior's parameter sets (none installed: the defaults alone, and the report says so).
POSTERIOR = scenarios.sets("calibrated") if "calibrated" in scenarios.names() else []
K = len(POSTERIOR)
#: Parameter sets of the quick size (the first of the posterior, and as many default points).
QUICK_SETS = 12


def points(sets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The design: each posterior set, then the defaults as many times (once when no posterior is installed)."""
    return [*sets, *([{}] * max(len(sets), 1))]


EXPERIMENT = Experiment(
    name="calibrated_decomposition",
    regimes=(*_FACTORIAL.values(), BASELINE),
    design="points",
    points=points(POSTERIOR),
    replicates=2,
    steps=240,
    seed=20261130,
    outputs=("harm",),  # the report reads run summaries only
)
QUICK = {"points": points(POSTERIOR[:QUICK_SETS]), "replicates": 1, "steps": 120}
ORDER = 16.6  # after the calibrated regime comparison, before the scenario discovery


def scenario_of(results: Results) -> dict[int, str]:
    """Each design point's scenario, from the stored specification: a posterior set has parameters, a default
    point none."""
    return {i: "calibrated" if p else "defaults" for i, p in enumerate(results.manifest["spec"]["points"])}


def decomposition_tables(runs: pd.DataFrame) -> pd.DataFrame:
    """decomposition.csv: each scenario's Shapley decomposition of both gaps (``gap_table``), stacked."""
    parts = [
        gap_table(runs[runs["scenario"] == s], CELLS, REFERENCE, OTHERS).assign(scenario=s)
        for s in SCENARIOS
        if (runs["scenario"] == s).any()
    ]
    return pd.concat(parts, ignore_index=True)


def _interval(contribution: float, low: float, high: float) -> str:
    return f"{contribution:+.3f} [{low:+.3f}, {high:+.3f}]"


def _changed_words(dimension: str, row: pd.Series) -> str:
    """What changed of one dimension's contribution, in words ('' when nothing did)."""
    said = []
    if row["sign_changed"]:
        said.append("its sign flips")
    if dimension != "total" and row["rank_changed"]:
        said.append(f"its rank moves from {int(row['reference_rank'])} to {int(row['rank'])}")
    if row["excludes_reference"]:
        said.append("the calibrated interval leaves out the defaults' value")
    return ", ".join(said)


def report(results: Results, figures: Path) -> Section:
    runs = analysis.paired_runs(results)
    runs["scenario"] = runs["point"].map(scenario_of(results))
    sets = int(runs.loc[runs["scenario"] == "calibrated", "point"].nunique())
    n_rep, months = int(runs["replicate"].nunique()), int(runs["steps"].iloc[0])
    per_scenario = n_rep * max(sets, 1)
    ci = analysis.ci_name(per_scenario)
    table = decomposition_tables(runs)
    tables = analysis.export(
        table.set_index(["comparison", "dimension", "scenario"]),
        figures / "decomposition",
        caption=f"Each design dimension's contribution (exact Shapley value) to the flexible regime's advantage in "
        f"harm reduction, at the defaults and on the calibrated scenario; {ci} over {per_scenario} paired seeds "
        "per scenario; the total row is the whole advantage.",
        label="tab:calibrated-decomposition",
    )
    present = [s for s in SCENARIOS if (table["scenario"] == s).any()]
    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.42, ncols=len(OTHERS))
    for ax, other in zip(axes.flat, OTHERS, strict=True):
        plots.decomposition_beside(table[table["comparison"] == f"{REFERENCE} vs {other}"], present, ax)
    fig.legend(
        *axes.flat[0].get_legend_handles_labels(),
        loc="outside lower center",
        ncols=len(present),
        frameon=False,
        fontsize=7,
    )
    plots.panel_letters(axes)
    png = plots.save(fig, figures / "calibrated_decomposition")[1]

    numbers = {
        f"{r.scenario}:{r.comparison.split(' vs ')[1]}_{'gap' if r.dimension == 'total' else r.dimension}": float(
            r.contribution
        )
        for r in table.itertuples()
    }
    if not sets:
        text = "No calibrated scenario is installed (`ecsim calibrate --install`): the defaults alone are shown."
        return Section(
            title="The regime decomposition on the calibrated scenario",
            text=text,
            figures=[(png, f"Shapley decomposition at the defaults; {ci}.")],
            tables=tables,
            key_numbers=numbers,
        )

    moved = changes(table)
    tables += analysis.export(
        moved.set_index(["comparison", "dimension"]),
        figures / "changes",
        caption="What changed between the defaults' decomposition and the calibrated scenario's: sign (both "
        "intervals clear of 0), rank by size, and whether the calibrated interval leaves out the defaults' value.",
        label="tab:calibrated-decomposition-changes",
    )
    lines = []
    for other in OTHERS:
        comparison = f"{REFERENCE} vs {other}"
        mine = moved[moved["comparison"] == comparison].set_index("dimension")
        parts = mine.drop(index="total").sort_values("rank")
        total = mine.loc["total"]
        carried = "; ".join(
            f"{d} {_interval(r['contribution'], r['ci_low'], r['ci_high'])} "
            f"(defaults {_interval(r['reference'], r['reference_low'], r['reference_high'])})"
            for d, r in parts.iterrows()
        )
        what = [f"{d}: {_changed_words(d, r)}" for d, r in mine.iterrows() if _changed_words(d, r)]
        lines.append(
            f"- **{comparison}**: whole gap {_interval(total['contribution'], total['ci_low'], total['ci_high'])} "
            f"calibrated, {_interval(total['reference'], total['reference_low'], total['reference_high'])} at the "
            f"defaults; by dimension, calibrated: {carried}. "
            + ("Changed: " + "; ".join(what) + "." if what else "Nothing changed by these tests.")
        )
    n_changed = int((moved["sign_changed"] | moved["excludes_reference"]).sum())
    n_rank = int(moved.loc[moved["dimension"] != "total", "rank_changed"].sum())
    verdict = (
        f"**What changed against the defaults.** {n_changed} of {len(moved)} contributions (the whole gaps "
        f"included) change sign or have a calibrated interval that leaves out the defaults' value, and {n_rank} of "
        f"{int((moved['dimension'] != 'total').sum())} dimensions change rank. The defaults' values are estimates "
        "too (their intervals are beside them): a calibrated interval that leaves one out is a difference worth a "
        "look, not a test of two independent samples."
    )
    text = (
        f"{analysis.few_note(per_scenario)}The calibrated scenario: {sets} accepted parameter sets "
        f"({scenarios.note('calibrated')}), each running every regime of the factorial {n_rep} time(s) x "
        f"{months} months on shared seeds; the defaults run {sets} x {n_rep} times on their own seeds. Each gap is "
        "split into the design dimensions on which the two regimes differ by exact Shapley values over the pooled "
        f"paired seeds ({ci}); positive: the dimension favours the flexible regime.\n\n"
        + "\n".join(lines)
        + "\n\n"
        + verdict
    )
    headline = moved.assign(
        calibrated=[_interval(r.contribution, r.ci_low, r.ci_high) for r in moved.itertuples()],
        defaults=moved["reference"].map(lambda v: f"{v:+.3f}"),
        changed=[_changed_words(r["dimension"], r) or "-" for _, r in moved.iterrows()],
    )[["comparison", "dimension", "defaults", "calibrated", "changed"]]
    return Section(
        title="The regime decomposition on the calibrated scenario",
        text=text,
        figures=[
            (
                png,
                f"The {REFERENCE} regime's advantage in harm reduction over each other regime and each design "
                f"dimension's share of it (exact Shapley values), at the defaults and on the calibrated scenario; "
                f"{ci}.",
            )
        ],
        tables=tables,
        key_numbers=numbers,
        summary=f"Shapley decomposition, defaults vs calibrated ({sets} sets x {n_rep} replicate(s) x {months} "
        f"months per scenario)\n" + headline.to_string(index=False),
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
