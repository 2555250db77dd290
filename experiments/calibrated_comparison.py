"""The regime comparison on the calibrated scenario, beside the defaults: does calibration change the ranking?

The calibrated scenario is the posterior of `ecsim calibrate` (rejection ABC on the empirical patterns, docs/ODD.md
§1.2), shipped with the package. The experiment's points are the posterior's K parameter sets and, after them, the
defaults K times: every point runs on its own seeds with the regimes paired within it, so each scenario's means and
paired regime differences pool K x replicates runs, and the calibrated intervals carry the posterior's spread, not
one point's. The two scenarios are compared unpaired (their seeds differ).

    python experiments/calibrated_comparison.py            # paper size: K sets x 2 replicates x 240 months, each
    python experiments/calibrated_comparison.py --quick    # K sets x 1 replicate x 60 months, each

Outputs: results/calibrated_comparison/ (runs, manifest, figures/, report.md).
"""

from pathlib import Path

from matplotlib.ticker import MaxNLocator

from ecsim import analysis, plots
from ecsim.analysis import Section
from ecsim.experiment import Experiment, Results
from ecsim.model.regimes import BASELINE
from ecsim.study import main
from ecsim.validation import scenarios

MAIN = ("centralised", "flexible", "self_regulatory")
PAIRS = [("flexible", "centralised"), ("flexible", "self_regulatory"), ("self_regulatory", "centralised")]
#: The posterior's parameter sets (none installed: the defaults alone, and the report says so).
POSTERIOR = scenarios.sets("calibrated") if "calibrated" in scenarios.names() else []
K = len(POSTERIOR)

EXPERIMENT = Experiment(
    name="calibrated_comparison",
    regimes=(*MAIN, BASELINE),
    design="points",
    points=[*POSTERIOR, *([{}] * max(K, 1))],
    replicates=2,
    steps=240,
    seed=20261130,
    outputs=("harm",),  # the report reads run summaries only
)
QUICK = {"replicates": 1, "steps": 60}
ORDER = 16.5  # after the mechanism ablation, before the scenario discovery


def report(results: Results, figures: Path) -> Section:
    runs = analysis.paired_runs(results)
    runs["scenario"] = (runs["point"] < K).map({True: "calibrated", False: "defaults"})
    n_rep, months = int(runs["replicate"].nunique()), int(runs["steps"].iloc[0])
    ci = analysis.ci_name(n_rep * max(K, 1))
    main_runs = runs[runs["regime"].isin(MAIN)]
    metrics = ["harm_reduction", "time_to_agreement", "deadlocks"]
    summary = analysis.summarise(main_runs, metrics, by=["scenario", "regime"])
    paired = analysis.paired_summary(runs, "harm_reduction", PAIRS, by=["scenario"])
    tables = analysis.export(summary, figures / "harm_reduction", caption=f"Outcomes by scenario and regime; {ci}.")
    tables += analysis.export(paired, figures / "paired", caption=f"Paired differences in harm reduction; {ci}.")

    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.5, ncols=2)
    for ax, scenario in zip(axes, ("defaults", "calibrated"), strict=True):
        part = summary[(summary["scenario"] == scenario)].drop(columns="scenario")
        plots.regime_intervals(part, "harm_reduction", ax=ax)
        ax.set_title(scenario, loc="left")
    low = min(ax.get_xlim()[0] for ax in axes)
    high = max(ax.get_xlim()[1] for ax in axes)
    for ax in axes:  # one scale for both scenarios, so their positions compare at a glance
        ax.set_xlim(low, high)
        ax.xaxis.set_major_locator(MaxNLocator(5))
    plots.panel_letters(axes)
    png = plots.save(fig, figures / "calibrated_comparison")[1]

    def gap(scenario: str, a: str, b: str) -> str:
        row = paired[(paired["scenario"] == scenario) & (paired["comparison"].str.startswith(f"{a} "))]
        row = row[row["comparison"].str.endswith(f" {b}")].iloc[0]
        return f"{row['mean']:+.3f} [{row['low']:+.3f}, {row['high']:+.3f}]"

    key = {
        f"harm_reduction[{s},{r}]": float(
            summary[(summary["scenario"] == s) & (summary["regime"] == r) & (summary["metric"] == "harm_reduction")][
                "mean"
            ].iloc[0]
        )
        for s in ("defaults", "calibrated")
        if K or s == "defaults"
        for r in MAIN
    }
    if K:
        lines = [
            f"- flexible − centralised: {gap('calibrated', 'flexible', 'centralised')} calibrated, "
            f"{gap('defaults', 'flexible', 'centralised')} at the defaults;",
            f"- flexible − self_regulatory: {gap('calibrated', 'flexible', 'self_regulatory')} calibrated, "
            f"{gap('defaults', 'flexible', 'self_regulatory')} at the defaults;",
            f"- self_regulatory − centralised: {gap('calibrated', 'self_regulatory', 'centralised')} calibrated, "
            f"{gap('defaults', 'self_regulatory', 'centralised')} at the defaults.",
        ]
        text = (
            f"The calibrated scenario: {K} accepted parameter sets ({scenarios.note('calibrated')}), "
            f"each run {n_rep} time(s) x {months} months; the defaults run {K} x {n_rep} times on their own seeds. "
            f"Paired differences in harm reduction ({ci}):\n\n" + "\n".join(lines)
        )
    else:
        text = "No calibrated scenario is installed (`ecsim calibrate --install`): the defaults alone are shown."
    table = summary[summary["metric"] == "harm_reduction"].pivot(index="regime", columns="scenario", values="mean")
    return Section(
        title="The regime comparison on the calibrated scenario",
        text=text,
        figures=[
            (png, f"Harm reduction by regime at the defaults (a) and on the calibrated scenario (b); means with {ci}.")
        ],
        tables=tables,
        key_numbers=key,
        summary=f"Harm reduction by scenario ({n_rep} replicate(s) x {months} months per point)\n"
        + table.round(3).to_string(),
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
