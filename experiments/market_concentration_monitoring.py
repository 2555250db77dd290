"""Market concentration x civil-society monitoring: where self-regulation works and where it fails.

Seed 1g: "Most of the harm emerging from large corporations can only be addressed
if they agree amongst themselves"; seed 2a: civil society takes part in
self-regulatory enforcement.  A full factorial over the concentration of the
private sector and the monitoring capacity of civil society, all regimes paired
on seeds at every point.

    python experiments/market_concentration_monitoring.py           # paper size: 5 x 5 x 20 replicates
    python experiments/market_concentration_monitoring.py --quick   # 5 x 5 x 2 replicates, 120 months
"""

from pathlib import Path

from ecsim import analysis, plots
from ecsim.analysis import Section
from ecsim.experiment import Experiment, Range, Results
from ecsim.model.regimes import BASELINE
from ecsim.study import main

EXPERIMENT = Experiment(
    name="market_concentration_monitoring",
    regimes=("centralised", "flexible", "self_regulatory", "no_cooperation"),
    factors={"market_concentration": [0.05, 0.25, 0.5, 0.75, 0.95], "monitoring_capacity": Range(0.0, 1.0, levels=5)},
    design="factorial",
    replicates=20,
    steps=240,
    seed=1968,
)
QUICK = {"replicates": 2, "steps": 120}
ORDER = 30
FACTORS = ["market_concentration", "monitoring_capacity"]


def report(results: Results, figures: Path) -> Section:
    runs = analysis.paired_runs(results)
    summary = analysis.summarise(runs, ["harm_reduction", "compliance", "coverage"], by=["regime", *FACTORS])
    hr = summary[summary["metric"] == "harm_reduction"]
    paired = analysis.paired_summary(
        runs, "harm_reduction", [("self_regulatory", "centralised"), ("flexible", "centralised")], by=FACTORS
    )
    tables = analysis.export(
        hr.pivot_table(index=FACTORS, columns="regime", values="mean"),
        figures / "harm_reduction",
        caption="Harm reduction by market concentration and monitoring capacity (means).",
    )
    n_rep = int(runs["replicate"].nunique())
    ci = analysis.ci_name(n_rep)  # '95% bootstrap CI', or a warning with fewer than 5 replicates
    tables += analysis.export(
        paired.set_index([*FACTORS, "comparison"])[["mean", "low", "high", "n_pairs", "share_positive"]],
        figures / "paired",
        caption=f"Paired differences in harm reduction (same seeds): mean, low and high of the {ci}.",
    )

    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.95, ncols=3, nrows=1)
    shown = hr[hr["regime"] != BASELINE]
    limits = (float(shown["mean"].min()), float(shown["mean"].max()))  # one scale for the three panels
    for ax, regime in zip(axes, ["self_regulatory", "flexible", "centralised"], strict=True):
        plots.level_heatmap(
            hr[hr["regime"] == regime],
            FACTORS[0],
            FACTORS[1],
            "mean",
            ax=ax,
            fmt="{:.2f}",
            colorbar_label="Harm reduction (share)",
            limits=limits,
        )
        ax.set_title(f"harm reduction: {regime.replace('_', ' ')}", fontsize=8)
    plots.panel_letters(axes)
    grid_png = plots.save(fig, figures / "harm_reduction_grid")[1]

    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.75, ncols=2, nrows=1)
    span = float(paired["mean"].abs().max())  # one symmetric scale for both panels
    for ax, comparison in zip(axes, ["self_regulatory - centralised", "flexible - centralised"], strict=True):
        d = paired[paired["comparison"] == comparison]
        plots.level_heatmap(
            d,
            FACTORS[0],
            FACTORS[1],
            "mean",
            ax=ax,
            fmt="{:+.2f}",
            centre=0.0,
            colorbar_label="Paired difference in harm reduction",
            limits=(-span, span),
        )
        ax.set_title(analysis.display(comparison), fontsize=8)
    plots.panel_letters(axes)
    diff_png = plots.save(fig, figures / "paired_grid")[1]

    sr = paired[paired["comparison"] == "self_regulatory - centralised"]
    side = analysis.ci_side(sr)
    wins, losses = sr[side == 1], sr[side == -1]

    def where(d) -> str:
        if d.empty:
            return "nowhere"
        return "; ".join(
            f"c = {r.market_concentration:.2f}, monitoring = {r.monitoring_capacity:.2f}" for r in d.itertuples()
        )

    self_reg = hr[hr["regime"] == "self_regulatory"].set_index(FACTORS)["mean"]
    best, worst = self_reg.idxmax(), self_reg.idxmin()
    caution = analysis.few_note(n_rep)
    text = (
        (f"{caution}\n\n" if caution else "")
        + f"Self-regulation's harm reduction ranges from {self_reg.min():.3f} (concentration {worst[0]:.2f}, "
        f"monitoring {worst[1]:.2f}) to {self_reg.max():.3f} (concentration {best[0]:.2f}, monitoring "
        f"{best[1]:.2f}).\n\n"
        f"Self-regulation beats the centralised forum (paired {ci} above 0) at {len(wins)} of {len(sr)} points: "
        f"{where(wins)}.\n\nIt loses (interval below 0) at {len(losses)} points: {where(losses)}."
    )
    key = {f"self_regulatory[c={k[0]:.2f},m={k[1]:.2f}]": float(v) for k, v in self_reg.items()}
    key["self_regulatory_wins"] = float(len(wins))
    return Section(
        title="Market concentration and monitoring",
        text=text,
        figures=[
            (
                grid_png,
                "Harm reduction against no cooperation, by market concentration (x) and civil-society "
                "monitoring capacity (y); means over replicates.",
            ),
            (diff_png, "Paired differences in harm reduction against the centralised regime (same seeds)."),
        ],
        tables=tables,
        key_numbers=key,
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
