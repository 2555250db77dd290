"""Scenario discovery: where in the space of uncertain parameters each regime beats another (PRIM, CART).

A Latin hypercube over every uncertain parameter's plausible range (``ecsim params``;
decision_rule over its levels) runs the three regimes and the baseline on the same seeds.
For each pair of regimes and each direction, a design point counts as a win when the
winner's harm reduction, averaged over the point's replicates (paired on seeds), is higher
than the loser's by at least MARGIN.  PRIM (the EMA Workbench; Friedman & Fisher 1999,
Bryant & Lempert 2010) finds the box of parameter space where wins are dense, with its
coverage, density and mass; a shallow CART tree (scikit-learn) is the cross-check.

    python experiments/scenario_discovery.py            # paper size: 300 points x 4 replicates x 240 months
    python experiments/scenario_discovery.py --quick    # 24 points x 1 replicate x 120 months

Outputs: results/scenario_discovery/ (runs, manifest, figures/boxes.csv, box_summary.csv,
peeling_trajectories.png, boxes.png, cart_rules.txt, report.md).
"""

import itertools
from pathlib import Path

from ecsim import analysis, plots
from ecsim.analysis import Section
from ecsim.analysis import scenarios as sd
from ecsim.experiment import Experiment, Results
from ecsim.model.regimes import BASELINE
from ecsim.params import uncertain
from ecsim.study import main

MAIN = ("centralised", "flexible", "self_regulatory")
PAIRS = list(itertools.combinations(MAIN, 2))
#: A win: harm reduction higher by at least this much (a share of the baseline's cumulative harm); see the report.
MARGIN = sd.MARGIN
#: PRIM searches this many dimensions, the most informative of the wins (extra-trees importances); CART all of them.
SEARCHED = 6

EXPERIMENT = Experiment(
    name="scenario_discovery",
    regimes=(*MAIN, BASELINE),
    factors=uncertain(),
    design="lhs",
    samples=300,
    replicates=4,
    steps=240,
    seed=20261201,
    outputs=("harm",),  # the report reads run summaries only
)
QUICK = {"samples": 24, "replicates": 1, "steps": 120}
ORDER = 17  # after the regime comparison and its decomposition


def _title(winner: str, loser: str) -> str:
    return f"{winner} beats {loser}".replace("_", " ")


