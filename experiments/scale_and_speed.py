"""Scale and speed: the number of deciders and the negotiating budget against time to agreement.

Seed 1d asks enhanced cooperation to "proceed as quickly as possible".  How does
time to agreement change as the number of governments grows (25 to 400) and as
the regime can hold more negotiations at once (negotiating budget 4 to 32, shared by its venues)?  A full
factorial over both, every regime at every point, paired on seeds within a point.
Time to agreement counts adopted issues only (ODD §9), so the share of issues
still open at the end of the run is reported beside it.

    python experiments/scale_and_speed.py            # paper size: 20 replicates x 240 months
    python experiments/scale_and_speed.py --quick    # 4 replicates x 120 months
    ecsim sweep experiments/scale_and_speed.py --workers 2   # the sweep only

Outputs: results/scale_and_speed/ (runs, steps, manifest, figures/, report.md).
"""

from pathlib import Path

import pandas as pd
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ecsim import analysis, plots
from ecsim.analysis import Section, ci_text
from ecsim.experiment import Experiment, Results
from ecsim.model.regimes import BASELINE
from ecsim.study import main

GOVERNMENTS = [25, 50, 100, 193, 400]
CAPACITIES = [4, 8, 16, 32]
DEFAULT_CAPACITY = 16  # the default negotiation_budget

EXPERIMENT = Experiment(
    name="scale_and_speed",
    regimes=("centralised", "flexible", "self_regulatory", "no_cooperation"),
    factors={"n_governments": GOVERNMENTS, "negotiation_budget": CAPACITIES},
    design="factorial",
    replicates=20,
    steps=240,
    seed=20261130,
)
QUICK = {"replicates": 4, "steps": 120}
ORDER = 40

METRICS = ["time_to_agreement", "open_share", "failed_share", "harm_reduction", "negotiation_cost"]
WRAPPED = {
    "open_share": "Issues still open at the end\n(share of arrived)",
    "harm_reduction": "Harm reduction vs.\nno cooperation (share)",
}
FACTORS = ["n_governments", "negotiation_budget"]
#: How a mean with its CI moves between two levels (analysis.interval_change).
CHANGE = {1: "grows", -1: "falls", 0: "does not change detectably"}


