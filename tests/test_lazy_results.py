"""The lazy step table gives the eager one's numbers: load_results over DuckDB against the pandas path it replaced.

``eager`` below is how ``load_results`` read a store before (every part into pandas, merged and sorted in
memory); the lazy ``Results`` must give the same tables, and the out-of-core aggregates (bands, horizons,
steady state, time to a threshold) the same numbers as the pandas functions, to 1e-12.  Storing less
(``outputs=()``, ``step_every``) keeps run summaries and spec hashes as they were.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ecsim import analysis
from ecsim.analysis.horizon import first_step
from ecsim.analysis.report import Section, write_report
from ecsim.analysis.stats import mean_ci
from ecsim.experiment import Experiment, Range, load_results, plan, run_experiment
from ecsim.experiment import worker as worker_module
from ecsim.experiment.steps import RUN_KEYS, StepTable
from ecsim.experiment.store import KEYS, Store
from ecsim.study import wall_times

TINY = {"n_governments": 12, "n_companies": 30, "n_cso": 10, "n_technical": 4}
TOLERANCE = {"check_exact": False, "rtol": 1e-12, "atol": 1e-12}


def tiny(name: str = "lazy", **kw) -> Experiment:
    spec = dict(fixed=TINY, replicates=3, steps=14, seed=7, factors={"market_concentration": [0.2, 0.8]})
    spec.update(kw)
    return Experiment(name, **spec)


def eager(path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(runs, steps) as load_results built them before the step table was lazy."""
    store = Store(path)
    manifest = store.read_manifest()
    store.verify()
    runs, step_table = store.read(True)
    order = {r["name"]: i for i, r in enumerate(manifest["spec"]["regimes"])}
    runs = runs.assign(_order=runs["regime"].map(order)).sort_values(["point", "replicate", "_order"])
    runs = runs.drop(columns="_order").reset_index(drop=True)
    table = runs[["run_id", *KEYS, "seed"]].merge(step_table, on="run_id", how="inner")
    table = table.assign(_order=table["regime"].map(order))
    table = table.sort_values(["point", "replicate", "_order", "step"]).drop(columns="_order").reset_index(drop=True)
    return runs, table


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    path = tmp_path_factory.mktemp("clean") / "s"
    run_experiment(tiny(), path, progress=False, executor=None)
    return path


@pytest.fixture(scope="module")
def retried(tmp_path_factory):
    """A store where some runs failed, then ran again: two records of one run, the latest counts."""
    path = tmp_path_factory.mktemp("retried") / "s"
    exp = tiny()
    victims = {(t.seed, t.regime.name) for t in plan(exp)[:6]}
    real = worker_module.EnhancedCooperationModel

    def flaky(regime, rng, **params):
        if (rng, regime.name) in victims:
            raise FloatingPointError("boom")
        return real(regime=regime, rng=rng, **params)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(worker_module, "EnhancedCooperationModel", flaky)
        run_experiment(exp, path, progress=False, executor=None)
    assert not load_results(path).failed.empty
    run_experiment(exp, path, progress=False, executor=None)  # the resume retries the failed runs
    store = Store(path)
    store.verify()
    assert store._records > store._distinct  # the failed records are still there, superseded
    return path


@pytest.mark.parametrize("which", ["clean", "retried"])
def test_lazy_results_hold_the_eager_tables(which, request):
    path = request.getfixturevalue(which)
    runs, steps = eager(path)
    results = load_results(path)
    pd.testing.assert_frame_equal(results.runs, runs, check_exact=True)
    assert results._steps is None  # nothing read yet
    pd.testing.assert_frame_equal(results.steps, steps, check_exact=True)
    assert len(results.step_table) == len(steps)
    assert results.step_table.columns == list(steps.columns)
    assert "runs" not in results.manifest  # its per-run records are results.runs' status, wall_time, seed


def test_steps_frame_reads_only_what_is_asked(clean):
    results = load_results(clean)
    steps = results.steps
    asked = results.steps_frame(["regime", "step", "harm"], where="step >= 10 AND harm > 0", regimes=["flexible"])
    expected = steps.loc[(steps["step"] >= 10) & (steps["harm"] > 0) & (steps["regime"] == "flexible")]
    pd.testing.assert_frame_equal(asked, expected[["regime", "step", "harm"]].reset_index(drop=True), check_exact=True)
    some = results.steps_frame(steps=[0, 7, 14])
    pd.testing.assert_frame_equal(some, steps[steps["step"].isin([0, 7, 14])].reset_index(drop=True), check_exact=True)
    with pytest.raises(KeyError, match="no column 'happiness'"):
        results.steps_frame(["happiness"])
    sub = results.step_table.subset(regimes=["centralised", "no_cooperation"]).subset(where="step > 3")
    expected = steps[steps["regime"].isin(["centralised", "no_cooperation"]) & (steps["step"] > 3)]
    pd.testing.assert_frame_equal(sub.frame(), expected.reset_index(drop=True), check_exact=True)
    assert len(sub) == len(expected)
    counts = sub.sql("SELECT regime, count(*) AS n FROM {steps} GROUP BY regime ORDER BY regime")
    assert counts.set_index("regime")["n"].to_dict() == expected.groupby("regime").size().to_dict()


