"""A sweep copies the runs another store holds identically (ecsim.experiment.reuse), and only those."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ecsim.experiment import Experiment, Range, load_results, run_experiment
from ecsim.experiment.store import Store

TINY = {"n_governments": 12, "n_companies": 30, "n_cso": 10, "n_technical": 4}


def sweep(name: str, regimes: tuple[str, ...], **kw) -> Experiment:
    spec = dict(
        regimes=regimes,
        fixed=TINY,
        factors={"market_concentration": Range(0.2, 0.8)},
        design="lhs",
        samples=3,
        replicates=2,
        steps=12,
        seed=5,
        outputs=("harm", "cumulative_harm"),
    )
    spec.update(kw)
    return Experiment(name, **spec)


def stored(path) -> tuple[pd.DataFrame, pd.DataFrame]:
    results = load_results(path)
    return results.runs.drop(columns="wall_time"), results.steps


@pytest.fixture(scope="module")
def donor(tmp_path_factory):
    path = tmp_path_factory.mktemp("donor") / "two_regimes"
    run_experiment(sweep("two_regimes", ("flexible", "no_cooperation")), path, progress=False)
    return path


def test_shared_runs_are_copied_and_equal_running_them(donor, tmp_path):
    exp = sweep("three_regimes", ("flexible", "centralised", "no_cooperation"))
    report = run_experiment(exp, tmp_path / "reused", progress=False, reuse=[donor])
    assert report.reused == 3 * 2 * 2  # flexible and no_cooperation at 3 points x 2 replicates: same seeds
    assert report.completed == 3 * 2 * 3 and report.failed == 0
    assert "12 of the completed runs were copied" in str(report)
    run_experiment(exp, tmp_path / "run", progress=False)
    (runs, steps), (again, steps_again) = stored(tmp_path / "reused"), stored(tmp_path / "run")
    pd.testing.assert_frame_equal(runs, again, check_exact=True)
    pd.testing.assert_frame_equal(steps, steps_again, check_exact=True)
    session = json.loads((tmp_path / "reused" / "manifest.json").read_text())["sessions"][-1]
    assert session["reused"] == {str(donor): 12}
    store = Store(tmp_path / "reused")
    store.verify()
    assert len(store._layouts) == 1  # copied and run batches have one layout (the runs table's fast path)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"outputs": ("harm",)}, "other per-step metrics stored"),
        ({"fixed": {**TINY, "issue_rate": 1.5}}, "another parameter value"),
        ({"seed": 6}, "other seeds"),
        ({"steps": 13}, "another run length"),
    ],
)
def test_runs_that_differ_are_run_not_copied(donor, tmp_path, change, why):
    report = run_experiment(
        sweep("other", ("flexible", "no_cooperation"), **change), tmp_path / "s", progress=False, reuse=[donor]
    )
    assert report.reused == 0, why
    assert report.completed == 12
