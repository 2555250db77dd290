"""Outside options: how the strength of the deciders' alternatives decides whether consensus can fail.

Each decider accepts no proposal worth less than ``outside_option`` times its best alternative (national
law for a government, the status quo for anyone else; red lines, ODD §7.6a; seed 2a: the WGEC "was
unable to agree").  Above 1/(1 + ``national_reach``), about 0.71 at the defaults, a government that wants
no norm and one that wants the strictest can never both accept a norm on a cross-border issue, so a
consensus of all governments deadlocks whenever both are seated, as at the central forum they nearly
always are.  The default (0.75, the centre of the plausible range 0.6-0.9) lies above that threshold.
This study varies ``outside_option`` alone, from 0 (red lines off) across the threshold to 0.9, every
regime paired on seeds at every level, and says where the ranking turns.

    python experiments/outside_option.py            # paper size: 9 levels x 20 replicates x 240 months
    python experiments/outside_option.py --quick    # 9 levels x 2 replicates x 60 months

Outputs: results/outside_option/ (runs, manifest, figures/, report.md).
"""

from pathlib import Path

from ecsim import analysis, plots
from ecsim.analysis import Section, one_factor
from ecsim.experiment import Experiment, Results
from ecsim.model.regimes import BASELINE
from ecsim.study import main

MAIN = ("centralised", "flexible", "self_regulatory")
FACTOR = "outside_option"
#: Red lines off (0), the plausible range (0.6-0.9) and, around the threshold 1/(1 + national_reach), finer steps.
LEVELS = [0.0, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]
DEFAULT = 0.75

EXPERIMENT = Experiment(
    name="outside_option",
    regimes=(*MAIN, BASELINE),
    factors={FACTOR: LEVELS},
    design="factorial",
    replicates=20,
    steps=240,
    seed=20261205,
    outputs=("harm",),  # the report reads run summaries only
)
QUICK = {"replicates": 2, "steps": 60}
ORDER = 19  # after the delegation-capacity study

PAIRS = [("flexible", "centralised"), ("flexible", "self_regulatory"), ("self_regulatory", "centralised")]
SIDES = {1: "above 0", -1: "below 0", 0: "includes 0"}


def _level(value: float) -> str:
    return "off" if value == 0.0 else f"{value:g}"


#: The levels labelled on the figures' axes (the others are ticks only, so the labels do not overlap).
LABELLED = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)


def _axis(ax) -> None:
    ax.set_xticks(LEVELS, [_level(v) if v in LABELLED else "" for v in LEVELS])
    ax.axvline(DEFAULT, color="0.75", linewidth=0.8, linestyle=":")


def report(results: Results, figures: Path) -> Section:
    runs = analysis.paired_runs(results)
    n_rep, months = int(runs["replicate"].nunique()), int(runs["steps"].iloc[0])
    ci = analysis.ci_name(n_rep)
    metrics = ["harm_reduction", "deadlocks", "issues_resolved", "time_to_agreement"]
    summary, paired = one_factor.tables(runs, FACTOR, metrics, PAIRS)
    tables = one_factor.export_tables(
        summary, paired, FACTOR, figures, "outside option (0: red lines off)", "outside-option", ci
    )

    titles = ["Harm reduction (share)", "Paired difference in harm reduction", "Deadlocked negotiations per run"]
    fig = plots.factor_panels(summary, paired, FACTOR, "deadlocks", titles, "Outside option", _axis)
    png = plots.save(fig, figures / "outside_option")[1]

    lines, key = one_factor.pair_sentences(paired, FACTOR, PAIRS, _level)
    key |= one_factor.harm_keys(summary, FACTOR, _level)

    deadlocks = summary[(summary["metric"] == "deadlocks") & (summary["regime"] == "centralised")]
    deadlocks = deadlocks.set_index(FACTOR)["mean"]
    flexible_gap = paired[paired["comparison"] == "flexible - centralised"].set_index(FACTOR)
    default_side = SIDES[int(analysis.ci_side(flexible_gap.loc[[DEFAULT]]).iloc[0])]
    caution = analysis.few_note(n_rep)
    text = (
        (f"{caution}\n\n" if caution else "")
        + f"{len(LEVELS)} levels of the outside option (0: red lines off), every regime at equal negotiating "
        f"capacity, {n_rep} replicates x {months} months, paired on seeds; every other parameter at its default; "
        f"{ci}.\n\n" + "\n".join(lines) + "\n\n"
        f"At the default ({DEFAULT:g}) the flexible − centralised interval is {default_side}. The central forum's "
        f"deadlocked negotiations per run: {deadlocks.loc[0.0]:,.0f} with red lines off, {deadlocks.loc[0.7]:,.0f} at "
        f"0.7, {deadlocks.loc[DEFAULT]:,.0f} at the default and {deadlocks.iloc[-1]:,.0f} at {_level(LEVELS[-1])}: "
        "above 1/(1 + national_reach) ≈ 0.71 a consensus of all governments on a cross-border issue is impossible "
        "whenever governments at both ends of the scale are seated. How the central forum fares therefore depends "
        "on a quantity the model does not yet ground in data: how much better than a bad agreement states find "
        "their own law."
    )
    pivot = one_factor.headline(summary, FACTOR, _level, MAIN)
    return Section(
        title="Outside options: where consensus of all governments stops being possible",
        text=text,
        figures=[
            (
                png,
                "Harm reduction by regime (left), the flexible regime's paired advantage in harm reduction over each "
                "other regime (middle) and deadlocked negotiations per run (right) against the outside option (the "
                f"share of its alternative's value below which a decider accepts nothing; the default, {DEFAULT:g}, "
                f"dotted); means with {ci}.",
            )
        ],
        tables=tables,
        key_numbers=key,
        summary=f"Harm reduction by outside option ({n_rep} replicates x {months} months)\n" + pivot.to_string(),
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