def report(results: Results, figures: Path) -> Section:
    runs = analysis.with_backlog(analysis.paired_runs(results))

    def change(before: pd.Series, after: pd.Series) -> str:
        return CHANGE[analysis.interval_change(before, after)]

    regimes = list(dict.fromkeys(runs["regime"]))
    n_rep, months = int(runs["replicate"].nunique()), int(runs["steps"].iloc[0])
    ci = analysis.ci_name(n_rep)  # '95% bootstrap CI', or a warning with fewer than 5 replicates
    summary = analysis.summarise(runs, METRICS, by=["regime", *FACTORS])
    s = summary.set_index(["regime", *FACTORS, "metric"])
    n_lo, n_hi = min(GOVERNMENTS), max(GOVERNMENTS)
    c_lo, c_hi = min(CAPACITIES), max(CAPACITIES)
    n_default = 193 if 193 in GOVERNMENTS else n_hi

    # ---- tables
    default_cap = summary[summary["negotiation_budget"] == DEFAULT_CAPACITY]
    tables = []
    for metric, digits in (("time_to_agreement", 1), ("open_share", 3), ("harm_reduction", 3)):
        d = default_cap[default_cap["metric"] == metric]
        tables += analysis.export(
            analysis.wide_ci_table(d, index="n_governments", columns="regime", digits=digits),
            figures / f"{metric}_by_governments",
            caption=f"{plots.label(metric)} per number of governments "
            f"at negotiating budget {DEFAULT_CAPACITY}: mean [{ci}].",
            label=f"tab:scale-{metric.replace('_', '-')}",
        )
    central = summary[summary["regime"] == "centralised"]
    grid = central.assign(cell=analysis.format_ci(central, 1)).pivot_table(
        index=["metric", "n_governments"], columns="negotiation_budget", values="cell", aggfunc="first"
    )
    tables += analysis.export(
        grid.loc[["time_to_agreement", "open_share", "harm_reduction"]],
        figures / "centralised_grid",
        caption=f"Centralised regime over number of governments (rows) and negotiating budget (columns): mean [{ci}].",
        label="tab:scale-centralised",
    )

    # ---- figures
    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.95, ncols=3)
    for ax, metric in zip(axes, ["time_to_agreement", "open_share", "harm_reduction"], strict=True):
        d = default_cap if metric != "harm_reduction" else default_cap[default_cap["regime"] != BASELINE]
        plots.factor_lines(d, "n_governments", metric, ax)
        ax.set_xscale("log")
        ax.set_xticks(GOVERNMENTS, [str(n) for n in GOVERNMENTS])
        ax.minorticks_off()
        ax.set_ylabel(WRAPPED.get(metric, plots.label(metric)))
        ax.get_legend().remove()
    for ax in axes[:2]:  # both span more than a factor of 10 across regimes: log scale keeps the low lines apart
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.autoscale(axis="y")  # a share's axis from 0 (plots.share_axis) has no place on a log scale
    axes[0].set_ylabel("Time to agreement (months, log scale)")
    axes[1].set_ylabel("Issues still open at the end\n(share of arrived, log scale)")
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside upper center", ncols=len(names), fontsize=7, frameon=False)
    plots.panel_letters(axes)
    scale_png = plots.save(fig, figures / "speed_vs_governments")[1]

    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.95, ncols=3)
    heat = [("time_to_agreement", "{:.0f}"), ("open_share", "{:.2f}"), ("harm_reduction", "{:.2f}")]
    for ax, (metric, fmt) in zip(axes, heat, strict=True):
        cells = central[central["metric"] == metric].rename(columns={"mean": metric})
        plots.level_heatmap(cells, "n_governments", "negotiation_budget", metric, ax, fmt=fmt)
        ax.collections[0].colorbar.set_label(WRAPPED.get(metric, plots.label(metric)))
        ax.set_ylabel("Negotiating budget\n(negotiations at once)")
    for ax in axes[1:]:
        ax.set_ylabel("")
    plots.panel_letters(axes)
    heat_png = plots.save(fig, figures / "centralised_heatmap")[1]

    # ---- reading
    def at(regime: str, n: int, cap: int, metric: str) -> pd.Series:
        return s.loc[(regime, n, cap, metric)]

    growth = []
    for regime in regimes:
        lo, hi = (
            at(regime, n_lo, DEFAULT_CAPACITY, "time_to_agreement"),
            at(regime, n_hi, DEFAULT_CAPACITY, "time_to_agreement"),
        )
        olo, ohi = at(regime, n_lo, DEFAULT_CAPACITY, "open_share"), at(regime, n_hi, DEFAULT_CAPACITY, "open_share")
        growth.append(
            f"**{regime}** time to agreement {change(lo, hi)} ({ci_text(lo, 1)} → {ci_text(hi, 1)} months) and the "
            f"open share {change(olo, ohi)} ({ci_text(olo, 2)} → {ci_text(ohi, 2)})"
        )
    capacity = []
    for regime in regimes:
        lo, hi = at(regime, n_default, c_lo, "time_to_agreement"), at(regime, n_default, c_hi, "time_to_agreement")
        olo, ohi = at(regime, n_default, c_lo, "open_share"), at(regime, n_default, c_hi, "open_share")
        capacity.append(
            f"**{regime}** time to agreement {ci_text(lo, 1)} → {ci_text(hi, 1)} months ({change(lo, hi)}), "
            f"open share {ci_text(olo, 2)} → {ci_text(ohi, 2)} ({change(olo, ohi)})"
        )
    per_capacity = []
    for regime in regimes:
        steps_ = [
            f"{c}: {at(regime, n_lo, c, 'time_to_agreement')['mean']:.1f} → "
            f"{at(regime, n_hi, c, 'time_to_agreement')['mean']:.1f} "
            f"({change(at(regime, n_lo, c, 'time_to_agreement'), at(regime, n_hi, c, 'time_to_agreement'))})"
            for c in CAPACITIES
        ]
        per_capacity.append(f"**{regime}** " + ", ".join(steps_))
    hr = summary[(summary["metric"] == "harm_reduction") & (summary["regime"] != BASELINE)]
    best = analysis.best_rows(hr, FACTORS)
    counts = best["regime"].value_counts()
    where = {
        r: ", ".join(
            f"{int(b.n_governments)}/{int(b.negotiation_budget)}" for b in best[best["regime"] == r].itertuples()
        )
        for r in regimes
    }
    leaders = "; ".join(
        f"**{r}** at {int(counts.get(r, 0))}" + (f" ({where[r]})" if 0 < counts.get(r, 0) <= len(best) / 2 else "")
        for r in regimes
        if r != BASELINE
    )
    lost = hr[analysis.ci_side(hr) == -1]
    losses = (
        "; ".join(
            f"{r.regime} at {int(r.n_governments)} governments, capacity {int(r.negotiation_budget)}"
            for r in lost.itertuples()
        )
        if len(lost)
        else "none"
    )
    tta = summary[summary["metric"] == "time_to_agreement"]
    fastest = analysis.best_rows(tta, FACTORS, lowest=True)["regime"].value_counts()
    fast_text = ", ".join(f"{r} at {int(fastest.get(r, 0))}" for r in regimes)
    hr_lines = "; ".join(
        f"{r} {ci_text(at(r, n_lo, DEFAULT_CAPACITY, 'harm_reduction'), 3)} → "
        f"{ci_text(at(r, n_hi, DEFAULT_CAPACITY, 'harm_reduction'), 3)} "
        f"({change(at(r, n_lo, DEFAULT_CAPACITY, 'harm_reduction'), at(r, n_hi, DEFAULT_CAPACITY, 'harm_reduction'))})"
        for r in regimes
        if r != BASELINE
    )
    points = runs[FACTORS].drop_duplicates().shape[0]
    paragraphs = [
        *([analysis.few_note(n_rep)] if analysis.too_few(n_rep) else []),
        f"{points} design points ({len(GOVERNMENTS)} numbers of governments x {len(CAPACITIES)} negotiating "
        f"budgets), {n_rep} replicates, {months} months. From {n_lo} to {n_hi} governments at negotiating budget "
        f"{DEFAULT_CAPACITY} (mean [{ci}]; 'grows'/'falls' when the two intervals do not overlap): "
        + "; ".join(growth)
        + ".",
        f"Time to agreement (months) from {n_lo} to {n_hi} governments at each negotiating budget: "
        + "; ".join(per_capacity)
        + ".",
        f"From negotiating budget {c_lo} to {c_hi} at {n_default} governments: " + "; ".join(capacity) + ".",
        f"Harm reduction from {n_lo} to {n_hi} governments (capacity {DEFAULT_CAPACITY}): {hr_lines}. "
        f"Highest mean harm reduction across the {points} points (governments/capacity): {leaders}; "
        "shortest mean time to agreement: "
        f"{fast_text}. Worse than no cooperation (interval below 0): {losses}.",
        "Time to agreement counts adopted issues only: where the open share is high, issues still queued "
        "are not in it, so it understates the delay (ODD §9).",
    ]
    key: dict[str, float] = {}
    for regime in regimes:
        for n in (n_lo, n_hi):
            key[f"time_to_agreement[{regime}, n={n}, cap={DEFAULT_CAPACITY}]"] = float(
                at(regime, n, DEFAULT_CAPACITY, "time_to_agreement")["mean"]
            )
            key[f"open_share[{regime}, n={n}, cap={DEFAULT_CAPACITY}]"] = float(
                at(regime, n, DEFAULT_CAPACITY, "open_share")["mean"]
            )
        for c in (c_lo, c_hi):
            key[f"time_to_agreement[{regime}, n={n_default}, cap={c}]"] = float(
                at(regime, n_default, c, "time_to_agreement")["mean"]
            )
        if regime != BASELINE:
            key[f"harm_reduction[{regime}, n={n_default}, cap={DEFAULT_CAPACITY}]"] = float(
                at(regime, n_default, DEFAULT_CAPACITY, "harm_reduction")["mean"]
            )
    return Section(
        title="Scale and speed",
        text="\n\n".join(paragraphs),
        figures=[
            (
                scale_png,
                f"Time to agreement, share of issues still open at the end and harm reduction against the number "
                f"of governments (log scales) at negotiating budget {DEFAULT_CAPACITY}; mean and {ci}.",
            ),
            (
                heat_png,
                "Centralised regime: mean time to agreement, share of issues still open at the end and harm "
                "reduction over the number of governments and the negotiating budget.",
            ),
        ],
        tables=tables,
        key_numbers=key,
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
