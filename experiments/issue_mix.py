"""Issue mix: each regime's harm reduction as the mix of issue categories changes.

Does flexibility pay most when issues are heterogeneous (seed 1g: "the model of
cooperation should be flexible in accordance with the issue being brought to the
table")?  The issue mix is a categorical factor: each category alone, every pair,
every mix of four, the default mix and the uniform mix, all with equal weights on
the categories present.  Heterogeneity is the normalised Shannon entropy of the
mix (0: one category; 1: all five equally often).  Regimes are paired on seeds
within each mix.

    python experiments/issue_mix.py            # paper size: 30 replicates x 240 months
    python experiments/issue_mix.py --quick    # 4 replicates x 120 months
    ecsim sweep experiments/issue_mix.py --workers 2   # the sweep only

Outputs: results/issue_mix/ (runs, steps, manifest, figures/, report.md).
"""

from itertools import combinations
from pathlib import Path

from ecsim import analysis, plots
from ecsim.analysis import Section, issue_mix
from ecsim.experiment import Experiment, Results
from ecsim.params import CATEGORIES, PARAMETERS
from ecsim.study import main

DEFAULT_MIX = dict(PARAMETERS["issue_mix"].default)
MIXES = (
    [{c: 1.0} for c in CATEGORIES]
    + [{a: 1.0, b: 1.0} for a, b in combinations(CATEGORIES, 2)]
    + [{c: 1.0 for c in CATEGORIES if c != left} for left in CATEGORIES]
    + [DEFAULT_MIX, {c: 1.0 for c in CATEGORIES}]
)

EXPERIMENT = Experiment(
    name="issue_mix",
    regimes=("centralised", "flexible", "self_regulatory", "no_cooperation"),
    factors={"issue_mix": MIXES},
    design="factorial",
    replicates=30,
    steps=240,
    seed=20261129,
)
QUICK = {"replicates": 4, "steps": 120}
ORDER = 20

REGIMES_COMPARED = ("centralised", "flexible", "self_regulatory")
PAIRS = [("flexible", "centralised"), ("flexible", "self_regulatory")]
TREND = {1: "rises with heterogeneity", -1: "falls with heterogeneity", 0: "shows no clear trend with heterogeneity"}


def _legends_on_top(fig, axes) -> None:
    """Move the legends of two side-by-side panels above the figure, each over its own panel."""
    for ax, where in zip(axes, ("outside upper left", "outside upper right"), strict=True):
        handles, names = ax.get_legend_handles_labels()
        ax.get_legend().remove()
        fig.legend(handles, names, loc=where, ncols=len(names), fontsize=7, frameon=False, handletextpad=0.3)


