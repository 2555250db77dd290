"""Analysis functions against hand-computed values; figure functions write files with labelled axes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecsim import analysis, plots
from ecsim.analysis.paired import reduction


def runs_table() -> pd.DataFrame:
    """Two design points x 3 replicates x 3 regimes, with hand-chosen harm numbers."""
    rows = []
    harm = {"no_cooperation": [10, 20, 30], "flexible": [8, 15, 21], "centralised": [9, 18, 24]}
    for point in (0, 1):
        for rep in range(3):
            for regime, values in harm.items():
                h = values[rep] + point
                rows.append(
                    {
                        "point": point,
                        "replicate": rep,
                        "regime": regime,
                        "status": "ok",
                        "cumulative_harm": float(h),
                        "market_concentration": 0.2 + 0.5 * point,
                    }
                )
    return analysis.harm_reduction(pd.DataFrame(rows))


def test_mean_ci_brackets_the_mean_and_collapses_without_variation():
    mean, low, high = analysis.mean_ci([1.0, 2.0, 3.0, 4.0])
    assert mean == 2.5 and low < 2.5 < high and low >= 1.0 and high <= 4.0
    assert analysis.mean_ci([3.0, 3.0, 3.0]) == (3.0, 3.0, 3.0)
    assert analysis.mean_ci([7.0]) == (7.0, 7.0, 7.0)
    assert np.isnan(analysis.mean_ci([])[0])
    wide = analysis.mean_ci(np.arange(10.0))
    narrow = analysis.mean_ci(np.tile(np.arange(10.0), 20))
    assert narrow[2] - narrow[1] < wide[2] - wide[1]  # more data, tighter interval
    assert analysis.mean_ci([1.0, 2.0, 3.0, 4.0], seed=1) == analysis.mean_ci([1.0, 2.0, 3.0, 4.0], seed=1)


def test_summarise_groups_and_counts():
    s = analysis.summarise(runs_table(), ["cumulative_harm"], by=["regime"])
    flex = s[s.regime == "flexible"].iloc[0]
    assert flex["n"] == 6 and flex["mean"] == pytest.approx(np.mean([8, 15, 21, 9, 16, 22]))
    assert list(s.regime) == ["no_cooperation", "flexible", "centralised"]  # order of appearance


def test_paired_differences_pair_on_point_and_replicate():
    d = analysis.paired_differences(runs_table(), "cumulative_harm", "flexible", "centralised")
    assert len(d) == 6
    np.testing.assert_allclose(sorted(d["difference"]), sorted([-1, -3, -3, -1, -3, -3]))
    assert (d["comparison"] == "flexible - centralised").all() and "market_concentration" in d
    p = analysis.paired_summary(runs_table(), "cumulative_harm", [("flexible", "centralised")])
    assert p.iloc[0]["mean"] == pytest.approx(-7 / 3) and p.iloc[0]["share_positive"] == 0.0
    assert p.iloc[0]["n_pairs"] == 6
    with pytest.raises(ValueError, match="need runs of both regimes"):
        analysis.paired_differences(runs_table(), "cumulative_harm", "flexible", "treaty")


def test_harm_reduction_of_the_baseline_is_zero_and_hand_values_match():
    runs = runs_table()
    assert (runs.loc[runs.regime == "no_cooperation", "harm_reduction"] == 0).all()
    flex = runs[(runs.regime == "flexible") & (runs.point == 0)]["harm_reduction"].tolist()
    np.testing.assert_allclose(flex, [1 - 8 / 10, 1 - 15 / 20, 1 - 21 / 30])
    central = runs[(runs.regime == "centralised") & (runs.point == 1)]["harm_reduction"].tolist()
    np.testing.assert_allclose(central, [1 - 10 / 11, 1 - 19 / 21, 1 - 25 / 31])


def pairing_table() -> pd.DataFrame:
    """Four pairs, rows shuffled and on a non-default index: a failed baseline, a harmless baseline, a failed run."""
    rows = [
        # point, replicate, regime, status, cumulative harm
        (0, 0, "no_cooperation", "ok", 10.0),
        (0, 0, "flexible", "ok", 4.0),
        (0, 1, "no_cooperation", "failed", np.nan),  # no partner for (0, 1)
        (0, 1, "flexible", "ok", 5.0),
        (1, 0, "no_cooperation", "ok", 0.0),  # no harm to reduce: undefined
        (1, 0, "flexible", "ok", 0.0),
        (1, 1, "no_cooperation", "ok", 20.0),
        (1, 1, "flexible", "failed", np.nan),
    ]
    table = pd.DataFrame(rows, columns=["point", "replicate", "regime", "status", "cumulative_harm"])
    return table.iloc[[5, 2, 7, 0, 3, 6, 1, 4]].set_axis([10, 11, 12, 13, 14, 15, 16, 17])


def test_harm_reduction_pairs_each_run_with_the_baselines_run_of_its_point_and_replicate():
    runs = pairing_table()
    paired = analysis.harm_reduction(runs)
    assert list(paired.index) == list(runs.index) and list(paired.columns) == [*runs.columns, "harm_reduction"]
    pd.testing.assert_frame_equal(paired.drop(columns="harm_reduction"), runs)  # the input is untouched
    assert "harm_reduction" not in runs
    value = paired.set_index(["point", "replicate", "regime"])["harm_reduction"]
    assert value[(0, 0, "flexible")] == pytest.approx(0.6) and value[(0, 0, "no_cooperation")] == 0.0
    assert np.isnan(value[(0, 1, "flexible")])  # its baseline failed
    assert np.isnan(value[(1, 0, "flexible")]) and np.isnan(value[(1, 0, "no_cooperation")])  # baseline harm 0
    assert np.isnan(value[(1, 1, "flexible")]) and value[(1, 1, "no_cooperation")] == 0.0  # the run failed
    again = analysis.harm_reduction(paired)  # an existing column is replaced, not duplicated
    pd.testing.assert_frame_equal(again, paired)
    np.testing.assert_allclose(reduction([4.0, 5.0, 1.0, 3.0], [10.0, 0.0, np.nan, 2.0]), [0.6, np.nan, np.nan, -0.5])


def test_harm_reduction_against_another_baseline_and_its_errors():
    runs = pairing_table()
    flex = analysis.harm_reduction(runs, baseline="flexible").set_index(["point", "replicate", "regime"])
    assert flex.loc[(0, 0, "no_cooperation"), "harm_reduction"] == pytest.approx(1 - 10 / 4)
    assert np.isnan(flex.loc[(1, 1, "no_cooperation"), "harm_reduction"])  # the baseline run failed
    with pytest.raises(ValueError, match="no run of the baseline regime 'treaty' to pair with"):
        analysis.harm_reduction(runs, baseline="treaty")
    with pytest.raises(ValueError, match="lacks cumulative_harm"):
        analysis.harm_reduction(runs.drop(columns="cumulative_harm"))
    with pytest.raises(ValueError, match="more than one 'no_cooperation' run per point and replicate"):
        analysis.harm_reduction(pd.concat([runs, runs]))
    no_status = analysis.harm_reduction(runs[runs["status"] == "ok"].drop(columns="status"))
    assert no_status["harm_reduction"].notna().sum() == 3  # every row counts as a successful run


def test_paired_runs_reads_a_stored_sweeps_runs():
    from ecsim.experiment import Results

    results = Results(pairing_table(), pd.DataFrame(), {})
    paired = analysis.paired_runs(results)
    pd.testing.assert_frame_equal(paired, analysis.harm_reduction(results.runs))
    assert "harm_reduction" not in results.runs


def test_harm_reduction_is_the_arithmetic_of_compare_on_one_seed():
    """The paired table and ecsim.compare (one seed, model layer) agree on the same runs."""
    from conftest import SMALL

    from ecsim import compare

    table = compare(seed=3, regimes=("flexible", "no_cooperation"), **SMALL)
    runs = table.assign(point=0, replicate=0)
    paired = analysis.harm_reduction(runs.drop(columns="harm_reduction"))
    np.testing.assert_allclose(paired["harm_reduction"], table["harm_reduction"])


def test_numbers_and_intervals_for_prose():
    assert analysis.number(-0.0004, 3) == "0.000" and analysis.number(-0.0006, 3) == "-0.001"
    assert analysis.number(2.0, 1) == "2.0" and analysis.number(-0.04, 1) == "0.0" and analysis.number(-1.0, 0) == "-1"
    row = pd.Series({"mean": 0.1234, "low": -0.00004, "high": 0.5})
    assert analysis.ci_text(row) == "0.123 [0.000, 0.500]"
    assert analysis.ci_text({"mean": -1.26, "low": -2.0, "high": -0.04}, 1) == "-1.3 [-2.0, 0.0]"
    assert analysis.format_ci(pd.DataFrame([row]), 3).iloc[0] == "0.123 [-0.000, 0.500]"  # tables keep the sign


def test_replicate_adequacy_uses_student_t_half_widths():
    runs = pd.DataFrame({"regime": "a", "replicate": [0, 1, 2], "status": "ok", "x": [1.0, 2.0, 3.0]})
    table = analysis.replicate_adequacy(runs, "x", target=1.0)
    last = table[table.replicates == 3].iloc[0]
    assert last["half_width"] == pytest.approx(4.302652729911275 / np.sqrt(3))  # t(0.975, 2) * sd 1 / sqrt(3)
    assert not last["enough"] and last["needed"] == np.ceil(3 * (last["half_width"] / 1.0) ** 2)
    assert table[table.replicates == 2].iloc[0]["half_width"] == pytest.approx(
        12.706204736174707 * np.sqrt(0.5) / np.sqrt(2)
    )
    relaxed = analysis.replicate_adequacy(runs, "x", target=3.0)
    assert relaxed["enough"].all()


def test_timeseries_mean_and_band():
    steps = pd.DataFrame({"regime": "a", "step": [0, 0, 1, 1], "harm": [1.0, 3.0, 2.0, 2.0]})
    ts = analysis.timeseries(steps, "harm")
    first = ts[ts.step == 0].iloc[0]
    assert first["mean"] == 2.0 and first["high"] - first["mean"] == pytest.approx(
        12.706204736174707 * np.sqrt(2) / np.sqrt(2)
    )
    second = ts[ts.step == 1].iloc[0]
    assert second["low"] == second["high"] == 2.0


def test_tables_export_csv_and_booktabs_latex(tmp_path):
    summary = analysis.summarise(runs_table(), ["cumulative_harm", "harm_reduction"])
    wide = analysis.wide_ci_table(summary)
    assert wide.loc["flexible", "cumulative_harm"].startswith("15.167 [")
    paths = analysis.export(wide, tmp_path / "summary", caption="A table", label="tab:x")
    csv, tex = paths
    assert pd.read_csv(csv, index_col=0).shape == (3, 2)
    text = tex.read_text()
    assert "\\toprule" in text and "\\midrule" in text and "\\bottomrule" in text
    # Short headers from the metrics' declarations and regimes spaced, not snake_case; the CSV keeps the names.
    assert "Harm reduction vs. no cooperation" in text and "no cooperation &" in text and "\\label{tab:x}" in text
    assert "harm\\_reduction" not in text and "no\\_cooperation" not in text


def test_figures_have_labels_units_fixed_colours_and_are_written(tmp_path):
    runs = runs_table()
    summary = analysis.summarise(runs, ["harm_reduction"], by=["regime"])
    fig, ax = plots.figure()
    plots.regime_intervals(summary, "harm_reduction", ax)
    assert ax.get_xlabel() == "Harm reduction vs. no cooperation (share)"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["no cooperation", "flexible", "centralised"]
    pdf, png = plots.save(fig, tmp_path / "intervals")
    assert pdf.stat().st_size > 1000 and png.stat().st_size > 1000 and pdf.read_bytes()[:4] == b"%PDF"
    steps = pd.DataFrame(
        {"regime": ["flexible"] * 4 + ["centralised"] * 4, "step": [0, 0, 1, 1] * 2, "harm": [1.0, 2, 3, 4, 2, 3, 4, 5]}
    )
    fig, ax = plots.figure()
    plots.timeseries(analysis.timeseries(steps, "harm"), "harm", ax)
    assert ax.get_xlabel() == "Time (months)" and ax.get_ylabel() == "Harm (issue-months per month)"
    assert ax.lines[0].get_color() == plots.REGIME_COLOURS["flexible"]
    assert ax.lines[1].get_color() == plots.REGIME_COLOURS["centralised"]
    s2 = analysis.summarise(runs, ["harm_reduction"], by=["regime", "market_concentration"])
    fig, ax = plots.figure()
    plots.factor_lines(s2, "market_concentration", "harm_reduction", ax)
    assert ax.get_xlabel() == "Market concentration c"
    grid = s2[s2.metric == "harm_reduction"].assign(monitoring_capacity=[0.1, 0.9] * 3)
    fig, ax = plots.figure()
    plots.heatmap(grid[grid.regime == "flexible"], "market_concentration", "monitoring_capacity", "mean", ax)
    assert ax.get_ylabel() == "Civil-society monitoring capacity"
    p = analysis.paired_summary(runs, "harm_reduction", [("flexible", "centralised")])
    fig, ax = plots.figure()
    plots.paired_intervals(p, ax)
    assert "harm reduction" in ax.get_xlabel()
    assert plots.colour("treaty", ["flexible", "treaty"]) not in plots.REGIME_COLOURS.values()


def test_group_intervals_paired_lines_and_level_heatmap(tmp_path):
    runs = runs_table()
    by_point = analysis.summarise(runs, ["harm_reduction"], by=["regime", "point"])
    fig, ax = plots.figure()
    plots.group_intervals(by_point, "point", "harm_reduction", ax, order=[1, 0], labels={0: "low", 1: "high"})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["high", "low"]
    assert ax.get_xlabel() == "Harm reduction vs. no cooperation (share)"
    colours = [c.get_children()[0].get_color() for c in ax.containers]
    assert colours == [plots.REGIME_COLOURS[r] for r in ("no_cooperation", "flexible", "centralised")]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["no cooperation", "flexible", "centralised"]
    pairs = [("flexible", "centralised"), ("flexible", "no_cooperation")]
    paired = analysis.paired_summary(runs, "harm_reduction", pairs, by=["market_concentration"])
    fig, ax = plots.figure()
    plots.group_intervals(paired, "market_concentration", "harm_reduction", ax, hue="comparison")
    assert ax.get_xlabel().startswith("Paired difference in harm reduction")
    assert ax.containers[0].get_children()[0].get_color() == plots.REGIME_COLOURS["centralised"]
    fig, ax = plots.figure()
    plots.paired_lines(paired, "market_concentration", ax)
    assert ax.get_xlabel() == "Market concentration c" and "harm reduction" in ax.get_ylabel()
    # The legend follows the lines' ends, highest first.
    last = paired.sort_values("market_concentration").groupby("comparison", sort=False)["mean"].last()
    expected = [c.replace(" - ", " − ").replace("_", " ") for c in last.sort_values(ascending=False).index]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == expected
    assert set(expected) == {"flexible − centralised", "flexible − no cooperation"}
    assert ax.containers[1].get_children()[0].get_color() == plots.REGIME_COLOURS["no_cooperation"]
    grid = pd.DataFrame(
        {
            "n_governments": [25, 400, 25, 400],
            "agenda_capacity": [2, 2, 16, 16],
            "time_to_agreement": [1.0, 2, 3, np.nan],
        }
    )
    fig, ax = plots.figure()
    plots.level_heatmap(grid, "n_governments", "agenda_capacity", "time_to_agreement", ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["25", "400"]  # equal cells, labelled by level
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2", "16"]
    assert sorted(t.get_text() for t in ax.texts) == ["1.0", "2.0", "3.0"]  # the missing cell stays blank
    assert ax.get_ylabel() == "Agenda capacity per venue (negotiations at once)"
    pdf, png = plots.save(fig, tmp_path / "heat")
    assert pdf.exists() and png.stat().st_size > 1000


def test_every_metric_label_comes_from_the_metric_declarations():
    from ecsim.analysis import backlog, issue_mix, paired, shock
    from ecsim.model.metrics import DECLARED

    for metric in DECLARED:
        assert plots.label(metric.name) == metric.label, metric.name
    assert plots.label("harm_reduction") == "Harm reduction vs. no cooperation (share)"
    for module in (backlog, issue_mix, shock):  # analysed quantities: labelled where they are computed
        for name, text in module.LABELS.items():
            assert plots.label(name) == text
    assert plots.label("step") == "Time (months)" and plots.label("n_governments") == "Number of governments"
    assert plots.label("some_new_column") == "some new column"
    sources = [{m.name for m in DECLARED}, *(set(m.LABELS) for m in (paired, backlog, issue_mix, shock))]
    assert sum(len(s) for s in sources) == len(set().union(*sources))  # each label declared once


def test_sobol_indices_find_the_influential_factor_and_repeat_exactly():
    """Also with seed 0, which SALib alone would take for 'unseeded'."""
    from SALib.sample import sobol as saltelli

    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.0, 1.0]] * 2}
    u = saltelli.sample(problem, 16, calc_second_order=True, seed=1)
    runs = pd.DataFrame({"point": np.arange(len(u)), "u_a": u[:, 0], "u_b": u[:, 1]})
    runs = runs.assign(replicate=0, regime="flexible", status="ok", y=4 * runs["u_a"] + 0.5 * runs["u_b"])
    manifest = {"spec": {"factors": {"a": [0, 1], "b": [0, 1]}}}
    table = analysis.sobol_indices(runs, manifest, "y", "flexible")
    assert table["factor"].tolist() == ["a", "b"] and table.loc[0, "ST"] > 0.9 > 0.1 > table.loc[1, "ST"]
    pd.testing.assert_frame_equal(analysis.sobol_indices(runs, manifest, "y", "flexible"), table)
    other = analysis.sobol_indices(runs, manifest, "y", "flexible", seed=5)
    assert not np.allclose(other["ST_conf"], table["ST_conf"])  # the seed drives the bootstrap
