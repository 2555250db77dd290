"""Mechanism ablation: what each of the source text's mechanisms adds to each regime's harm reduction.

Every mechanism of docs/ODD.md that the source text argues for (fit for purpose, state harm, the IGF as a
learning forum, ...) has a switch whose ``off`` value restores the model without it (``ecsim.params.switches()``).
This study runs the ablation design: the full model (every mechanism on, at its default or, where it is off by
default, at the centre of its plausible range), the full model with each mechanism switched off alone, and the
model with every mechanism off, every point on the same seeds.  A mechanism's effect on a regime is the paired
difference in harm reduction, full model minus full model without it (positive: the mechanism makes the regime
remove more harm), with bootstrap intervals over seeds.  Each regime is compared with no_cooperation in the same
world (the baseline runs with the same switches), so a mechanism that changes the harm itself (state harm)
changes what harm reduction is a share of.

    python experiments/mechanism_ablation.py            # paper size: 20 replicates x 240 months
    python experiments/mechanism_ablation.py --quick    # 5 replicates x 120 months

Outputs: results/mechanism_ablation/ (runs, manifest, figures/ablation.csv and .png, report.md).
"""

from pathlib import Path

import pandas as pd

from ecsim import analysis, plots
from ecsim.analysis import Section
from ecsim.analysis.ablation import FULL, NONE, effects, with_variants
from ecsim.experiment import Experiment, Results
from ecsim.model.regimes import BASELINE
from ecsim.params import switches
from ecsim.study import main

MAIN = ("centralised", "flexible", "self_regulatory")
#: Each mechanism's switch: (on, off); the design's reference has every one on.
SWITCHES = switches()
PAIRS = [("flexible", "centralised"), ("flexible", "self_regulatory"), ("self_regulatory", "centralised")]

EXPERIMENT = Experiment(
    name="mechanism_ablation",
    regimes=(*MAIN, BASELINE),
    factors={name: [on, off] for name, (on, off) in SWITCHES.items()},
    design="ablation",
    replicates=20,
    steps=240,
    seed=20261204,
    outputs=("harm",),  # the report reads run summaries only
)
QUICK = {"replicates": 5, "steps": 120}
ORDER = 16  # after the regime comparison and its decomposition, which it revisits with every mechanism on


def _ranking(summary: pd.DataFrame) -> str:
    order = summary.sort_values("mean", ascending=False)
    return " > ".join(f"{r.regime} {r.mean:.3f}" for r in order.itertuples())


def _effect_line(name: str, table: pd.DataFrame) -> str:
    mine = table[table["variant"] == name].set_index("regime").reindex(list(MAIN))
    side = analysis.ci_side(mine)
    cells = []
    for regime, r in mine.iterrows():
        if r["low"] == r["high"] == 0.0:
            cells.append(f"{regime} 0 exactly (it does not act there)")
            continue
        interval = f"{r['mean']:+.3f} [{r['low']:+.3f}, {r['high']:+.3f}]"
        cells.append(f"{regime} {interval}" + ("" if side[regime] else " (includes 0)"))
    return f"- **{name}**: " + "; ".join(cells) + "."


def _paired_text(runs: pd.DataFrame, label: str) -> tuple[str, dict[str, float]]:
    paired = analysis.paired_summary(runs, "harm_reduction", PAIRS)
    side = analysis.ci_side(paired)
    parts = [
        f"{analysis.display(r['comparison'], spaces=False)} {r['mean']:+.3f} "
        f"[{r['low']:+.3f}, {r['high']:+.3f}]" + ("" if side[i] else " (includes 0)")
        for i, r in paired.iterrows()
    ]
    return f"{label}: " + "; ".join(parts), {f"{r.comparison} ({label})": float(r.mean) for r in paired.itertuples()}


SIDES = {1: "above 0", -1: "below 0", 0: "includes 0"}


def _ranking_order(summary: pd.DataFrame) -> list[str]:
    return list(summary.sort_values("mean", ascending=False)["regime"])