@pytest.mark.parametrize("which", ["clean", "retried"])
def test_out_of_core_aggregates_equal_the_pandas_ones(which, request):
    results = load_results(request.getfixturevalue(which))
    lazy, steps = results.step_table, results.steps
    for metric in ("harm", "cumulative_harm", "issues_open", "compliance", "time_to_agreement"):
        pd.testing.assert_frame_equal(
            analysis.timeseries(lazy, metric), analysis.timeseries(steps, metric), **TOLERANCE
        )
    with_factor = steps.merge(results.runs[["run_id", "market_concentration"]], on="run_id")
    pd.testing.assert_frame_equal(
        analysis.timeseries(lazy, "harm", by="market_concentration"),
        analysis.timeseries(with_factor, "harm", by="market_concentration"),
        **TOLERANCE,
    )
    horizons = [5, 10, 14, 99]
    pd.testing.assert_frame_equal(
        analysis.at_horizons(lazy, horizons), analysis.at_horizons(steps, horizons), check_exact=True
    )
    pd.testing.assert_frame_equal(analysis.steady_state(lazy, 6), analysis.steady_state(steps, 6), **TOLERANCE)
    for metric, threshold, above in (("cumulative_harm", 50.0, True), ("issues_open", 3, False)):
        pd.testing.assert_frame_equal(
            first_step(lazy, metric, threshold, above), first_step(steps, metric, threshold, above), check_exact=True
        )
    main = ["flexible", "no_cooperation"]
    pd.testing.assert_frame_equal(
        analysis.timeseries(lazy.subset(regimes=main), "harm"),
        analysis.timeseries(steps[steps["regime"].isin(main)], "harm"),
        **TOLERANCE,
    )


@st.composite
def step_tables(draw):
    """Tidy step tables: a few runs of a few regimes, NaN sprinkled in, runs of different lengths."""
    regimes = draw(st.lists(st.sampled_from(["a", "b", "c", "no_cooperation"]), min_size=1, max_size=3, unique=True))
    if "no_cooperation" not in regimes:
        regimes.append("no_cooperation")
    replicates, length = draw(st.integers(1, 4)), draw(st.integers(1, 8))
    rows = []
    for point in range(draw(st.integers(1, 2))):
        for replicate in range(replicates):
            for regime in regimes:
                run = f"p{point:05d}-r{replicate:04d}-{regime}"
                for step in range(length + draw(st.integers(0, 2))):
                    rows.append((run, point, replicate, regime, 100 + replicate, step))
    frame = pd.DataFrame(rows, columns=["run_id", "point", "replicate", "regime", "seed", "step"])
    frame["step"] = frame["step"].astype(np.int32)
    values = st.one_of(st.floats(0, 1e6, allow_nan=False), st.just(float("nan")), st.just(0.0))
    frame["harm"] = draw(st.lists(values, min_size=len(frame), max_size=len(frame)))
    frame["cumulative_harm"] = frame.groupby("run_id")["harm"].cumsum()
    frame["issues_open"] = draw(st.lists(st.integers(0, 50), min_size=len(frame), max_size=len(frame)))
    return frame


@settings(max_examples=60, deadline=None)
@given(step_tables())
def test_every_aggregate_runs_the_same_in_duckdb_and_pandas(steps):
    lazy = StepTable.from_frame(steps)
    for metric in ("harm", "issues_open"):
        pd.testing.assert_frame_equal(
            analysis.timeseries(lazy, metric), analysis.timeseries(steps, metric), **TOLERANCE
        )
    horizons = sorted(set(steps["step"].tolist()))[::2]
    pd.testing.assert_frame_equal(
        analysis.at_horizons(lazy, horizons), analysis.at_horizons(steps, horizons), check_exact=True
    )
    pd.testing.assert_frame_equal(analysis.steady_state(lazy, 3), analysis.steady_state(steps, 3), **TOLERANCE)
    pd.testing.assert_frame_equal(first_step(lazy, "harm", 5e5), first_step(steps, "harm", 5e5), check_exact=True)
    pd.testing.assert_frame_equal(lazy.frame(), steps, check_exact=True)


# --- store only what is read ------------------------------------------------------------------------------------


