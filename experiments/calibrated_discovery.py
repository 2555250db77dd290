"""Scenario discovery on the calibrated scenario, beside the defaults: do the same parameters bound each win region?

The scenario discovery (``scenario_discovery.py``) samples every uncertain parameter over its plausible range. On
the calibrated scenario the calibrated parameters are not free: each point takes its values from one of the
posterior's K accepted parameter sets (point i of the calibrated half uses set i mod K) and a Latin hypercube
ranges over the other uncertain parameters only. The study's design (the engine's ``points`` design) is two halves
of equal size: the defaults' Latin hypercube over every uncertain parameter (the same points as the scenario
discovery's at that size and seed), then the calibrated points. Every regime of a point and replicate runs on the
same seed; PRIM and CART (``analysis.scenarios.discover``) look for each pair's win regions in each half, with the
calibrated parameters' posterior values among the candidate dimensions of the calibrated half.

    python experiments/calibrated_discovery.py            # paper size: 2 x 300 points x 4 replicates x 240 months
    python experiments/calibrated_discovery.py --quick    # 2 x 24 points x 1 replicate x 120 months

Outputs: results/calibrated_discovery/ (runs, manifest, figures/box_summary.csv, boxes.csv, boxes.png, report.md).
"""

import itertools
from pathlib import Path
from typing import Any

import pandas as pd

from ecsim import analysis, plots
from ecsim.analysis import Section
from ecsim.analysis import scenarios as sd
from ecsim.experiment import Experiment, Results
from ecsim.experiment.designs import design_points
from ecsim.model.regimes import BASELINE
from ecsim.params import uncertain
from ecsim.study import main
from ecsim.validation import scenarios

MAIN = ("centralised", "flexible", "self_regulatory")
PAIRS = list(itertools.combinations(MAIN, 2))
MARGIN = sd.MARGIN
SEARCHED = 6
SCENARIOS = ("defaults", "calibrated")
SEED = 20261201  # the scenario discovery's: the defaults half is its design
#: The posterior's parameter sets (none installed: the defaults half alone, and the report says so).
POSTERIOR = scenarios.sets("calibrated") if "calibrated" in scenarios.names() else []
#: The calibrated parameters: those the posterior sets (no longer free on the calibrated scenario).
CALIBRATED = tuple(POSTERIOR[0]) if POSTERIOR else ()
#: Every uncertain parameter's plausible range, as a stored specification holds it (for ``sd.bounds_of``).
FACTORS = Experiment(name="plausible", factors=uncertain(), design="lhs", samples=1).to_dict()["factors"]


def lhs(factors: dict[str, Any], samples: int, seed: int) -> list[dict[str, Any]]:
    """``samples`` points of the engine's Latin hypercube over ``factors`` (seeded by ``seed``'s design stream,
    mapped onto each factor as every ``lhs`` design is), without the unit coordinates."""
    spec = Experiment(name="lhs", factors=factors, design="lhs", samples=samples, seed=seed)
    return [{k: v for k, v in p.items() if not k.startswith("u_")} for p in design_points(spec)]