def report(results: Results, figures: Path) -> Section:
    runs = analysis.paired_runs(results)
    spec = results.manifest["spec"]
    factors = list(spec["factors"])
    plausible = sd.bounds_of(spec["factors"])
    n_rep, months = int(runs["replicate"].nunique()), int(runs["steps"].iloc[0])

    discovery = sd.discover(runs, factors, PAIRS, MARGIN, SEARCHED, seed=int(spec["seed"]))
    found, carts, noise, spread = discovery.found, discovery.carts, discovery.noise, discovery.spread

    boxes = sd.boxes_table(found, plausible)
    tables = analysis.export(
        boxes.set_index(["pair", "winner", "loser"]),
        figures / "boxes",
        caption=f"PRIM boxes where one regime's harm reduction beats another's by at least {MARGIN:g} (mean over "
        "replicates, paired on seeds): coverage, density, mass and each restricted dimension's limits.",
        label="tab:scenario-boxes",
    )
    summary = sd.box_summary(found)
    tables += analysis.export(
        summary.set_index(["winner", "loser"]),
        figures / "box_summary",
        caption=f"Where each regime beats another by at least {MARGIN:g} in harm reduction (PRIM).",
        label="tab:scenario-summary",
    )
    rules = "\n\n".join(f"# {_title(w, lo)} by at least {MARGIN:g}\n{carts[(w, lo)].text}" for w, lo, _, _ in found)
    (figures / "cart_rules.txt").write_text(rules + "\n")
    tables.append(figures / "cart_rules.txt")

    # Figures: one panel per pair (rows) and direction (columns).
    top = max(int(r.trajectory["res_dim"].max()) for *_, r in found) or 1
    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.62, ncols=2, nrows=len(PAIRS))
    for ax, (w, lo, _, r) in zip(axes.flat, found, strict=True):
        plots.peeling_trajectory(r.trajectory, ax, vmax=top, colorbar=False, legend=False)
        ax.set_title(_title(w, lo))
    plots.panel_letters(axes)
    fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside lower center", ncols=4, frameon=False)
    fig.colorbar(
        axes.flat[0].collections[0],
        ax=axes,
        shrink=0.4,
        ticks=plots.res_dim_ticks(top),
        label=sd.LABELS["res_dim"],
    )
    trajectory_png = plots.save(fig, figures / "peeling_trajectories")[1]
    slots = max(
        1, int(boxes.groupby(["winner", "loser"])["dimension"].apply(lambda d: (d.fillna("") != "").sum()).max())
    )
    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.15 + 0.1 * slots, ncols=2, nrows=len(PAIRS))
    for ax, (w, lo, _, _) in zip(axes.flat, found, strict=True):
        plots.scenario_box(boxes[(boxes["winner"] == w) & (boxes["loser"] == lo)], ax, slots=slots)
    plots.panel_letters(axes)
    boxes_png = plots.save(fig, figures / "boxes")[1]

    # The answer, pair by pair, in words.
    lines, key = [], {}
    for a, b in PAIRS:
        low, mid, high = spread[(a, b)]
        lines.append(
            f"**{a} vs {b}** (paired difference {a} − {b} over the design points: median {mid:+.3f}, "
            f"10th–90th percentile {low:+.3f} to {high:+.3f}):"
        )
        for w, lo, _, r in found:
            if {w, lo} != {a, b}:
                continue
            lines.append(f"- {sd.box_sentence(w, lo, MARGIN, r)} {sd.cart_check(carts[(w, lo)], r)}")
            name = f"{w}>{lo}"
            key.update(
                {
                    f"base_rate[{name}]": r.base_rate,
                    f"coverage[{name}]": r.coverage,
                    f"density[{name}]": r.density,
                    f"mass[{name}]": r.mass,
                    f"res_dim[{name}]": float(len(r.restrictions)),
                }
            )
        lines.append("")
    typical = runs[runs["regime"].isin(MAIN)].groupby("regime")["harm_reduction"].median()
    if n_rep > 1:
        noise_text = (
            "The standard error of a point's mean difference (pooled over the points, from its replicates) is "
            + "; ".join(f"{a} − {b} {noise[(a, b)]:.3f}" for a, b in PAIRS)
            + f": the margin is {MARGIN / max(noise.values()):.1f} to {MARGIN / min(noise.values()):.1f} of them. "
            "A point whose true difference lies within about one standard error of the margin may fall on either "
            "side; a box is a region of many points, so such label noise blurs its edges rather than moving it, and "
            "the quasi-p-values below say which restrictions stand out from it."
        )
    else:
        noise_text = (
            "With one replicate per point, each point's difference is a single pair of runs and its noise is not "
            "measured: wins near the margin are partly chance."
        )
    n_points = int(runs["point"].nunique())
    text = (
        f"{n_points} design points of a Latin hypercube over the {len(factors)} uncertain parameters' plausible "
        f"ranges (decision_rule over its levels), {n_rep} replicate(s) x {months} months, every regime of a point "
        "and replicate on the same seed.\n\n"
        f"**A win.** At a design point, one regime beats another when its harm reduction, averaged over the point's "
        f"replicates and paired on seeds, is higher by at least **{MARGIN:g}**: two per cent of the harm there would "
        "be without cooperation. The median harm reduction of the regimes over the design is "
        + ", ".join(f"{r} {v:.3f}" for r, v in typical.items())
        + f", so {MARGIN:g} is a difference worth a policy-maker's notice, yet small beside the regimes' effects: a "
        "region where one regime wins by less would not change a choice between them, and a larger margin would "
        f"leave few wins to describe. {noise_text}\n\n"
        f"**The box.** PRIM (EMA Workbench; peeling alpha 0.05, pasting alpha 0.05, smallest box 5% of the points) "
        f"peels the hypercube towards the wins, in the {SEARCHED} dimensions most informative of them (extra-trees "
        "feature importances, as in the Workbench's feature scoring; with a noisy outcome in all "
        f"{len(factors)} dimensions, greedy peeling spends itself on dimensions that do not matter). For each box on "
        "its trajectory, the restrictions whose quasi-p-value is above 0.05 (Bryant & Lempert 2010) are dropped one "
        "at a time, and the box is read by what is left. Of these boxes at least "
        f"{sd.DENSITY:g} dense (share of the box's points that are wins), the one with the largest coverage "
        "(share of all wins inside the box) x density is reported (when none is that dense, the densest). A box is "
        "worth reporting when its "
        f"density is at least 0.5 and at least {sd.MIN_LIFT:g} above the base rate (the share of wins over the whole "
        f"design) and it holds at least {sd.MIN_COVERAGE:g} of the wins; with a base rate of {sd.DENSITY:g} or more, "
        "the winner wins across most of the space and no box is needed. The cross-check is a CART tree (depth 3, "
        "leaves of at least 5% of the points; a split that changes no prediction is merged; rules below and in "
        "`cart_rules.txt`).\n\n"
        + "\n".join(lines)
        + "\nCART rules (class `wins`: the winner beats the loser by the margin; weights: points of each class):\n\n"
        + "\n\n".join(f"{_title(w, lo)}:\n\n```text\n{carts[(w, lo)].text.rstrip()}\n```" for w, lo, _, _ in found)
    )
    headline = summary.assign(
        **{c: summary[c].map(lambda v: f"{v:.2f}") for c in ("base rate", "coverage", "density", "mass")}
    ).to_string(index=False)
    return Section(
        title="Where each regime wins: scenario discovery",
        text=text,
        figures=[
            (
                trajectory_png,
                "PRIM peeling trajectories: each box's coverage against its density, coloured by its number of "
                "restricted dimensions, and the same box with its significant restrictions only (grey crosses); the "
                "chosen box ringed, the box reported (its significant restrictions only) starred, the base rate "
                "dashed.",
            ),
            (
                boxes_png,
                f"The reported box of each pair and direction (win: harm reduction higher by at least {MARGIN:g}): "
                "each restricted dimension's range within its plausible range, with quasi-p-values.",
            ),
        ],
        tables=tables,
        key_numbers=key,
        summary=f"Scenario discovery: where each regime beats another by at least {MARGIN:g} in harm reduction "
        f"({n_points} points x {n_rep} replicate(s) x {months} months)\n{headline}",
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
