"""Sensitivity, step 1: Morris screening of every uncertain parameter (Saltelli et al. 2008, ch. 3).

Which parameters move each regime's harm reduction, and the paired difference
flexible minus centralised?  Every parameter with a plausible range in
``ecsim params`` varies over that range (decision_rule over its choices);
elementary effects are computed with SALib on the design's unit coordinates.

    python experiments/sensitivity_morris.py           # paper size: 30 trajectories, 2 replicates
    python experiments/sensitivity_morris.py --quick   # 4 trajectories, 1 replicate, 60 months
"""

from pathlib import Path

from ecsim import analysis, plots
from ecsim.analysis import Section
from ecsim.analysis.sensitivity import label_of
from ecsim.experiment import Experiment, Results
from ecsim.params import uncertain
from ecsim.study import main

EXPERIMENT = Experiment(
    name="sensitivity_morris",
    regimes=("centralised", "flexible", "self_regulatory", "no_cooperation"),
    factors=uncertain(),
    design="morris",  # stores no per-step table (the report reads run summaries only; outputs= keeps some)
    samples=30,
    morris_levels=4,
    replicates=2,
    steps=240,
    seed=1986,
)
QUICK = {"replicates": 1, "steps": 60, "samples": 4}
ORDER = 60
OUTPUTS = [
    ("harm_reduction", "flexible"),
    ("harm_reduction", "centralised"),
    ("harm_reduction", "self_regulatory"),
    ("harm_reduction", ("flexible", "centralised")),
]


def report(results: Results, figures: Path) -> Section:
    runs = analysis.paired_runs(results)
    tables, pngs, key, lines = [], [], {}, []
    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.9, ncols=2, nrows=2)
    for ax, (output, regime) in zip(axes.flat, OUTPUTS, strict=True):
        name = label_of(regime)
        table = analysis.morris_indices(runs, results.manifest, output, regime)
        stem = f"morris_{output}_{name.replace(' - ', '_minus_')}"
        tables += analysis.export(
            table.set_index("factor"), figures / stem, caption=f"Morris screening of {output} ({name})."
        )
        plots.sensitivity_bars(
            table,
            "mu_star",
            "mu_star_conf",
            top=10,
            ax=ax,
            # A regime's own outcome in its colour; a difference between two regimes in the neutral grey.
            colour_=plots.colour(regime) if isinstance(regime, str) else plots.NEUTRAL.colour,
        )
        ax.set_title(f"{output.replace('_', ' ')}: {analysis.display(name)}", fontsize=8)
        top = table.head(3)
        lines.append(
            f"- **{name}**: " + ", ".join(f"{r.factor} (μ* {r.mu_star:.3f}, σ {r.sigma:.3f})" for r in top.itertuples())
        )
        key.update({f"mu_star[{name}][{r.factor}]": float(r.mu_star) for r in top.itertuples()})
    plots.panel_letters(axes)
    pngs.append((plots.save(fig, figures / "morris")[1], "Morris μ* (95% CI) of harm reduction, top 10 factors."))
    n_points = runs["point"].nunique()
    text = (
        f"Morris screening over {len(results.manifest['spec']['factors'])} uncertain parameters "
        f"({n_points} design points, {runs['replicate'].nunique()} replicate(s) each). "
        "The three most influential parameters (largest μ*; σ large relative to μ* signals interactions or "
        "non-linearity) are:\n\n" + "\n".join(lines)
    )
    return Section(title="Sensitivity: Morris screening", text=text, figures=pngs, tables=tables, key_numbers=key)


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