def _conclusions(labelled: pd.DataFrame, full: pd.DataFrame, none: pd.DataFrame) -> tuple[str, dict[str, float]]:
    """Which conclusions of the model without the mechanisms change with them: the ranking, and each paired gap's
    side of 0 (its interval above, below or across 0)."""
    if none.empty:
        return "", {}
    same = _ranking_order(full) == _ranking_order(none)
    lines = [
        "The ranking of the regimes "
        + ("is the same with and without the mechanisms." if same else "changes with the mechanisms: ")
        + (
            ""
            if same
            else f"{' > '.join(_ranking_order(none))} without them, {' > '.join(_ranking_order(full))} with them."
        )
    ]
    gaps = {
        v: analysis.paired_summary(labelled[labelled["variant"] == v], "harm_reduction", PAIRS).set_index("comparison")
        for v in (NONE, FULL)
    }
    key = {}
    for comparison in gaps[FULL].index:
        before, after = gaps[NONE].loc[comparison], gaps[FULL].loc[comparison]
        sides = [SIDES[int(analysis.ci_side(g.to_frame().T).iloc[0])] for g in (before, after)]
        verdict = "the conclusion holds" if sides[0] == sides[1] else "the conclusion changes"
        lines.append(
            f"- {analysis.display(comparison, spaces=False)}: "
            f"{before['mean']:+.3f} [{before['low']:+.3f}, {before['high']:+.3f}] without the "
            f"mechanisms ({sides[0]}), {after['mean']:+.3f} [{after['low']:+.3f}, {after['high']:+.3f}] with them "
            f"({sides[1]}): {verdict}."
        )
        key[f"{comparison} ({NONE})"] = float(before["mean"])
    return "\n".join(lines), key


def report(results: Results, figures: Path) -> Section:
    runs = analysis.paired_runs(results)
    n_rep, months = int(runs["replicate"].nunique()), int(runs["steps"].iloc[0])
    ci = analysis.ci_name(n_rep)
    table = effects(runs, SWITCHES)
    labelled = with_variants(runs, SWITCHES)
    by_variant = analysis.summarise(labelled, ["harm_reduction"], by=["variant", "regime"])
    tables = analysis.export(
        table.assign(value=analysis.format_ci(table)).pivot_table(
            index="variant", columns="regime", values="value", aggfunc="first", sort=False
        ),
        figures / "ablation",
        caption=f"Each mechanism's ablation effect on harm reduction (full model minus the model without it), "
        f"mean [{ci}] over seeds, paired.",
        label="tab:ablation",
    )
    tables += analysis.export(
        by_variant.set_index(["variant", "regime"])[["n", "mean", "low", "high"]],
        figures / "harm_reduction",
        caption=f"Harm reduction at every point of the ablation design: mean, low and high of the {ci}.",
        label="tab:ablation-harm",
    )
    order = [v for v in dict.fromkeys(table["variant"])]
    fig, ax = plots.figure(width=plots.DOUBLE_WIDTH * 0.7, aspect=0.2 + 0.08 * len(order))
    plots.group_intervals(table, "variant", "ablation effect", ax, order=order)
    ax.axvline(0, color="0.6", linewidth=0.8, linestyle="--")
    ax.set_xlabel("Ablation effect on harm reduction (full − without)")
    png = plots.save(fig, figures / "ablation")[1]

    hr = by_variant[by_variant["metric"] == "harm_reduction"]
    full, none = hr[hr["variant"] == FULL], hr[hr["variant"] == NONE]
    lines = [_effect_line(name, table) for name in order]
    full_pairs, key = _paired_text(labelled[labelled["variant"] == FULL], FULL)
    changes, changed_keys = _conclusions(labelled, full, none)
    key |= changed_keys
    text = (
        (f"{analysis.few_note(n_rep)}\n\n" if analysis.few_note(n_rep) else "")
        + f"{len(SWITCHES)} mechanisms with a switch ({', '.join(SWITCHES)}); the full model has each on at "
        + ", ".join(f"{name}={on}" if isinstance(on, str) else f"{name}={on:g}" for name, (on, _) in SWITCHES.items())
        + f". {n_rep} replicates x {months} months, every point of the design on the same seeds; {ci}.\n\n"
        f"Harm reduction with every mechanism on: {_ranking(full)}"
        + (f"; with every mechanism off: {_ranking(none)}" if not none.empty else "")
        + f".\n\nPaired gaps between regimes, {full_pairs}.\n\n"
        + (f"**Which conclusions change.** {changes}\n\n" if changes else "")
        + "Ablation effect of each mechanism (full model minus the model without it; positive: the mechanism makes "
        "the regime remove more harm):\n\n" + "\n".join(lines)
    )
    for r in table.itertuples():
        key[f"ablation[{r.variant}, {r.regime}]"] = float(r.mean)
    for r in hr.itertuples():
        key[f"harm_reduction[{r.variant}, {r.regime}]"] = float(r.mean)
    summary = table.assign(value=table["mean"].map(lambda v: f"{v:+.3f}")).pivot_table(
        index="variant", columns="regime", values="value", aggfunc="first", sort=False
    )
    return Section(
        title="What each mechanism adds: the ablation table",
        text=text,
        figures=[
            (
                png,
                "Each mechanism's ablation effect on each regime's harm reduction (full model minus the model "
                f"without it; last row: every mechanism off), means with {ci}, paired on seeds.",
            )
        ],
        tables=tables,
        key_numbers=key,
        summary=f"Ablation effect on harm reduction ({n_rep} replicates x {months} months)\n"
        + summary.rename_axis("switched off").to_string(),
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
