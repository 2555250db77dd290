"""Regime comparison: the four regimes on the default scenario, replicated and paired on seeds.

Which regime removes most harm, how fast, at what cost and for whom?  Every
regime faces the same stakeholders and issues in each replicate (common random
numbers), so differences between regimes are paired.  Every regime has the same
negotiating capacity (one shared budget); the per-venue variant of each, whose
capacity grows with its number of venues, is reported beside.  Outcomes are read
at 60, 120, 240 and 480 months, and harm per month in the last five years.

    python experiments/regime_comparison.py            # paper size: 50 replicates x 480 months
    python experiments/regime_comparison.py --quick    # 6 replicates x 120 months
    ecsim sweep experiments/regime_comparison.py --workers 2   # the sweep only

Outputs: results/regime_comparison/ (runs, steps, manifest, figures/, report.md).
"""

from pathlib import Path

import pandas as pd

from ecsim import analysis, plots
from ecsim.analysis import Section
from ecsim.experiment import Experiment, Results
from ecsim.model.metrics import SUMMARY
from ecsim.model.regimes import BASELINE, REGIMES
from ecsim.study import main

MAIN = ("centralised", "flexible", "self_regulatory")
#: Each regime with one agenda per venue (its capacity grows with its venues): the unfair comparison, beside.
PER_VENUE = {r: REGIMES[r].with_dimensions(capacity="per_venue") for r in MAIN}
HORIZONS = (60, 120, 240, 480)

EXPERIMENT = Experiment(
    name="regime_comparison",
    regimes=(*MAIN, *PER_VENUE.values(), BASELINE),
    replicates=50,
    steps=480,
    seed=20261128,
)
QUICK = {"replicates": 6, "steps": 120}
ORDER = 10  # first in the reproduction report

#: Harm reduction, then every outcome of a run summary that has a better direction (the declarations).
METRICS = ["harm_reduction", *(m.name for m in SUMMARY if m.lower_is_better is not None)]
PAIRS = [("flexible", "centralised"), ("flexible", "self_regulatory"), ("self_regulatory", "centralised")]


