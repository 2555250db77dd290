"""Calibration by rejection ABC (ecsim.validation.calibrate) and the named scenarios it feeds (ODD §1.2)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from ecsim.params import PARAMETERS, uncertain
from ecsim.validation import calibrate as abc
from ecsim.validation import run, scenarios
from ecsim.validation.facts import BY_KEY, PATTERNS

#: A run in a fraction of a second: few stakeholders, two years.
TINY = {"n_governments": 30, "n_companies": 40, "n_cso": 20, "n_technical": 6, "steps": 36}
CALIBRATION = [p for p in PATTERNS if p.use == "calibration"]


def test_the_prior_is_uniform_over_the_plausible_ranges_as_a_latin_hypercube():
    sample = abc.prior_sample(50, seed=3)
    assert list(sample.columns) == ["point", *abc.CALIBRATED]
    for name in abc.CALIBRATED:
        low, high = uncertain()[name]
        values = sample[name]
        assert values.between(low, high).all(), name
        if PARAMETERS[name].kind == "int":
            assert (values == values.round()).all(), name
        else:  # a Latin hypercube: one point in each of the 50 strata of every parameter
            strata = np.floor((values - low) / (high - low) * 50).astype(int)
            assert sorted(strata) == list(range(50)), name
    pd.testing.assert_frame_equal(sample, abc.prior_sample(50, seed=3))
    assert not sample.equals(abc.prior_sample(50, seed=4))


def test_a_point_is_accepted_only_when_every_calibration_pattern_is_within_its_interval():
    points = pd.DataFrame({"point": [0, 1, 2], "concession_rate": [0.1, 0.2, 0.3]})
    inside = {p.key: sum(p.target_interval) / 2 for p in CALIBRATION}  # on target: distance 0
    rows = []
    for point, override in ((0, {}), (1, {"treaty": 10.0}), (2, {"wcit": math.nan})):
        for replicate in (0, 1):
            rows += [
                {"point": point, "replicate": replicate, "key": k, "value": override.get(k, v)}
                for k, v in inside.items()
            ]
    found = abc._summarise(points, pd.DataFrame(rows), CALIBRATION)
    assert found["accepted"].tolist() == [True, False, False]
    assert found.loc[1, "distance_treaty"] > 1 and math.isinf(found.loc[2, "distance_wcit"])
    assert found.loc[0, "distance"] == 0.0


def test_a_calibration_runs_resumes_and_refuses_another_in_its_folder(tmp_path):
    out = tmp_path / "calibration"
    first = abc.calibrate(out, samples=3, replicates=1, seed=1, params=TINY)
    assert len(first.points) == 3 and set(first.points.columns) >= {f"stat_{p.key}" for p in CALIBRATION}
    assert (out / "points.csv").exists() and (out / "posterior.csv").exists()
    parts = sorted(out.glob("part-*.parquet"))
    again = abc.calibrate(out, samples=3, replicates=1, seed=1, params=TINY)  # nothing left to run
    assert sorted(out.glob("part-*.parquet")) == parts
    pd.testing.assert_frame_equal(first.points, again.points)
    pd.testing.assert_frame_equal(first.points, abc.load(out).points)
    with pytest.raises(abc.CalibrationError, match="holds a different calibration \\(seed differs\\)"):
        abc.calibrate(out, samples=3, replicates=1, seed=2, params=TINY)
    # The statistics are the patterns' own, measured at each point's parameters on the shared seeds.
    point = first.points.iloc[0]
    params = {**TINY, **abc.parameter_set({k: point[k] for k in abc.CALIBRATED})}
    measured = run.validate(replicates=1, seed=1, params=params, patterns=CALIBRATION)
    for p in CALIBRATION:
        got = measured.table.set_index("key").loc[p.key, "mean"]
        assert got == pytest.approx(point[f"stat_{p.key}"], nan_ok=True), p.key


def test_the_installed_posterior_is_the_calibrated_scenario_drawn_replicate_by_replicate(tmp_path, monkeypatch):
    monkeypatch.setattr(scenarios, "CALIBRATED_FILE", tmp_path / "calibrated.json")
    assert scenarios.names() == ("defaults",)
    points = abc.prior_sample(4, seed=0)
    points["accepted"] = [True, False, True, False]
    result = abc.Calibration(points, {"prior": abc.prior(), "replicates": 1, "steps": 36, "model": "x", "seed": 0})
    path = abc.install(result, scenarios.CALIBRATED_FILE)
    assert scenarios.names() == ("defaults", "calibrated")
    sets = scenarios.sets("calibrated")
    assert len(sets) == 2 and json.loads(path.read_text())["sets"] == sets
    assert sets[0]["session_interval"] == int(points.loc[0, "session_interval"])
    jobs = run.tasks(CALIBRATION[:1], TINY, replicates=3, seed=5, sets=sets)
    for task, _ in jobs:
        chosen = sets[task.replicate % 2]
        assert all(task.params[k] == v for k, v in chosen.items()), task.replicate
    single = run.tasks(CALIBRATION[:1], TINY, replicates=3, seed=5)
    assert [t.seed for t, _ in jobs] == [t.seed for t, _ in single]  # the same seeds as one parameter set
    nothing = abc.Calibration(points.assign(accepted=False), result.spec)
    with pytest.raises(abc.CalibrationError, match="no point was accepted"):
        abc.install(nothing, tmp_path / "other.json")


def test_the_command_line(tmp_path, capsys):
    from ecsim.cli import main

    out = tmp_path / "cal"
    sets = [f"--set={k}={v}" for k, v in TINY.items() if k != "steps"]
    code = main(
        ["calibrate", "--samples", "2", "--replicates", "1", "--steps", "36", "--out", str(out), "--quiet", *sets]
    )
    printed = capsys.readouterr().out
    assert code == 0 and "accepted:" in printed and "of 2" in printed
    for p in CALIBRATION:
        assert BY_KEY[p.key].label in printed
    assert (out / "figures" / "posterior.png").stat().st_size > 0
    code = main(
        ["calibrate", "--samples", "2", "--replicates", "1", "--seed", "9", "--out", str(out), "--quiet", *sets]
    )
    err = capsys.readouterr().err
    assert code == 2 and "holds a different calibration" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_the_shipped_calibrated_scenario_is_a_posterior_of_todays_calibration():
    """The posterior in the package was made by this calibration: its parameters, priors and targets (rerun
    `ecsim calibrate --install` when any of them changes)."""
    assert "calibrated" in scenarios.names(), "no calibrated scenario is shipped: ecsim calibrate --install"
    shipped = json.loads(scenarios.CALIBRATED_FILE.read_text())
    spec = shipped["calibration"]
    assert sorted(spec["prior"]) == sorted(abc.CALIBRATED)
    assert {k: tuple(v) for k, v in spec["prior"].items()} == abc.prior()
    assert spec["patterns"] == [p.key for p in CALIBRATION]
    assert {k: tuple(v) for k, v in spec["targets"].items()} == {p.key: p.accept for p in CALIBRATION}
    sets = scenarios.sets("calibrated")
    assert len(sets) >= 10
    for s in sets:
        assert set(s) == set(abc.CALIBRATED)
        for name, value in s.items():
            low, high = abc.prior()[name]
            assert low <= value <= high, name
