"""Sensitivity, step 2: Sobol' indices with confidence intervals (Saltelli design; SALib).

First-order and total Sobol' indices of each regime's harm reduction and of the
paired difference flexible minus centralised, over every uncertain parameter
(the plausible ranges declared in ``ecsim params``; decision_rule over its choices).

    python experiments/sensitivity.py          # paper size: N = 128 (128 x 47 design points)
    python experiments/sensitivity.py --quick  # N = 8, 36 months: a smoke run, not a result
"""

from pathlib import Path

from ecsim import analysis, plots
from ecsim.analysis import Section
from ecsim.analysis.sensitivity import label_of
from ecsim.experiment import Experiment, Results
from ecsim.params import uncertain
from ecsim.study import main

EXPERIMENT = Experiment(
    name="sensitivity",
    regimes=("centralised", "flexible", "no_cooperation"),
    factors=uncertain(),
    design="saltelli",  # stores no per-step table (the report reads run summaries only; outputs= keeps some)
    second_order=False,  # the report reads S1 and ST only: N(k+2) points, the full design's runs for them
    samples=128,
    replicates=1,
    steps=240,
    seed=2008,
)
QUICK = {"replicates": 1, "steps": 36, "samples": 8}
ORDER = 70
OUTPUTS = [
    ("harm_reduction", "flexible"),
    ("harm_reduction", "centralised"),
    ("harm_reduction", ("flexible", "centralised")),
]


def report(results: Results, figures: Path) -> Section:
    runs = analysis.paired_runs(results)
    tables, key, lines = [], {}, []
    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=1.15, ncols=3, nrows=1)
    for ax, (output, regime) in zip(axes.flat, OUTPUTS, strict=True):
        name = label_of(regime)
        table = analysis.sobol_indices(runs, results.manifest, output, regime)
        stem = f"sobol_{output}_{name.replace(' - ', '_minus_')}"
        tables += analysis.export(
            table.set_index("factor"), figures / stem, caption=f"Sobol' indices (95% CI) of {output} ({name})."
        )
        # A regime's own outcome in its colour; a difference between two regimes in the neutral grey.
        colour = plots.colour(regime) if isinstance(regime, str) else plots.NEUTRAL.colour
        plots.sensitivity_bars(table, "ST", "ST_conf", top=8, ax=ax, colour_=colour)
        ax.set_title(analysis.display(name), fontsize=8)
        top = table.head(3)
        lines.append(
            f"- **{name}**: "
            + ", ".join(f"{r.factor} (ST {r.ST:.2f} ± {r.ST_conf:.2f}, S1 {r.S1:.2f})" for r in top.itertuples())
        )
        key.update({f"ST[{name}][{r.factor}]": float(r.ST) for r in top.itertuples()})
    plots.panel_letters(axes)
    png = plots.save(fig, figures / "sobol")[1]
    n = results.manifest["spec"]["samples"]
    text = (
        f"Sobol' indices from a Saltelli design with N = {n} ({runs['point'].nunique()} points). "
        "The parameters with the largest total effect (ST, with its 95% bootstrap CI; S1 is the share of variance "
        "each explains alone) are:\n\n" + "\n".join(lines) + "\n\nIntervals wider than the indices mean N is too "
        "small for those indices; the paper-size run uses N = 128."
    )
    return Section(
        title="Sensitivity: Sobol' indices",
        text=text,
        figures=[(png, "Total-order Sobol' indices (95% CI) of harm reduction, top 8 factors.")],
        tables=tables,
        key_numbers=key,
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