def report(results: Results, figures: Path) -> Section:
    every = analysis.paired_runs(results)
    main_regimes = [*MAIN, BASELINE]
    runs = every[every["regime"].isin(main_regimes)]
    # The per-step table stays on disk: its bands, horizons and steady state are aggregated in DuckDB.
    steps = results.step_table.subset(regimes=main_regimes)
    n_rep, months = int(runs["replicate"].nunique()), int(runs["steps"].iloc[0])
    ci = analysis.ci_name(n_rep)  # '95% bootstrap CI', or a warning with fewer than 5 replicates
    summary = analysis.summarise(runs, METRICS, by=["regime"])
    paired = analysis.paired_summary(runs, "harm_reduction", PAIRS)
    adequacy = analysis.replicate_adequacy(runs[runs["regime"] != BASELINE], "harm_reduction", target=0.01)
    # The CSV holds every outcome as computed; the LaTeX table is for reading: one outcome per pair of rows.
    tables = analysis.export(
        analysis.wide_ci_table(summary),
        figures / "summary",
        caption=f"Outcomes per regime over {n_rep} replicates of {months} months: the mean, and under it the {ci} "
        "(k: thousands, M: millions; an outcome's unit is under its name).",
        label="tab:regime-summary",
        latex=analysis.ci_table(summary, stacked=True),
    )
    tables += analysis.export(
        paired.set_index("comparison"),
        figures / "paired_harm_reduction",
        caption=f"Paired differences in harm reduction (same seeds): mean, low and high of the {ci}, and the share "
        "of pairs in which the first regime removes more harm.",
        label="tab:paired",
        latex=analysis.paired_table(paired),
    )

    fig, ax = plots.figure(aspect=0.8)
    plots.timeseries(analysis.timeseries(steps, "harm"), "harm", ax)
    harm_png = plots.save(fig, figures / "harm_over_time")[1]

    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.55, ncols=3, nrows=2)
    panels = ["harm_reduction", "time_to_agreement", "negotiation_cost", "coverage", "compliance", "legitimacy"]
    for ax, metric in zip(axes.flat, panels, strict=True):
        plots.regime_intervals(summary, metric, ax)
    axes.flat[2].set_xscale("log")
    for ax in axes[:, 1:].flat:
        ax.set_yticklabels([])
    plots.panel_letters(axes)
    outcomes_png = plots.save(fig, figures / "outcomes")[1]

    fig, ax = plots.figure(aspect=0.5)
    differences = pd.concat([analysis.paired_differences(runs, "harm_reduction", a, b) for a, b in PAIRS])
    plots.paired_intervals(paired, ax, differences)
    paired_png = plots.save(fig, figures / "paired_harm_reduction")[1]

    # Equal resources against one agenda per venue (a regime's capacity then grows with its venues).
    variants = every[every["regime"].isin([v.name for v in PER_VENUE.values()])]
    variants = variants.assign(regime=variants["regime"].str.replace("[capacity=per_venue]", "", regex=False))
    per_venue = analysis.summarise(variants, ["harm_reduction"], by=["regime"]).set_index("regime")
    # Outcomes at every horizon the runs reach, and the harm a regime settles at.
    horizons = sorted({*(h for h in HORIZONS if h <= months), months})  # and always the run's end
    by_horizon = analysis.summarise(analysis.at_horizons(steps, horizons), ["harm_reduction"], by=["regime", "horizon"])
    by_horizon = by_horizon[by_horizon["regime"] != BASELINE]
    ranks = analysis.rankings(by_horizon)
    steady = analysis.summarise(analysis.steady_state(steps), ["steady_harm"], by=["regime"]).set_index("regime")
    cells = by_horizon.assign(cell=by_horizon.apply(analysis.ci_text, axis=1))
    tables += analysis.export(
        cells.pivot(index="regime", columns="horizon", values="cell"),
        figures / "harm_reduction_by_horizon",
        caption=f"Harm reduction against {BASELINE} after each horizon (months): mean [{ci}].",
        label="tab:horizons",
    )
    fig, ax = plots.figure()
    plots.factor_lines(by_horizon, "horizon", "harm_reduction", ax, legend=False, labels=True)
    horizon_png = plots.save(fig, figures / "harm_reduction_by_horizon")[1]

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
        f"{analysis.display(p['comparison'], spaces=False)} = {analysis.ci_text(p)}, "
        f"positive in {p['share_positive']:.0%} of pairs"
        for _, p in paired.iterrows()
    )
    speed = ", ".join(f"{r} {tta[r]:.1f}" for r in tta.index)
    costs = ", ".join(f"{r} {cost[r]:,.0f}" for r in cost.index)
    if verdict is None:
        adequacy_text = "not assessed (it needs at least 2 replicates)"
    else:
        adequacy_text = ", ".join(f"{r} {adequate(r)}" for r in verdict.index)
    caution = analysis.few_note(n_rep)
    unequal = "; ".join(f"{r} {analysis.ci_text(per_venue.loc[r])}" for r in MAIN)
    horizon_text = "; ".join(
        f"{h} months: " + ", ".join(f"{r} {analysis.ci_text(x)}" for r, x in d.set_index("regime").iterrows())
        for h, d in by_horizon.groupby("horizon")
    )
    order = {h: " > ".join(ranks[h].sort_values().index) for h in ranks.columns}
    depends = analysis.ranking_changes(ranks)
    ranking_text = (
        "The ranking **depends on the horizon**: " + "; ".join(f"{h} months: {o}" for h, o in order.items())
        if depends
        else f"The ranking is the same at every horizon: {next(iter(order.values()))}"
    )
    settled = ", ".join(f"{r} {analysis.ci_text(steady.loc[r])}" for r in [*MAIN, BASELINE])
    text = (
        (f"{caution}\n\n" if caution else "")
        + f"Harm reduction against `no_cooperation` on the same seeds ({n_rep} replicates, {months} months), every "
        f"regime with the same negotiating capacity: {reductions}. The largest is **{best}**.\n\n"
        f"With one agenda per venue instead (a regime's capacity then grows with its number of venues): "
        f"{unequal}.\n\n"
        f"By horizon: {horizon_text}. {ranking_text}.\n\n"
        f"Harm per month in the last {min(60, months)} months (the level a regime settles at): {settled}.\n\n"
        f"Paired differences (same stakeholders and issues): {differences}.\n\n"
        f"Speed: mean time to agreement (months) is {speed}. Negotiation cost (participant-rounds per run) is "
        f"{costs}.\n\n"
        f"Replicate adequacy (95% CI half-width of harm reduction within 0.01): {adequacy_text}."
    )
    key = {f"harm_reduction[{r}]": float(row.loc[r, "mean"]) for r in row.index}
    key.update({f"harm_reduction_per_venue[{r}]": float(per_venue.loc[r, "mean"]) for r in MAIN})
    key.update(
        {
            f"harm_reduction[{r}, {h}]": float(x)
            for (r, h), x in by_horizon.set_index(["regime", "horizon"])["mean"].items()
        }
    )
    key.update({f"steady_harm[{r}]": float(steady.loc[r, "mean"]) for r in steady.index})
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
                f"Harm per month (issue-months: one is the harm of a median national issue unaddressed for a "
                f"month), mean over {n_rep} replicates with "
                f"{analysis.ci_name(n_rep, '95% confidence band of the mean (Student t)', 'band')}, by regime.",
            ),
            (outcomes_png, f"Outcomes per regime (a-f): mean and {ci} over replicates; shares on axes from 0."),
            (
                paired_png,
                f"Paired differences in harm reduction (same seeds): each pair's difference (dots), their mean "
                f"and {ci}, and the share of pairs in which the first regime removes more harm.",
            ),
            (horizon_png, f"Harm reduction after each horizon, mean and {ci}, by regime."),
        ],
        tables=tables,
        key_numbers=key,
        summary=headline,
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