def report(results: Results, figures: Path) -> Section:
    runs, mixes = issue_mix.mixes(analysis.paired_runs(results), regime="flexible")
    n_rep, months = int(runs["replicate"].nunique()), int(runs["steps"].iloc[0])
    ci = analysis.ci_name(n_rep)  # '95% bootstrap CI', or a warning with fewer than 5 replicates
    order = list(mixes["mix"])
    venues = dict(zip(mixes["mix"], mixes["limited_venues"], strict=True))
    entropy_of = dict(zip(mixes["mix"], mixes["entropy"], strict=True))

    compared = runs[runs["regime"].isin(REGIMES_COMPARED)]
    by_mix = analysis.summarise(compared, ["harm_reduction", "time_to_agreement"], by=["regime", "mix"])
    by_entropy = analysis.summarise(compared, ["harm_reduction"], by=["regime", "entropy"])
    paired_mix = analysis.paired_summary(runs, "harm_reduction", PAIRS, by=["mix"])
    paired_entropy = analysis.paired_summary(runs, "harm_reduction", PAIRS, by=["entropy"])
    adequacy = analysis.replicate_adequacy(compared, "harm_reduction", by=["regime", "mix"], target=0.01)

    # ---- tables
    hr = by_mix[by_mix["metric"] == "harm_reduction"]
    table = analysis.wide_ci_table(hr, index="mix", columns="regime").loc[order]
    for comparison, d in paired_mix.groupby("comparison", sort=False):
        table[comparison] = analysis.format_ci(d.set_index("mix")).reindex(order)
    table.insert(0, "flexible limited venues", [venues[m] for m in order])
    table.insert(0, "entropy", [entropy_of[m] for m in order])
    tables = analysis.export(
        table,
        figures / "harm_reduction_by_mix",
        caption=f"Harm reduction against no cooperation per issue mix: mean [{ci}] over replicates, "
        "and paired differences (same seeds).",
        label="tab:issue-mix",
    )
    level = analysis.wide_ci_table(
        by_entropy.assign(entropy=by_entropy["entropy"].map("{:.3f}".format)), "entropy", "regime"
    )
    for comparison, d in paired_entropy.groupby("comparison", sort=False):
        level[comparison] = analysis.format_ci(d.assign(entropy=d["entropy"].map("{:.3f}".format)).set_index("entropy"))
    tables += analysis.export(
        level,
        figures / "harm_reduction_by_entropy",
        caption=f"Harm reduction per heterogeneity level (runs pooled over the mixes with that entropy): mean [{ci}].",
        label="tab:issue-entropy",
    )

    # ---- figures
    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.8, ncols=2)
    plots.factor_lines(by_entropy, "entropy", "harm_reduction", axes[0])
    plots.paired_lines(paired_entropy, "entropy", axes[1])
    _legends_on_top(fig, axes)
    axes[1].set_ylabel("Flexible minus other regime,\nharm reduction (share)")
    plots.panel_letters(axes)
    entropy_png = plots.save(fig, figures / "harm_reduction_vs_entropy")[1]

    levels = [entropy_of[m] for m in order]
    fig, axes = plots.figure(
        width=plots.DOUBLE_WIDTH, aspect=2 * (0.7 + 0.17 * len(order)) / plots.DOUBLE_WIDTH, ncols=2
    )
    labels = {m: f"{m} ({entropy_of[m]:.2f})" for m in order}
    plots.group_intervals(hr, "mix", "harm_reduction", axes[0], order=order, labels=labels)
    plots.group_intervals(paired_mix, "mix", "harm_reduction", axes[1], order=order, hue="comparison")
    axes[0].axvline(0, color="0.6", linewidth=0.6, linestyle="--")
    axes[0].set_ylabel("Issue mix (normalised entropy)")
    axes[1].set_yticklabels([])
    axes[0].set_xlabel("Harm reduction vs.\nno cooperation (share)")
    axes[1].set_xlabel("Flexible minus other regime,\nharm reduction (share)")
    for ax in axes:
        for i in range(1, len(order)):
            if levels[i] != levels[i - 1]:
                ax.axhline(i - 0.5, color="0.85", linewidth=0.6)
    _legends_on_top(fig, axes)
    plots.panel_letters(axes)
    mix_png = plots.save(fig, figures / "harm_reduction_by_mix")[1]

    # ---- reading
    mean = hr.pivot(index="mix", columns="regime", values="mean").loc[order]
    top = mean[list(REGIMES_COMPARED)]
    leaders = {m: analysis.leaders(top.loc[m]) for m in order}
    wins = {r: [m for m in order if leaders[m] == [r]] for r in REGIMES_COMPARED}
    ties = [f"{m} ({' = '.join(leaders[m])})" for m in order if len(leaders[m]) > 1]
    zero = analysis.always_equal(compared, "harm_reduction", 0.0, by=["regime", "mix"])
    as_baseline = {r: [m for m in order if zero.loc[(r, m)]] for r in REGIMES_COMPARED}
    low_h, high_h = min(levels), max(levels)
    ent = by_entropy.set_index(["regime", "entropy"])

    def at(regime: str, h: float) -> str:
        return analysis.ci_text(ent.loc[(regime, h)])

    by_level = "; ".join(
        f"**{r}** {at(r, low_h)} with one category and {at(r, high_h)} with all five equally often"
        for r in REGIMES_COMPARED
    )
    pe = paired_entropy.set_index(["comparison", "entropy"])
    premium_lines, rho = [], {}
    for a, b in PAIRS:
        comparison = f"{a} - {b}"
        d = paired_mix[paired_mix["comparison"] == comparison].set_index("mix").loc[order]
        trend = analysis.rank_trend([entropy_of[m] for m in order], d["mean"])
        rho[comparison] = (trend.rho, trend.p)
        rv = analysis.rank_trend([venues[m] for m in order], d["mean"])
        side = analysis.ci_side(d)
        above = [m for m in order if side[m] == 1]
        below = [m for m in order if side[m] == -1]
        lo, hi = pe.loc[(comparison, low_h)], pe.loc[(comparison, high_h)]
        premium_lines.append(
            f"{analysis.display(comparison, spaces=False)}: {analysis.ci_text(lo)} at entropy {low_h:.2f} and "
            f"{analysis.ci_text(hi)} at entropy {high_h:.2f}; across the {len(order)} mixes "
            f"it {TREND[trend.direction]} (Spearman ρ = {trend.rho:.2f}, p = {trend.p:.3f}) and has ρ = {rv.rho:.2f} "
            "with the number of the flexible regime's venues on the shared budget that the mix uses. "
            f"Its CI is above 0 in "
            f"{len(above)} of {len(order)} mixes, below 0 in {len(below)}"
            + (f" ({', '.join(below)})" if below else "")
            + " and includes 0 in the rest"
        )
    hr_side = analysis.ci_side(hr.set_index(["regime", "mix"]))
    losses = [f"{r} on {m}" for r in REGIMES_COMPARED for m in order if hr_side.loc[(r, m)] == -1]
    loss_text = (
        "worse than no cooperation (CI below 0): " + "; ".join(losses)
        if losses
        else "no regime is worse than no cooperation on any mix (no CI entirely below 0)"
    )
    win_text = "; ".join(
        f"**{r}** in {len(wins[r])}" + (f" ({', '.join(wins[r])})" if wins[r] else "") for r in REGIMES_COMPARED
    )
    verdict = analysis.adequacy_verdict(adequacy, by=["regime", "mix"])
    short = verdict[~verdict["enough"]]
    adequacy_text = (
        f"{int(verdict['enough'].sum())} of {len(verdict)} (regime, mix) groups reach a 95% CI half-width of 0.01"
        + (f"; the worst needs about {int(short['needed'].max())} replicates" if len(short) else "")
    )
    same = [f"{r} on {', '.join(ms)}" for r, ms in as_baseline.items() if ms]
    winners = f"Highest mean harm reduction per mix: {win_text}"
    winners += f"; tied: {', '.join(ties)}." if ties else "."
    winners += f" Where a regime loses outright, {loss_text}."
    if same:
        winners += (
            " Identical to no cooperation in every replicate (these categories are routed as in the baseline): "
            + "; ".join(same)
            + "."
        )
    paragraphs = [
        *([analysis.few_note(n_rep)] if analysis.too_few(n_rep) else []),
        f"{len(order)} issue mixes ({n_rep} replicates, {months} months), harm reduction against "
        f"`no_cooperation` on the same seeds, runs pooled over the mixes of equal heterogeneity: {by_level}.",
        winners,
        "Flexibility premium (paired differences in harm reduction): " + ". ".join(premium_lines) + ".",
        "Caveat (ODD §7.5, §9): every regime has one negotiating budget shared by its venues, but national "
        "legislatures sit outside it, so a mix rich in national issues leaves the flexible and self-regulatory "
        "regimes more of their budget for the rest, while the centralised forum spends it on every category; "
        "heterogeneity and the budget left over are partly confounded here.",
        f"Replicate adequacy: {adequacy_text}.",
    ]
    text = "\n\n".join(paragraphs)
    key = {
        f"harm_reduction[{r}, entropy={h:.2f}]": float(ent.loc[(r, h), "mean"])
        for r in REGIMES_COMPARED
        for h in (low_h, high_h)
    }
    for (comparison, h), r in pe.iterrows():
        key[f"{comparison}[entropy={h:.2f}]"] = float(r["mean"])
    for comparison, (statistic, p) in rho.items():
        key[f"spearman_rho[{comparison} vs entropy]"] = statistic
        key[f"spearman_p[{comparison} vs entropy]"] = p
    key.update({f"mixes_won[{r}]": float(len(wins[r])) for r in REGIMES_COMPARED})
    return Section(
        title="Issue mix",
        text=text,
        figures=[
            (
                entropy_png,
                "Left: harm reduction against the heterogeneity of the issue mix (runs pooled over the mixes with the "
                f"same entropy); right: the flexible regime's paired advantage. Mean and {ci}.",
            ),
            (
                mix_png,
                "Left: harm reduction per issue mix (normalised entropy in brackets); right: the flexible regime's "
                f"paired advantage per mix. Mean and {ci} over replicates.",
            ),
        ],
        tables=tables,
        key_numbers=key,
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
