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
    n_rep, months = int(runs["replicate"].nunique()), int(runs["steps"].iloc[0])
    ci = analysis.ci_name(n_rep)  # '95% bootstrap CI', or a warning with fewer than 5 replicates
    summary = analysis.summarise(runs, METRICS, by=["regime"])
    paired = analysis.paired_summary(runs, "harm_reduction", PAIRS)
    adequacy = analysis.replicate_adequacy(runs[runs["regime"] != BASELINE], "harm_reduction", target=0.01)
    tables = analysis.export(
        analysis.wide_ci_table(summary),
        figures / "summary",
        caption=f"Outcomes per regime: mean [{ci}] over replicates.",
        label="tab:regime-summary",
    )
    tables += analysis.export(
        paired.set_index("comparison"),
        figures / "paired_harm_reduction",
        caption=f"Paired differences in harm reduction (same seeds): mean, low and high of the {ci}.",
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
        f"{p['comparison']} = {analysis.ci_text(p)}, positive in {p['share_positive']:.0%} of pairs"
        for _, p in paired.iterrows()
    )
    speed = ", ".join(f"{r} {tta[r]:.1f}" for r in tta.index)
    costs = ", ".join(f"{r} {cost[r]:,.0f}" for r in cost.index)
    if verdict is None:
        adequacy_text = "not assessed (it needs at least 2 replicates)"
    else:
        adequacy_text = ", ".join(f"{r} {adequate(r)}" for r in verdict.index)
    caution = analysis.few_note(n_rep)
    text = (
        (f"{caution}\n\n" if caution else "")
        + f"Harm reduction against `no_cooperation` on the same seeds ({n_rep} replicates, {months} months): "
        f"{reductions}. The largest is **{best}**.\n\n"
        f"Paired differences (same stakeholders and issues): {differences}.\n\n"
        f"Speed: mean time to agreement (months) is {speed}. Negotiation cost (participant-rounds per run) is "
        f"{costs}.\n\n"
        f"Replicate adequacy (95% CI half-width of harm reduction within 0.01): {adequacy_text}."
    )
    key = {f"harm_reduction[{r}]": float(row.loc[r, "mean"]) for r in row.index}
    key.update({f"time_to_agreement[{r}]": float(tta[r]) for r in tta.index})
    headline = analysis.text_table(
        summary,
        {"harm_reduction": "harm reduction", "time_to_agreement": "time to agreement (months)"},
        digits={"harm_reduction": 3, "time_to_agreement": 1},
        title=f"Regime comparison: {n_rep} replicates x {months} months, paired on seeds; "
        f"harm reduction = 1 - cumulative harm / that of {BASELINE} (0 by construction); largest: {best}",
    )
    return Section(
        title="Regime comparison",
        text=text,
        figures=[
            (
                harm_png,
                f"Harm per month, mean over replicates with {analysis.ci_name(n_rep, '95% band', 'band')}, by regime.",
            ),
            (outcomes_png, f"Outcomes per regime: mean and {ci} over replicates."),
            (paired_png, f"Paired differences in harm reduction (same seeds), mean and {ci}."),
        ],
        tables=tables,
        key_numbers=key,
        summary=headline,
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
