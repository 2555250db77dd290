"""Delegation capacity: how the central forum's standing against the flexible regime depends on states' delegations.

A government can staff only so many negotiations at once (``delegation_capacity``, ODD §7.5; Panke
2012 on small states' delegations).  The central forum seats every government at every table, so the
limit binds it most; the flexible regime spreads issues over venues with fewer governments.  In the
base model (every switched mechanism off) this was the one parameter on which the ranking of the two
turned: the flexible regime led up to the default (8), the central forum from 10 on.  This study varies
it alone, from 2 to 24 (its plausible range) and with the limit switched off (10000), every regime
paired on seeds at every level, and says where, if anywhere, the ranking turns.

    python experiments/delegation_capacity.py            # paper size: 9 levels x 20 replicates x 240 months
    python experiments/delegation_capacity.py --quick    # 9 levels x 2 replicates x 60 months

Outputs: results/delegation_capacity/ (runs, manifest, figures/, report.md).
"""

from pathlib import Path

import pandas as pd

from ecsim import analysis, plots
from ecsim.analysis import Section, one_factor
from ecsim.experiment import Experiment, Results
from ecsim.model.regimes import BASELINE
from ecsim.study import main

MAIN = ("centralised", "flexible", "self_regulatory")
FACTOR = "delegation_capacity"
#: The plausible range (2-24) and the limit switched off (10000, the parameter's maximum).
LEVELS = [2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 16.0, 24.0, 10_000.0]
NO_LIMIT = 10_000.0
DEFAULT = 8.0
#: Where "no limit" is drawn on the figures' log axis (beyond the plausible range's top, 24).
NO_LIMIT_AT = 48.0

EXPERIMENT = Experiment(
    name="delegation_capacity",
    regimes=(*MAIN, BASELINE),
    factors={FACTOR: LEVELS},
    design="factorial",
    replicates=20,
    steps=240,
    seed=20261202,
    outputs=("harm",),  # the report reads run summaries only
)
QUICK = {"replicates": 2, "steps": 60}
ORDER = 18  # after the scenario discovery that points to it

PAIRS = [("flexible", "centralised"), ("flexible", "self_regulatory"), ("self_regulatory", "centralised")]
SIDES = {1: "above 0", -1: "below 0", 0: "includes 0"}


def _level(value: float) -> str:
    return "no limit" if value >= NO_LIMIT else f"{value:g}"


def _drawn(table: pd.DataFrame) -> pd.DataFrame:
    """The table with "no limit" moved to where the figures draw it."""
    return table.assign(**{FACTOR: table[FACTOR].where(table[FACTOR] < NO_LIMIT, NO_LIMIT_AT)})


def _axis(ax) -> None:
    ticks = [v for v in LEVELS if v < NO_LIMIT]
    ax.set_xscale("log", base=2)
    ax.set_xticks([*ticks, NO_LIMIT_AT], [*(f"{v:g}" for v in ticks), "no\nlimit"])
    ax.minorticks_off()
    ax.axvline(DEFAULT, color="0.75", linewidth=0.8, linestyle=":")


def report(results: Results, figures: Path) -> Section:
    runs = analysis.paired_runs(results)
    n_rep, months = int(runs["replicate"].nunique()), int(runs["steps"].iloc[0])
    ci = analysis.ci_name(n_rep)
    metrics = ["harm_reduction", "participation", "absent_delegations", "time_to_agreement"]
    summary, paired = one_factor.tables(runs, FACTOR, metrics, PAIRS)
    tables = one_factor.export_tables(
        summary, paired, FACTOR, figures, "delegation capacity (10000: no limit)", "delegation", ci
    )

    titles = ["Harm reduction (share)", "Paired difference in harm reduction", "Absent delegations per run"]
    fig = plots.factor_panels(
        _drawn(summary), _drawn(paired), FACTOR, "absent_delegations", titles, "Delegation capacity", _axis, True
    )
    png = plots.save(fig, figures / "delegation_capacity")[1]

    lines, key = one_factor.pair_sentences(paired, FACTOR, PAIRS, _level)
    key |= one_factor.harm_keys(summary, FACTOR, _level)

    absent = summary[(summary["metric"] == "absent_delegations") & (summary["regime"] == "centralised")]
    absent = absent.set_index(FACTOR)["mean"]
    flexible_gap = paired[paired["comparison"] == "flexible - centralised"].set_index(FACTOR)
    default_side = SIDES[int(analysis.ci_side(flexible_gap.loc[[DEFAULT]]).iloc[0])]
    caution = analysis.few_note(n_rep)
    text = (
        (f"{caution}\n\n" if caution else "")
        + f"{len(LEVELS)} levels of delegation capacity (the mean number of negotiations a government can staff at "
        f"once; each government's is proportional to its state capacity), every regime at equal negotiating capacity, "
        f"{n_rep} replicates x {months} months, paired on seeds; {ci}.\n\n" + "\n".join(lines) + "\n\n"
        f"At the default ({DEFAULT:g}) the flexible − centralised interval is {default_side}. The central forum's "
        f"absent delegations (government-negotiations missed, per run) fall from {absent.iloc[0]:,.0f} at "
        f"{_level(absent.index[0])} to {absent.loc[DEFAULT]:,.0f} at the default and {absent.iloc[-1]:,.0f} with no "
        "limit: how the flexible regime's advantage over the central forum depends on this parameter is how much the "
        "finding depends on states' delegations being scarce, a quantity the model does not yet ground in data."
    )
    pivot = one_factor.headline(summary, FACTOR, _level, MAIN)
    return Section(
        title="Delegation capacity: does the ranking of the central forum and the flexible regime turn on it?",
        text=text,
        figures=[
            (
                png,
                "Harm reduction by regime (left), the flexible regime's paired advantage in harm reduction over each "
                "other regime (middle) and absent delegations (right, symmetric log scale) against delegation capacity "
                f"(the mean number of negotiations a government can staff at once; log scale; the default, "
                f"{DEFAULT:g}, dotted; 'no limit' = 10000); means with {ci}.",
            )
        ],
        tables=tables,
        key_numbers=key,
        summary=f"Harm reduction by delegation capacity ({n_rep} replicates x {months} months)\n" + pivot.to_string(),
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