def test_step_every_thins_the_stored_steps_not_the_summaries(clean, tmp_path):
    run_experiment(tiny(step_every=4), tmp_path / "thin", progress=False, executor=None)
    full, thin = load_results(clean), load_results(tmp_path / "thin")
    pd.testing.assert_frame_equal(thin.runs.drop(columns="wall_time"), full.runs.drop(columns="wall_time"))
    kept = full.steps[(full.steps["step"] % 4 == 0) | (full.steps["step"] == 14)].reset_index(drop=True)
    pd.testing.assert_frame_equal(thin.steps, kept, check_exact=True)
    assert sorted(thin.steps["step"].unique()) == [0, 4, 8, 12, 14]


def test_outputs_none_stores_no_step_table(tmp_path):
    run_experiment(tiny(outputs=()), tmp_path / "s", progress=False, executor=None)
    assert not any((tmp_path / "s" / "steps").glob("part-*.parquet"))
    results = load_results(tmp_path / "s")
    assert results.failed.empty and len(results.runs) == 2 * 3 * 4
    assert results.steps.empty and len(results.step_table) == 0
    assert results.step_table.columns == [*RUN_KEYS, "step"] and results.step_table.metrics == []


def test_sensitivity_designs_store_no_steps_unless_asked():
    factors = {"issue_rate": Range(0.5, 2.0)}
    assert Experiment("m", design="morris", factors=factors).outputs == ()
    assert Experiment("s", design="saltelli", factors=factors).outputs == ()
    assert Experiment("m", design="morris", factors=factors, outputs=("harm",)).outputs == ("harm",)
    assert Experiment("f", factors={"issue_rate": [1.0, 2.0]}).outputs == Experiment("x").outputs != ()


def test_existing_specs_keep_their_hashes():
    """A spec that does not thin has the canonical form (hence the hash) it had before step_every existed."""
    before = {"name", "regimes", "fixed", "factors", "design", "samples", "morris_levels", "replicates", "steps"}
    before |= {"seed", "outputs"}
    for exp in (
        Experiment("x"),
        Experiment("m", design="morris", factors={"issue_rate": Range(0.5, 2.0)}, outputs=("harm",)),
    ):
        assert set(exp.to_dict()) == before
        assert Experiment(**{**_fields(exp), "step_every": 1}).hash == exp.hash
    assert Experiment("x", step_every=2).to_dict()["step_every"] == 2
    assert Experiment("x", step_every=2).hash != Experiment("x").hash
    with pytest.raises(ValueError, match="step_every"):
        Experiment("x", step_every=0)


def _fields(exp: Experiment) -> dict:
    names = ("name", "regimes", "fixed", "factors", "design", "samples", "replicates", "steps", "seed", "outputs")
    return {name: getattr(exp, name) for name in names}


# --- bounded bootstraps, wall times -------------------------------------------------------------------------------


def test_a_batched_bootstrap_gives_the_same_interval():
    x = np.random.default_rng(3).normal(size=2500)  # 2,000 resamples x 2,500 values: batched
    res = stats.bootstrap((x,), np.mean, n_resamples=2000, method="BCa", rng=np.random.default_rng(0), vectorized=True)
    assert mean_ci(x) == (float(x.mean()), float(res.confidence_interval.low), float(res.confidence_interval.high))


def test_the_report_ends_with_each_studys_wall_time(tmp_path):
    table = wall_times([("regime_comparison", {"sweep": 61.25, "report": 3.5}), ("sensitivity", {"sweep": 2.0})])
    assert "| regime_comparison | 61.2 | 3.5 | 64.8 |" in table and "| all | 63.2 | 3.5 | 66.8 |" in table
    path = write_report([Section("A", "text"), Section("B", "more")], tmp_path / "REPORT.md", appendix=table)
    assert path.read_text().rstrip().endswith("| all | 63.2 | 3.5 | 66.8 |")


def test_runs_read_from_many_parts_equal_one_table():
    """More parts than are joined into one chunk of strings (with nulls in an integer and a string column)."""
    from ecsim.experiment import store

    schema = pa.schema([("run_id", pa.string()), ("point", pa.int64()), ("harm", pa.float64()), ("error", pa.string())])
    batches = [
        pa.record_batch(
            [
                pa.array([f"p{i:05d}-r{r:04d}-flexible" for r in range(3)]),
                pa.array([i, None if i % 7 == 0 else i, i]),
                pa.array([0.5 * i, float("nan"), 1.0]),
                pa.array(["", None, f"failed {i}"]),
            ],
            schema=schema,
        )
        for i in range(2 * store._STRING_CHUNKS + 5)
    ]
    got = store._batches_to_pandas(iter(batches), schema, 3 * len(batches))
    pd.testing.assert_frame_equal(got, store._to_pandas(pa.Table.from_batches(batches)))
