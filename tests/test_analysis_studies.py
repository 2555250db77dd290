"""The studies' own quantities (ecsim.analysis: issue mix, shock response, backlog, findings) on hand-made
tables with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecsim import analysis
from ecsim.analysis import ablation, backlog, findings, issue_mix, one_factor, shock
from ecsim.params import CATEGORIES, PARAMETERS


# ---------------------------------------------------------------------------------- issue mix
def mix_runs(*weights: dict[str, float]) -> pd.DataFrame:
    """One run per mix (design point = position), weights as the store holds them."""
    rows = []
    for point, w in enumerate(weights):
        rows.append({"point": point, **{f"issue_mix_{c}": float(w.get(c, 0.0)) for c in CATEGORIES}})
    return pd.DataFrame(rows)


def test_mix_shares_normalise_the_stored_weights():
    shares = issue_mix.mix_shares(mix_runs({"national": 2, "technical_operational": 2}, {"corporate_harm": 0.3}))
    assert list(shares.columns) == list(CATEGORIES)
    np.testing.assert_allclose(shares.iloc[0], [0.5, 0, 0, 0, 0.5])
    np.testing.assert_allclose(shares.iloc[1], [0, 0, 0, 1, 0])


def test_entropy_is_0_for_one_category_1_for_all_equally_and_rounded():
    shares = issue_mix.mix_shares(
        mix_runs({"national": 1}, {c: 1 for c in CATEGORIES}, {"national": 1, "international": 1})
    )
    h = issue_mix.entropy(shares)
    assert h.tolist() == [0.0, 1.0, 0.431]  # log 2 / log 5 = 0.4307
    assert issue_mix.entropy(pd.DataFrame([[0.5, 0.5]])).tolist() == [1.0]  # normalised by the number of columns
    assert issue_mix.entropy(shares, digits=5).iloc[2] == pytest.approx(round(np.log(2) / np.log(5), 5))


def test_mix_labels_name_the_mix():
    runs = mix_runs(
        dict(PARAMETERS["issue_mix"].default),
        {c: 1 for c in CATEGORIES},
        {c: 1 for c in CATEGORIES if c != "critical_resources"},
        {"national": 1, "corporate_harm": 1},
        {"national": 1, "technical_operational": 3},
        {"international": 5},
    )
    names = [issue_mix.mix_label(s) for _, s in issue_mix.mix_shares(runs).iterrows()]
    assert names == [
        "default",
        "uniform",
        "all but critical res.",
        "national + corporate harm",
        "national 0.25, technical 0.75",
        "international",
    ]
    uniform = issue_mix.mix_shares(runs).iloc[1]
    assert issue_mix.mix_label(uniform, default={c: 1 for c in CATEGORIES}) == "default"


def test_limited_venues_counts_the_shared_agendas_a_regime_uses():
    shares = issue_mix.mix_shares(mix_runs({c: 1 for c in CATEGORIES}, {"national": 1}))
    uniform, national = shares.iloc[0], shares.iloc[1]
    # flexible: multilateral forum, Internet institutions, industry self-regulation, technical community;
    # national issues go to the legislatures, which have no agenda limit.
    assert issue_mix.limited_venues("flexible", uniform) == 4
    assert issue_mix.limited_venues("flexible", national) == 0
    assert issue_mix.limited_venues("centralised", national) == 1  # the one central forum
    assert issue_mix.limited_venues("self_regulatory", uniform) == 2
    assert issue_mix.limited_venues("no_cooperation", uniform) == 1  # only the technical community


def test_mixes_adds_entropy_and_names_and_lists_the_mixes_by_heterogeneity():
    weights = [{c: 1 for c in CATEGORIES}, {"national": 1}, {"international": 1, "corporate_harm": 1}]
    runs = mix_runs(*weights).loc[lambda d: d.index.repeat(2)].assign(regime=["flexible", "no_cooperation"] * 3)
    runs = runs.set_axis(range(100, 106))
    out, table = issue_mix.mixes(runs)
    assert list(out.index) == list(runs.index) and out["mix"].tolist() == [
        "uniform",
        "uniform",
        "national",
        "national",
        "international + corporate harm",
        "international + corporate harm",
    ]
    assert table.to_dict("list") == {
        "point": [1, 2, 0],
        "mix": ["national", "international + corporate harm", "uniform"],
        "entropy": [0.0, 0.431, 1.0],
        "limited_venues": [0, 2, 4],
    }


# ---------------------------------------------------------------------------------- shock
def shock_steps() -> pd.DataFrame:
    """One regime, steps 0-4: a control run and a shocked run (shock in month 3)."""
    control = {"issues_open": [1, 1, 1, 1, 1], "harm": [2.0, 2, 2, 2, 2]}
    shocked = {"issues_open": [2, 2, 2, 7, 4], "harm": [2.0, 3, 3, 9, 5]}
    rows = []
    for run_id, point, series in (("c", 0, control), ("s", 1, shocked)):
        for step in range(5):
            rows.append(
                {
                    "run_id": run_id,
                    "point": point,
                    "replicate": 0,
                    "regime": "flexible",
                    "step": step,
                    "issues_open": series["issues_open"][step],
                    "harm": series["harm"][step],
                    "issues_failed": 0,
                    "issues_resolved": step,
                    "issues_arrived": 2 * step,
                }
            )
    return pd.DataFrame(rows)


def test_with_point_factor_copies_a_design_factor_onto_the_steps():
    runs = pd.DataFrame({"point": [0, 0, 1], "shock_issues": [0.0, 0.0, 40.0]})
    steps = shock.with_point_factor(shock_steps(), runs, "shock_issues")
    assert steps.groupby("run_id")["shock_issues"].unique().map(list).to_dict() == {"c": [0.0], "s": [40.0]}


def test_excess_is_a_difference_in_differences_against_the_control():
    steps = shock_steps()
    s = shock.excess(steps, steps["run_id"] == "s", shock=3, pre=2)
    assert s["run_id"].unique().tolist() == ["s"]
    # open: gap 1, 1, 1, 6, 3; its mean over months 1-2 (before the shock) is 1
    assert s["excess_open"].tolist() == [0.0, 0.0, 0.0, 5.0, 2.0]
    # harm: gap 0, 1, 1, 7, 3; mean over months 1-2 is 1
    assert s["excess_harm_step"].tolist() == [-1.0, 0.0, 0.0, 6.0, 2.0]
    assert s["issues_open_control"].tolist() == [1.0] * 5 and "issues_arrived_control" in s


def response_table() -> pd.DataFrame:
    """Two shocked runs (shock in month 4, end 10): one recovers, one stays at its peak."""
    recovering = [0, 0, 0, 0, 4, 10, 8, 5, 3, 1, 0]
    stuck = [0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6]
    rows = []
    for run_id, x in (("a", recovering), ("b", stuck)):
        for step, value in enumerate(x):
            rows.append(
                {
                    "run_id": run_id,
                    "point": 1,
                    "replicate": 0 if run_id == "a" else 1,
                    "regime": "flexible",
                    "step": step,
                    "excess_open": float(value),
                    "excess_harm_step": 1.0,
                    "issues_arrived": 2 * step + (20 if step >= 4 else 0),  # a burst of 20 in month 4
                    "issues_resolved": 3 * step,
                    "issues_resolved_control": 2 * step,
                    "issues_failed": step,
                    "issues_failed_control": step,
                }
            )
    return pd.DataFrame(rows)


def test_first_month_is_the_time_to_a_threshold():
    months = np.array([0, 1, 2, 3])
    assert shock.first_month(months, np.array([False, False, True, True])) == 2.0
    assert np.isnan(shock.first_month(months, np.zeros(4, bool)))


def test_excess_growth_is_the_runs_growth_less_the_controls():
    r = response_table().query("run_id == 'a'").set_index("step")
    assert shock.excess_growth(r, "issues_resolved", shock=4, end=10) == (30 - 9) - (20 - 6)
    assert shock.excess_growth(r, "issues_failed", shock=4, end=10) == 0.0


def test_responses_measure_peak_recovery_and_censoring():
    table = shock.responses(response_table(), shock=4, end=10).set_index("run_id")
    assert list(table.columns[:3]) == ["point", "replicate", "regime"] and set(shock.RESPONSE) <= set(table.columns)
    a, b = table.loc["a"], table.loc["b"]
    assert a["burst"] == 22.0  # 20 extra on top of the usual 2
    assert (a["peak_excess"], a["months_to_peak"]) == (10.0, 1.0)
    assert (a["half_recovery"], a["half_censored"]) == (3.0, False)  # 5 <= 10 / 2 three months on
    assert (a["recovery_90"], a["recovery_90_censored"]) == (5.0, False)  # 1 <= 10 / 10
    assert np.isnan(a["excess_after_year"])  # the run ends 6 months after the shock
    assert a["excess_resolved"] == 7.0 and a["excess_failed"] == 0.0 and a["excess_harm"] == 7.0
    assert (b["peak_excess"], b["months_to_peak"]) == (6.0, 1.0)
    assert (b["half_recovery"], b["half_censored"]) == (6.0, True)  # censored at end - shock
    assert (b["recovery_90"], b["recovery_90_censored"]) == (6.0, True)


# ---------------------------------------------------------------------------------- backlog
def test_backlog_shares_of_the_issues_raised():
    runs = pd.DataFrame({"issues_arrived": [10, 0], "issues_resolved": [6, 0], "issues_failed": [1, 0]})
    out = backlog.with_backlog(runs)
    assert out["open_share"].iloc[0] == pytest.approx(0.3) and out["failed_share"].iloc[0] == pytest.approx(0.1)
    assert out[["open_share", "failed_share"]].iloc[1].isna().all()  # no issue raised: undefined
    assert "open_share" not in runs and analysis.with_backlog is backlog.with_backlog


# ---------------------------------------------------------------------------------- findings
def test_leaders_and_ties():
    assert findings.leaders({"a": 1.0, "b": 1.0 + 1e-12, "c": 0.5}) == ["a", "b"]
    assert findings.leaders(pd.Series({"a": 1.0, "b": 2.0, "c": 0.5}), lowest=True) == ["c"]
    assert findings.leaders({"x": 3.0}) == ["x"]


def test_ci_side_and_interval_change():
    table = pd.DataFrame({"low": [0.1, -0.3, -0.1, np.nan], "high": [0.4, -0.1, 0.2, np.nan]}, index=list("abcd"))
    assert findings.ci_side(table).to_dict() == {"a": 1, "b": -1, "c": 0, "d": 0}
    assert findings.ci_side(table, value=0.2).to_dict() == {"a": 0, "b": -1, "c": 0, "d": 0}
    lo, hi = {"low": 1.0, "high": 2.0}, {"low": 2.5, "high": 3.0}
    assert findings.interval_change(lo, hi) == 1 and findings.interval_change(hi, lo) == -1
    assert findings.interval_change(lo, {"low": 1.5, "high": 3.0}) == 0


def test_rank_trend():
    up = findings.rank_trend([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])
    assert up.rho == pytest.approx(1.0) and up.p < 0.05 and up.direction == 1
    assert findings.rank_trend([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]).direction == -1
    flat = findings.rank_trend([1, 2, 3, 4, 5], [1, 3, 2, 3, 1])
    assert flat.rho == pytest.approx(0.0) and flat.direction == 0
    assert findings.rank_trend([1, 2, 3, 4, 5], [2, 4, 6, 8, 10], alpha=0.0).direction == 0


def test_best_rows_always_equal_and_regime_order():
    summary = pd.DataFrame(
        {
            "n": [25, 25, 25, 400, 400, 400],
            "regime": ["a", "b", "c", "a", "b", "c"],
            "mean": [1.0, 3.0, 3.0, 5.0, 2.0, 0.5],
        }
    )
    assert findings.best_rows(summary, ["n"])["regime"].tolist() == ["b", "a"]  # the first of a tie
    assert findings.best_rows(summary, ["n"], lowest=True)["regime"].tolist() == ["a", "c"]
    runs = pd.DataFrame({"regime": ["a", "a", "b", "b"], "mix": ["x", "y", "x", "x"], "v": [0.0, 0.1, 0.0, 0.0]})
    assert findings.always_equal(runs, "v", 0.0, by=["regime", "mix"]).to_dict() == {
        ("a", "x"): True,
        ("a", "y"): False,
        ("b", "x"): True,
    }
    table = pd.DataFrame({"regime": ["b", "a", "b", "a"], "replicate": [1, 1, 0, 0], "v": [1, 2, 3, 4]})
    ordered = findings.in_regime_order(table, ["b", "a"])
    assert ordered["v"].tolist() == [3, 1, 4, 2] and list(ordered.columns) == ["regime", "replicate", "v"]


def test_adequacy_verdict_is_the_last_row_per_group():
    runs = pd.DataFrame(
        {"regime": ["a"] * 3 + ["b"] * 3, "replicate": [0, 1, 2] * 2, "x": [1.0, 2.0, 3.0, 5.0, 5.0, 5.0]}
    )
    verdict = analysis.adequacy_verdict(analysis.replicate_adequacy(runs, "x", target=1.0))
    assert list(verdict.index) == ["a", "b"] and verdict["enough"].tolist() == [False, True]
    assert verdict.loc["a", "needed"] == np.ceil(3 * (4.302652729911275 / np.sqrt(3)) ** 2)


# --- horizons and steady state (analysis.horizon) ---------------------------------------------------


def _steps_table():
    """Two regimes and the baseline over 4 months, one replicate: cumulative harm known by hand."""
    rows = []
    harm = {"a": [1.0, 1.0, 1.0, 3.0], "b": [2.0, 2.0, 1.0, 1.0], "no_cooperation": [2.0, 2.0, 2.0, 2.0]}
    for regime, series in harm.items():
        total = 0.0
        for step, h in enumerate(series, start=1):
            total += h
            rows.append(
                {"point": 0, "replicate": 0, "regime": regime, "step": step, "harm": h, "cumulative_harm": total}
            )
    return pd.DataFrame(rows)


def test_harm_reduction_at_horizons_is_paired_with_the_baseline_at_the_same_month():
    from ecsim.analysis.horizon import at_horizons

    out = at_horizons(_steps_table(), [2, 4, 9]).set_index(["regime", "horizon"])["harm_reduction"]
    assert out[("a", 2)] == pytest.approx(1 - 2 / 4) and out[("a", 4)] == pytest.approx(1 - 6 / 8)
    assert out[("b", 2)] == pytest.approx(0.0) and out[("b", 4)] == pytest.approx(1 - 6 / 8)
    assert out[("no_cooperation", 4)] == 0.0
    assert 9 not in out.index.get_level_values("horizon")  # beyond the runs' length


def test_steady_state_is_the_mean_harm_of_the_last_months():
    from ecsim.analysis.horizon import steady_state

    out = steady_state(_steps_table(), last=2).set_index("regime")["steady_harm"]
    assert out["a"] == pytest.approx(2.0) and out["b"] == pytest.approx(1.0) and out["no_cooperation"] == 2.0


def test_rankings_say_whether_the_order_depends_on_the_horizon():
    from ecsim.analysis.horizon import ranking_changes, rankings

    summary = pd.DataFrame(
        {
            "metric": ["harm_reduction"] * 4,
            "regime": ["a", "b", "a", "b"],
            "horizon": [2, 2, 4, 4],
            "mean": [0.5, 0.0, 0.25, 0.25],
        }
    )
    ranks = rankings(summary)
    assert ranks.loc["a", 2] == 1 and ranks.loc["b", 2] == 2 and ranks.loc["b", 4] == 1  # a tie at 4
    assert ranking_changes(ranks)
    assert not ranking_changes(rankings(summary.assign(mean=[0.5, 0.0, 0.4, 0.1])))


# ---------------------------------------------------------------------------------- mechanism ablation
SWITCHES = {"fit_weight": (0.5, 0.0), "igf_learning": (0.2, 0.0)}


def ablation_runs() -> pd.DataFrame:
    """Four points (full, each off, both off) x 3 replicates x two regimes and the baseline, with known values."""
    points = [(0.5, 0.2), (0.0, 0.2), (0.5, 0.0), (0.0, 0.0)]
    rows = []
    for point, (fit, igf) in enumerate(points):
        for replicate in range(3):
            for regime, base in (("flexible", 0.2), ("centralised", 0.1), ("no_cooperation", 0.0)):
                value = base + 0.01 * replicate - 0.03 * (fit == 0.0) + 0.05 * (igf == 0.0) * (regime == "flexible")
                rows.append(
                    {"point": point, "replicate": replicate, "regime": regime, "status": "ok", "fit_weight": fit}
                    | {"igf_learning": igf, "harm_reduction": value}
                )
    return pd.DataFrame(rows)


def test_ablation_variants_name_each_point_and_refuse_points_outside_the_design():
    runs = ablation_runs()
    labelled = ablation.with_variants(runs, SWITCHES)
    assert "no_cooperation" not in set(labelled["regime"])
    assert list(dict.fromkeys(labelled["variant"])) == [
        ablation.FULL,
        "fit_weight off",
        "igf_learning off",
        ablation.NONE,
    ]
    with pytest.raises(ValueError, match="fit_weight, igf_learning off is not a point of the ablation design"):
        ablation.variant({"fit_weight": 0.0, "igf_learning": 0.0, "third": 1.0}, SWITCHES | {"third": (1.0, 0.0)})


def test_ablation_effects_are_the_full_model_minus_each_variant_paired_by_replicate():
    table = ablation.effects(ablation_runs(), SWITCHES).set_index(["variant", "regime"])
    assert table.loc[("fit_weight off", "flexible"), "mean"] == pytest.approx(0.03)  # fit adds 0.03 everywhere
    assert table.loc[("fit_weight off", "centralised"), "mean"] == pytest.approx(0.03)
    assert table.loc[("igf_learning off", "flexible"), "mean"] == pytest.approx(-0.05)  # the IGF costs flexible
    assert table.loc[("igf_learning off", "centralised"), "mean"] == pytest.approx(0.0)
    assert table.loc[(ablation.NONE, "flexible"), "mean"] == pytest.approx(-0.02)
    paired = table.loc[("fit_weight off", "flexible")]  # paired: the replicates' spread cancels, so no interval
    assert paired["low"] == pytest.approx(paired["high"]) and paired["n"] == 3 and paired["share_positive"] == 1.0


# ---------------------------------------------------------------------------------- one factor varied alone
def test_pair_sentences_say_where_each_regime_removes_more_and_key_every_gap():
    paired = pd.DataFrame(
        {
            "x": [1.0, 2.0, 3.0],
            "comparison": ["a - b"] * 3,
            "mean": [0.05, 0.001, -0.04],
            "low": [0.02, -0.01, -0.06],
            "high": [0.08, 0.012, -0.02],
        }
    )
    lines, key = one_factor.pair_sentences(paired, "x", [("a", "b")], lambda v: f"L{v:g}")
    assert lines == [
        "- **a − b**: a removes more (interval above 0) at L1; neither is detectably better at L2; b removes more "
        "at L3. By level: L1: +0.050 [+0.020, +0.080]; L2: +0.001 [-0.010, +0.012]; L3: -0.040 [-0.060, -0.020]."
    ]
    assert key == {"a-b[L1]": 0.05, "a-b[L2]": 0.001, "a-b[L3]": -0.04}


def test_harm_keys_leave_out_the_baseline_and_headline_orders_the_regimes():
    summary = pd.DataFrame(
        {
            "regime": ["flexible", "no_cooperation", "centralised", "flexible", "centralised"],
            "x": [1.0, 1.0, 1.0, 2.0, 2.0],
            "metric": ["harm_reduction"] * 5,
            "mean": [0.2, 0.0, 0.1, 0.25, 0.05],
        }
    )
    assert one_factor.harm_keys(summary, "x", str) == {
        "harm_reduction[flexible, 1.0]": 0.2,
        "harm_reduction[centralised, 1.0]": 0.1,
        "harm_reduction[flexible, 2.0]": 0.25,
        "harm_reduction[centralised, 2.0]": 0.05,
    }
    table = one_factor.headline(summary, "x", lambda v: f"{v:g}", ["centralised", "flexible"])
    assert list(table.columns) == ["centralised", "flexible"] and list(table.index) == ["1", "2"]
    assert table.loc["2", "flexible"] == "0.250"
