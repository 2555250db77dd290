"""The engine's ``points`` design: explicit design points (a calibrated posterior's parameter sets), each run on
its own seeds with the regimes paired within it (ecsim.experiment.spec, designs)."""

from __future__ import annotations

import pytest

from ecsim.experiment import Experiment, ExperimentError, SerialExecutor, load_results, run_experiment
from ecsim.experiment.runner import plan

TINY = {"n_governments": 20, "n_companies": 30, "n_cso": 15, "n_technical": 5}
POINTS = [{"novelty": 0.2, "session_interval": 2}, {"novelty": 0.5, "session_interval": 6}]


def test_each_point_runs_its_parameters_on_its_own_seeds_paired_across_regimes():
    exp = Experiment("posterior", regimes=("flexible",), fixed=TINY, design="points", points=POINTS, replicates=2)
    tasks = plan(exp)
    assert len(tasks) == 2 * 2 * 2  # points x replicates x regimes (no_cooperation added)
    for t in tasks:
        assert {k: t.params[k] for k in POINTS[t.point]} == POINTS[t.point]
    seeds = {
        (t.point, t.replicate): {u.seed for u in tasks if (u.point, u.replicate) == (t.point, t.replicate)}
        for t in tasks
    }
    assert all(len(s) == 1 for s in seeds.values())  # regimes paired within a point and replicate
    assert seeds[(0, 0)] != seeds[(1, 0)]  # points on their own seeds
    assert exp.to_dict()["points"] == POINTS
    assert (
        exp.hash != Experiment("posterior", regimes=("flexible",), fixed=TINY, design="points", points=POINTS[:1]).hash
    )
    assert "points" not in Experiment("plain").to_dict()  # other designs' hashes stay as they were


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"points": POINTS}, "only design='points' takes explicit points"),
        ({"design": "points"}, "needs a list of parameter mappings"),
        ({"design": "points", "points": POINTS, "factors": {"novelty": (0.1, 0.5)}}, "takes its points from points="),
        ({"design": "points", "points": [{"novelty": 7.0}]}, "points\\[0\\]: novelty=7.0"),
        ({"design": "points", "points": [{"novelty": 0.2}], "fixed": {"novelty": 0.3}}, "'novelty' is fixed"),
    ],
)
def test_bad_points_are_refused_in_one_line(kwargs, message):
    with pytest.raises(ExperimentError, match=message) as info:
        Experiment("bad", **kwargs)
    assert "\n" not in str(info.value)


def test_a_sweep_stores_each_points_parameters(tmp_path):
    exp = Experiment(
        "posterior", regimes=("flexible",), fixed=TINY, design="points", points=POINTS, replicates=1, steps=12
    )
    report = run_experiment(exp, tmp_path / "store", SerialExecutor(), progress=False)
    assert report.completed == 4
    runs = load_results(tmp_path / "store", steps=False).runs
    for point, values in enumerate(POINTS):
        rows = runs[runs["point"] == point]
        for k, v in values.items():
            assert (rows[k] == v).all(), (point, k)
