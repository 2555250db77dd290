"""Regime comparison: the four regimes on the default scenario, replicated and paired on seeds.

Which regime removes most harm, how fast, at what cost and for whom?  Every
regime faces the same stakeholders and issues in each replicate (common random
numbers), so differences between regimes are paired.

    python experiments/regime_comparison.py            # paper size: 50 replicates x 240 months
    python experiments/regime_comparison.py --quick    # 6 replicates x 120 months
    ecsim sweep experiments/regime_comparison.py --workers 2   # the sweep only

Outputs: results/regime_comparison/ (runs, steps, manifest, figures/, report.md).
"""

from pathlib import Path

from ecsim import analysis, plots
from ecsim.analysis import Section
from ecsim.experiment import Experiment, Results
from ecsim.model.metrics import SUMMARY
from ecsim.model.regimes import BASELINE
from ecsim.study import main

EXPERIMENT = Experiment(
    name="regime_comparison",
    regimes=("centralised", "flexible", "self_regulatory", "no_cooperation"),
    replicates=50,
    steps=240,
    seed=20261128,
)
QUICK = {"replicates": 6, "steps": 120}
ORDER = 10  # first in the reproduction report

#: Harm reduction, then every outcome of a run summary that has a better direction (the declarations).
METRICS = ["harm_reduction", *(m.name for m in SUMMARY if m.lower_is_better is not None)]
PAIRS = [("flexible", "centralised"), ("flexible", "self_regulatory"), ("self_regulatory", "centralised")]


def report(results: Results, figures: Path) -> Section:
    runs, steps = analysis.paired_runs(results), results.steps
    summary = analysis.summarise(runs, METRICS, by=["regime"])
    paired = analysis.paired_summary(runs, "harm_reduction", PAIRS)
    adequacy = analysis.replicate_adequacy(runs[runs["regime"] != BASELINE], "harm_reduction", target=0.01)
    tables = analysis.export(
        analysis.wide_ci_table(summary),
        figures / "summary",
        caption="Outcomes per regime: mean [95% bootstrap CI] over replicates.",
        label="tab:regime-summary",
    )
    tables += analysis.export(
        paired.set_index("comparison"),
        figures / "paired_harm_reduction",
        caption="Paired differences in harm reduction (same seeds).",
        label="tab:paired",
    )

    fig, ax = plots.figure()
    plots.timeseries(analysis.timeseries(steps, "harm"), "harm", ax)
    harm_png = plots.save(fig, figures / "harm_over_time")[1]

    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.55, ncols=3, nrows=2)
    panels = ["harm_reduction", "time_to_agreement", "negotiation_cost", "coverage", "compliance", "legitimacy"]
    for ax, metric in zip(axes.flat, panels, strict=True):
        plots.regime_intervals(summary, metric, ax)
    axes.flat[2].set_xscale("log")
    for ax in axes[:, 1:].flat:
        ax.set_yticklabels([])
    outcomes_png = plots.save(fig, figures / "outcomes")[1]

    fig, ax = plots.figure(aspect=0.45)
    plots.paired_intervals(paired, ax)
    paired_png = plots.save(fig, figures / "paired_harm_reduction")[1]

    row = summary[summary["metric"] == "harm_reduction"].set_index("regime")
    regimes = [r for r in row.index if r != BASELINE]
    best = max(regimes, key=lambda r: row.loc[r, "mean"])
    tta = summary[summary["metric"] == "time_to_agreement"].set_index("regime")["mean"]
    cost = summary[summary["metric"] == "negotiation_cost"].set_index("regime")["mean"]
    verdict = analysis.adequacy_verdict(adequacy) if not adequacy.empty else None

    def adequate(r: str) -> str:
        assert verdict is not None
        return "enough" if verdict.loc[r, "enough"] else f"not enough (about {int(verdict.loc[r, 'needed'])} needed)"

    reductions = "; ".join(f"**{r}** {analysis.ci_text(row.loc[r])}" for r in regimes)
    differences = "; ".join(
        f"{p.comparison} = {p.mean:.3f} [{p.low:.3f}, {p.high:.3f}], positive in {p.share_positive:.0%} of pairs"
        for p in paired.itertuples()
    )
    speed = ", ".join(f"{r} {tta[r]:.1f}" for r in tta.index)
    costs = ", ".join(f"{r} {cost[r]:,.0f}" for r in cost.index)
    if verdict is None:
        adequacy_text = "not assessed (it needs at least 2 replicates)"
    else:
        adequacy_text = ", ".join(f"{r} {adequate(r)}" for r in verdict.index)
    n_rep, months = int(runs["replicate"].nunique()), int(runs["steps"].iloc[0])
    text = (
        f"Harm reduction against `no_cooperation` on the same seeds ({n_rep} replicates, {months} months): "
        f"{reductions}. The largest is **{best}**.\n\n"
        f"Paired differences (same stakeholders and issues): {differences}.\n\n"
        f"Speed: mean time to agreement (months) is {speed}. Negotiation cost (participant-rounds per run) is "
        f"{costs}.\n\n"
        f"Replicate adequacy (95% CI half-width of harm reduction within 0.01): {adequacy_text}."
    )
    key = {f"harm_reduction[{r}]": float(row.loc[r, "mean"]) for r in row.index}
    key.update({f"time_to_agreement[{r}]": float(tta[r]) for r in tta.index})
    return Section(
        title="Regime comparison",
        text=text,
        figures=[
            (harm_png, "Harm per month, mean over replicates with 95% band, by regime."),
            (outcomes_png, "Outcomes per regime: mean and 95% bootstrap CI over replicates."),
            (paired_png, "Paired differences in harm reduction (same seeds), 95% bootstrap CI."),
        ],
        tables=tables,
        key_numbers=key,
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
