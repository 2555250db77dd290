"""The decomposition and the scenario discovery on the calibrated scenario (experiments/calibrated_*.py): the gaps
split exactly within each posterior set, the discovery's design draws the calibrated parameters from the posterior
and the others from their plausible ranges, what changed is computed, and both reports run at a tiny size."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from ecsim import analysis
from ecsim.analysis.decomposition import changes, gap_table
from ecsim.experiment import Experiment, ExperimentError, load_results, run_experiment
from ecsim.experiment.cli import import_script
from ecsim.params import uncertain
from ecsim.validation import scenarios

ROOT = Path(__file__).parents[1]
TINY = {"n_governments": 12, "n_companies": 30, "n_cso": 10, "n_technical": 4}
pytestmark = pytest.mark.skipif("calibrated" not in scenarios.names(), reason="no calibrated scenario installed")


def study(name: str):
    return import_script(ROOT / "experiments" / f"{name}.py", "study script")


@pytest.fixture(scope="module")
def decomposition_run(tmp_path_factory):
    """The calibrated decomposition at a tiny size: 2 posterior sets and 2 default points, 1 replicate, 36 months."""
    module = study("calibrated_decomposition")
    folder = tmp_path_factory.mktemp("calibrated_decomposition")
    experiment = replace(
        module.EXPERIMENT, fixed=TINY, points=tuple(module.points(module.POSTERIOR[:2])), replicates=1, steps=36
    )
    run_experiment(experiment, folder, progress=False)
    return module, load_results(folder), folder


def test_the_calibrated_decomposition_splits_each_gap_exactly_within_each_posterior_set(decomposition_run):
    module, results, _ = decomposition_run
    runs = analysis.paired_runs(results)
    totals = []
    for point in range(2):  # the posterior sets: every regime of the factorial ran on the set's seed
        table = gap_table(runs[runs["point"] == point], module.CELLS, module.REFERENCE, module.OTHERS)
        for comparison, rows in table.groupby("comparison"):
            parts = rows.loc[rows["dimension"] != "total", "contribution"].sum()
            total = rows.loc[rows["dimension"] == "total", "contribution"].item()
            assert parts == pytest.approx(total, abs=1e-12), (point, comparison)
            totals.append(total)
    assert any(t != 0 for t in totals)  # the gaps are not trivially empty
    assert module.scenario_of(results) == {0: "calibrated", 1: "calibrated", 2: "defaults", 3: "defaults"}


def test_the_calibrated_decomposition_report_runs_and_says_what_changed(decomposition_run, tmp_path):
    module, results, _ = decomposition_run
    section = module.report(results, tmp_path)
    assert (tmp_path / "calibrated_decomposition.png").exists() and (tmp_path / "changes.csv").exists()
    assert "**What changed against the defaults.**" in section.text
    assert "interval from only 2 replicates" in section.figures[0][1]  # 2 sets x 1 replicate: the honest name
    table = pd.read_csv(tmp_path / "decomposition.csv")
    assert set(table["scenario"]) == {"defaults", "calibrated"}
    assert section.key_numbers["calibrated:centralised_gap"] == pytest.approx(
        table.query("scenario == 'calibrated' and comparison == 'flexible vs centralised' and dimension == 'total'")[
            "contribution"
        ].item()
    )


def test_changes_flags_sign_rank_and_intervals_against_the_defaults():
    def rows(scenario, values):
        return [
            {
                "scenario": scenario,
                "comparison": "a vs b",
                "dimension": d,
                "contribution": c,
                "ci_low": lo,
                "ci_high": hi,
            }
            for d, (c, lo, hi) in values.items()
        ]

    table = pd.DataFrame(
        rows(
            "defaults",
            {"x": (0.10, 0.08, 0.12), "y": (0.05, 0.03, 0.07), "z": (0.01, 0.0, 0.02), "total": (0.16, 0.1, 0.2)},
        )
        + rows(
            "calibrated",
            {"x": (-0.02, -0.04, -0.01), "y": (0.06, 0.04, 0.08), "z": (0.012, 0.0, 0.02), "total": (0.05, 0.0, 0.1)},
        )
    )
    moved = changes(table).set_index("dimension")
    assert moved.loc["x", "sign_changed"] and moved.loc["x", "excludes_reference"]
    assert (moved.loc["x", "rank"], moved.loc["x", "reference_rank"]) == (2, 1) and moved.loc["y", "rank_changed"]
    assert not moved.loc["y", "sign_changed"] and not moved.loc["y", "excludes_reference"]  # 0.05 in [0.04, 0.08]
    assert not moved.loc["z", "rank_changed"] and not moved.loc["z", "excludes_reference"]
    assert moved.loc["total", "excludes_reference"] and not moved.loc["total", "sign_changed"]  # 0.16 > 0.1
    assert moved.loc["total", "reference_low"] == 0.1


def test_the_discovery_design_draws_the_calibrated_parameters_from_the_posterior():
    module = study("calibrated_discovery")
    posterior = scenarios.sets("calibrated")[:3]
    points = module.design(10, seed=5, posterior=posterior)
    assert len(points) == 20 and points == module.design(10, seed=5, posterior=posterior)
    assert points != module.design(10, seed=6, posterior=posterior)  # seeded by the experiment, not the global RNG
    ranges = uncertain()
    for i, point in enumerate(points):
        assert set(point) == set(ranges)
        assert module.posterior_set(point, posterior) == (None if i < 10 else (i - 10) % 3)
        for name, plausible in ranges.items():
            if i >= 10 and name in posterior[0]:
                assert point[name] == posterior[(i - 10) % 3][name]
            elif isinstance(plausible, tuple) and isinstance(plausible[0], int | float):
                assert plausible[0] <= point[name] <= plausible[1], (i, name)
            else:
                assert point[name] in plausible, (i, name)
    free = [n for n in ranges if n not in posterior[0] and isinstance(ranges[n][0], float)]
    assert len({points[i][free[0]] for i in range(10, 20)}) == 10  # the others range over the hypercube
    # the defaults half is the scenario discovery's hypercube at the same size and seed
    defaults = Experiment(name="d", factors=ranges, design="lhs", samples=10, seed=5)
    from ecsim.experiment.designs import design_points

    assert points[:10] == [{k: v for k, v in p.items() if not k.startswith("u_")} for p in design_points(defaults)]


def test_the_calibrated_discovery_report_runs_at_a_tiny_size(tmp_path):
    module = study("calibrated_discovery")
    experiment = replace(module.EXPERIMENT, fixed=TINY, points=tuple(module.design(8)), replicates=1, steps=24)
    run_experiment(experiment, tmp_path / "runs", progress=False)
    figures = tmp_path / "figures"
    figures.mkdir()
    section = module.report(load_results(tmp_path / "runs"), figures)
    assert (figures / "boxes.png").exists()
    summary = pd.read_csv(figures / "box_summary.csv")
    assert set(summary["scenario"]) == {"defaults", "calibrated"} and len(summary) == 12
    assert "**What changed against the defaults.**" in section.text
    assert {"defaults:base_rate[flexible>centralised]", "calibrated:base_rate[flexible>centralised]"} <= set(
        section.key_numbers
    )


def test_a_points_design_takes_a_smaller_list_as_its_quick_size():
    exp = Experiment(name="p", design="points", points=[{"novelty": 0.2}, {"novelty": 0.3}], replicates=2)
    quick = exp.with_sizes(points=[{"novelty": 0.25}], replicates=1)
    assert quick.points == ({"novelty": 0.25},) and quick.replicates == 1 and quick.hash != exp.hash
    with pytest.raises(ExperimentError, match="only design='points' takes explicit points"):
        Experiment(name="l", factors={"novelty": (0.1, 0.5)}, design="lhs").with_sizes(points=[{}])