def design(samples: int, seed: int = SEED, posterior: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The defaults' hypercube over every uncertain parameter, then (with a posterior) the calibrated points: a
    hypercube over the parameters the posterior leaves free, point i completed by posterior set i mod K."""
    posterior = POSTERIOR if posterior is None else posterior
    points = lhs(uncertain(), samples, seed)
    if posterior:
        free = {k: v for k, v in uncertain().items() if k not in posterior[0]}
        points += [{**p, **posterior[i % len(posterior)]} for i, p in enumerate(lhs(free, samples, seed))]
    return points


def posterior_set(point: dict[str, Any], posterior: list[dict[str, Any]] | None = None) -> int | None:
    """The index of the posterior set whose values ``point`` carries (None for a point of the defaults' half)."""
    posterior = POSTERIOR if posterior is None else posterior
    for i, s in enumerate(posterior):
        if all(point.get(k) == v for k, v in s.items()):
            return i
    return None


EXPERIMENT = Experiment(
    name="calibrated_discovery",
    regimes=(*MAIN, BASELINE),
    design="points",
    points=design(300),
    replicates=4,
    steps=240,
    seed=SEED,
    outputs=("harm",),  # the report reads run summaries only
)
QUICK = {"points": design(24), "replicates": 1, "steps": 120}
ORDER = 17.5  # right after the scenario discovery on the defaults


def _dims(result: sd.PrimResult) -> list[str]:
    return list(result.restrictions["dimension"]) if result.worth_reporting() else []


def report(results: Results, figures: Path) -> Section:
    runs = analysis.paired_runs(results)
    points = results.manifest["spec"]["points"]
    sets = {i: posterior_set(p) for i, p in enumerate(points)}
    runs["scenario"] = runs["point"].map(lambda i: "defaults" if sets[i] is None else "calibrated")
    factors = list(FACTORS)
    plausible = sd.bounds_of(FACTORS)
    n_rep, months = int(runs["replicate"].nunique()), int(runs["steps"].iloc[0])
    present = [s for s in SCENARIOS if (runs["scenario"] == s).any()]
    seed = int(results.manifest["spec"]["seed"])

    found: dict[str, sd.Discovery] = {
        s: sd.discover(runs[runs["scenario"] == s], factors, PAIRS, MARGIN, SEARCHED, seed=seed) for s in present
    }
    boxes = pd.concat(
        [sd.boxes_table(found[s].found, plausible).assign(scenario=s) for s in present], ignore_index=True
    )
    tables = analysis.export(
        boxes.set_index(["scenario", "pair", "winner", "loser"]),
        figures / "boxes",
        caption=f"PRIM boxes where one regime's harm reduction beats another's by at least {MARGIN:g}, at the "
        "defaults and on the calibrated scenario: coverage, density, mass and each restricted dimension's limits.",
        label="tab:calibrated-boxes",
    )
    summary = pd.concat([sd.box_summary(found[s].found, scenario=s) for s in present], ignore_index=True)
    tables += analysis.export(
        summary.set_index(["winner", "loser", "scenario"]).sort_index(),
        figures / "box_summary",
        caption=f"Where each regime beats another by at least {MARGIN:g} in harm reduction (PRIM), at the defaults "
        "and on the calibrated scenario.",
        label="tab:calibrated-summary",
    )

    # The figure: each direction's reported box, a row per scenario.
    directions = [(w, lo) for w, lo, _, _ in found[present[0]].found]
    slots = max(
        1, int(boxes.groupby(["scenario", "winner", "loser"])["dimension"].apply(lambda d: d.notna().sum()).max())
    )
    rows = len(directions) // 2 * len(present)  # the defaults' directions, then the calibrated ones
    fig, axes = plots.figure(width=plots.DOUBLE_WIDTH, aspect=0.15 + 0.1 * slots, ncols=2, nrows=rows)
    for k, ax in enumerate(axes.flat):
        s, (w, lo) = present[k // len(directions)], directions[k % len(directions)]
        plots.scenario_box(
            boxes[(boxes["scenario"] == s) & (boxes["winner"] == w) & (boxes["loser"] == lo)], ax, slots=slots
        )
        ax.set_title(f"{s}: {ax.get_title()}", fontsize=7)
    plots.panel_letters(axes)
    png = plots.save(fig, figures / "boxes")[1]

    key: dict[str, float] = {}
    lines = []
    for w, lo in directions:
        name = f"{w}>{lo}"
        by = {s: next(r for ww, ll, _, r in found[s].found if (ww, ll) == (w, lo)) for s in present}
        for s, r in by.items():
            key[f"{s}:base_rate[{name}]"] = r.base_rate
            key[f"{s}:res_dim[{name}]"] = float(len(_dims(r)))
        words = "; ".join(f"{s}: base rate {r.base_rate:.2f}, box {sd.box_words(r)}" for s, r in by.items())
        if len(by) == 2:
            before, after = set(_dims(by["defaults"])), set(_dims(by["calibrated"]))
            moved = []
            if after - before:
                moved.append("newly bounded by " + ", ".join(sorted(after - before)))
            if before - after:
                moved.append("no longer bounded by " + ", ".join(sorted(before - after)))
            posterior_dims = sorted(after & set(CALIBRATED))
            if posterior_dims:
                moved.append("the posterior matters here: " + ", ".join(posterior_dims) + " bound the calibrated box")
            change = by["calibrated"].base_rate - by["defaults"].base_rate
            change = 0.0 if round(change, 2) == 0 else change  # no "-0.00"
            words += f". Base rate {change:+.2f}; " + (
                "; ".join(moved)
                if moved
                else "the same dimensions bound it"
                if before
                else "no box bounds it in either"
            )
        lines.append(f"- **{w.replace('_', ' ')} beats {lo.replace('_', ' ')}**: {words}.")

    n_points = {s: int(runs.loc[runs["scenario"] == s, "point"].nunique()) for s in present}
    if "calibrated" in present:
        bounded = sorted(
            {d for s in ("calibrated",) for _, _, _, r in found[s].found for d in _dims(r)} & set(CALIBRATED)
        )
        verdict = (
            "**What changed against the defaults.** "
            + (
                "Calibrated parameters bound some calibrated win region (" + ", ".join(bounded) + "): where in the "
                "posterior a run lies matters for which regime wins."
                if bounded
                else "No calibrated parameter bounds a calibrated win region: where in the posterior a run lies does "
                "not decide which regime wins (any box found is bounded by the parameters left free)."
            )
            + " Per direction, the base rate (share of points won) and the dimensions bounding the box are above."
        )
        head = (
            f"Two halves of {n_points['defaults']} and {n_points['calibrated']} design points, {n_rep} replicate(s) x "
            f"{months} months each, every regime of a point and replicate on the same seed. The defaults' half is a "
            f"Latin hypercube over all {len(factors)} uncertain parameters; on the calibrated half the "
            f"{len(CALIBRATED)} calibrated parameters ({', '.join(CALIBRATED)}) take the values of one of the "
            f"{len(POSTERIOR)} posterior sets ({scenarios.note('calibrated')}; point i uses set i mod "
            f"{len(POSTERIOR)}) and the hypercube ranges over the other {len(factors) - len(CALIBRATED)}; their "
            "posterior values are candidate box dimensions beside them."
        )
    else:
        verdict = "No calibrated scenario is installed (`ecsim calibrate --install`): the defaults alone are shown."
        head = f"{n_points['defaults']} design points of the defaults' Latin hypercube, {n_rep} x {months} months."
    text = (
        head
        + f" A win: harm reduction higher by at least {MARGIN:g} (mean over a point's replicates, paired on seeds); "
        f"PRIM searches the {SEARCHED} dimensions most informative of the wins, as in the scenario discovery.\n\n"
        + "\n".join(lines)
        + "\n\n"
        + verdict
    )
    headline = summary.assign(
        **{c: summary[c].map(lambda v: f"{v:.2f}") for c in ("base rate", "coverage", "density", "mass")}
    ).to_string(index=False)
    return Section(
        title="Where each regime wins on the calibrated scenario",
        text=text,
        figures=[
            (
                png,
                f"The reported PRIM box of each direction (win: harm reduction higher by at least {MARGIN:g}), at the "
                "defaults (top rows) and on the calibrated scenario (bottom rows): each restricted dimension's range "
                "within its plausible range, with quasi-p-values.",
            )
        ],
        tables=tables,
        key_numbers=key,
        summary=f"Scenario discovery, defaults vs calibrated ({n_rep} replicate(s) x {months} months)\n{headline}",
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
