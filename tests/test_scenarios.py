"""Scenario discovery (ecsim.analysis.scenarios): PRIM recovers a known box, CART finds the same split, the
per-point outcome table pairs runs on seeds, and the words and tables say what the box is."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ecsim.analysis import scenarios as sd

LEVELS = ["consensus", "qualified_majority", "simple_majority"]


def design(n: int = 400, seed: int = 1) -> pd.DataFrame:
    """Uniform points on three reals, an integer and a categorical dimension."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x1": rng.random(n),
            "x2": rng.random(n),
            "x3": rng.random(n),
            "budget": rng.integers(8, 33, n),
            "rule": pd.Categorical(rng.choice(LEVELS, n)),
        }
    )


def noisy(inside: np.ndarray, flip: float, seed: int) -> np.ndarray:
    """``inside`` with a share ``flip`` of the labels flipped at random."""
    return inside ^ (np.random.default_rng(seed).random(len(inside)) < flip)


@pytest.fixture(scope="module")
def known():
    """y = 1 when x1 > 0.6 and x2 < 0.3, with 5% of the labels flipped (noise everywhere)."""
    x = design()
    truth = ((x["x1"] > 0.6) & (x["x2"] < 0.3)).to_numpy()
    y = noisy(truth, 0.05, seed=2)
    return x, y, truth, sd.prim_box(x, y)


# ---------------------------------------------------------------------------------------------- PRIM
def test_prim_recovers_the_box_within_tolerance(known):
    _, y, truth, result = known
    r = result.restrictions.set_index("dimension")
    assert set(r.index) == {"x1", "x2"}  # the noise dimensions are not restricted (or dropped as insignificant)
    assert r.loc["x1", "lower_restricted"] and not r.loc["x1", "upper_restricted"]
    assert r.loc["x2", "upper_restricted"] and not r.loc["x2", "lower_restricted"]
    assert r.loc["x1", "lower"] == pytest.approx(0.6, abs=0.05)
    assert r.loc["x2", "upper"] == pytest.approx(0.3, abs=0.05)
    assert (r["qp"] < 0.05).all()
    # About as good as the true box itself: it holds the wins the noise left in it, and few others.
    true_cov = (y & truth).sum() / y.sum()
    assert result.coverage == pytest.approx(true_cov, abs=0.08)
    assert result.density > 0.8
    assert result.worth_reporting()


def test_coverage_density_and_mass_are_the_shares_they_claim(known):
    x, y, _, result = known
    limits = {
        row.dimension: (row.lower, row.upper) if row.kind == "range" else set(row.levels.split("|"))
        for row in result.restrictions.itertuples()
    }
    inside = sd.in_box(x, limits)
    assert result.n_box == inside.sum() and result.k_box == (y & inside).sum()
    assert result.coverage == pytest.approx((y & inside).sum() / y.sum())
    assert result.density == pytest.approx((y & inside).sum() / inside.sum())
    assert result.mass == pytest.approx(inside.mean())
    assert result.base_rate == pytest.approx(y.mean())
    assert (result.n_points, result.n_interest) == (len(y), y.sum())


def test_the_trajectory_starts_from_the_whole_space_and_marks_one_chosen_box(known):
    _, y, _, result = known
    t = result.trajectory
    assert list(t.columns) == [
        *("coverage", "density", "mass", "res_dim", "n", "k"),
        *("sig_coverage", "sig_density", "sig_mass", "sig_res_dim", "box", "chosen"),
    ]
    mine = t.loc[result.chosen]  # the reported box is the chosen one with its significant restrictions only
    assert (mine["sig_coverage"], mine["sig_density"], mine["sig_mass"]) == pytest.approx(
        (result.coverage, result.density, result.mass)
    )
    assert mine["sig_res_dim"] == len(result.restrictions) <= mine["res_dim"]
    assert (t["sig_res_dim"] <= t["res_dim"]).all()
    first = t.iloc[0]
    assert (first["coverage"], first["mass"], first["res_dim"]) == (1.0, 1.0, 0)
    assert first["density"] == pytest.approx(y.mean())
    assert t["chosen"].sum() == 1 and t.loc[result.chosen, "chosen"]
    assert (t["mass"] >= 0.05 - 1e-12).all()  # no box smaller than mass_min
    assert t["coverage"].between(0, 1).all() and t["density"].between(0, 1).all()
    assert (t["k"] / t["n"]).to_numpy() == pytest.approx(t["density"].to_numpy())


def test_the_chosen_box_reaches_the_target_density_with_the_most_coverage_times_density():
    trajectory = pd.DataFrame(
        {
            "coverage": [1.0, 0.9, 0.8, 0.75, 0.7, 0.4],
            "density": [0.2, 0.4, 0.6, 0.8, 0.9, 1.0],
            "res_dim": [0, 1, 2, 3, 4, 4],
        }
    )
    assert sd.choose_box(trajectory) == 4  # 0.63 against 0.60 for box 3 and 0.40 for box 5
    assert sd.choose_box(trajectory, density=0.95) == 5
    assert sd.choose_box(trajectory, max_dims=2) == 2  # none that dense: the densest
    assert sd.choose_box(trajectory.assign(density=[0.9, 0.9, 0.9, 0.9, 0.9, 1.0])) == 0  # the whole space will do
    assert sd.choose_box(trajectory.iloc[[0]]) == 0


def test_an_irrelevant_restriction_is_dropped_and_a_relevant_one_kept():
    x = design(seed=3)
    y = noisy((x["x1"] > 0.5).to_numpy(), 0.05, seed=4)
    limits = {"x1": (0.5, 1.0), "x3": (0.0, 0.7)}  # x3 has nothing to do with y
    initial = {c: (float(x[c].min()), float(x[c].max())) for c in ("x1", "x3")}
    kept, dropped = sd.drop_insignificant(x, y, limits, initial)
    assert set(kept) == {"x1"} and dropped == ["x3 upper"]
    assert sd.quasi_p(x, y, limits, {**limits, "x1": initial["x1"]}) < 1e-6
    assert sd.quasi_p(x, y, limits, {**limits, "x3": initial["x3"]}) > 0.05


def test_prim_restricts_a_categorical_dimension_to_its_levels_and_an_integer_one_to_integers():
    x = design(n=300, seed=5)
    truth = ((x["rule"] != "consensus") & (x["budget"] >= 20) & (x["x1"] > 0.4)).to_numpy()
    result = sd.prim_box(x, noisy(truth, 0.03, seed=6))
    r = result.restrictions.set_index("dimension")
    assert set(r.index) == {"rule", "budget", "x1"}
    assert r.loc["rule", "kind"] == "levels" and r.loc["rule", "levels"] == "qualified_majority|simple_majority"
    assert r.loc["budget", "lower"] == 20 and float(r.loc["budget", "lower"]).is_integer()
    assert not r.loc["budget", "upper_restricted"]
    words = sd.box_sentence("centralised", "flexible", 0.02, result)
    assert "rule is qualified_majority or simple_majority" in words and "budget ≥ 20" in words


def test_with_nothing_to_find_the_answer_says_so():
    x = design(n=200, seed=7)
    never = sd.prim_box(x, np.zeros(len(x), dtype=bool))
    assert never.n_interest == 0 and never.restrictions.empty and not never.worth_reporting()
    assert "never beats" in sd.box_sentence("a", "b", 0.02, never)
    scattered = sd.prim_box(x, np.random.default_rng(8).random(len(x)) < 0.3)  # wins at random: no region
    assert not scattered.worth_reporting()
    assert sd.box_sentence("a", "b", 0.02, scattered).startswith("PRIM finds no box worth reporting")
    random_wins = np.random.default_rng(8).random(len(x)) < 0.3
    assert "peeling missed" not in sd.cart_check(sd.cart_rules(x, random_wins, seed=2), scattered)
    mostly = np.random.default_rng(9).random(len(x)) < 0.9
    everywhere = sd.prim_box(x, mostly)
    assert "across most of the parameter space" in sd.box_sentence("a", "b", 0.02, everywhere)
    check = sd.cart_check(sd.cart_rules(x, mostly, seed=2), everywhere)  # no box needed: nothing was missed
    assert "PRIM needs no box" in check and "missed" not in check
    always = sd.prim_box(x, np.ones(len(x), dtype=bool))
    assert always.base_rate == 1.0 and always.coverage == 1.0 and always.restrictions.empty


def test_prim_leaves_the_callers_warnings_filters_and_matplotlib_settings_alone(known):
    x, y, _, _ = known
    filters, rc = list(warnings.filters), dict(matplotlib.rcParams)
    sd.prim_box(x, y)
    assert warnings.filters == filters
    assert {k: str(v) for k, v in matplotlib.rcParams.items()} == {k: str(v) for k, v in rc.items()}


def test_the_informative_dimensions_come_first(known):
    x, y, _, _ = known
    importance = sd.informative(x, y, seed=1)
    assert set(importance.index[:2]) == {"x1", "x2"} and set(importance.index) == set(x.columns)
    assert importance.sum() == pytest.approx(1.0) and importance.is_monotonic_decreasing
    assert importance.equals(sd.informative(x, y, seed=1))  # seeded
    levels = sd.informative(
        design(n=300, seed=10), noisy((design(n=300, seed=10)["rule"] == "consensus").to_numpy(), 0.02, 11)
    )
    assert levels.index[0] == "rule"  # a categorical dimension's levels count as one dimension


# ---------------------------------------------------------------------------------------------- CART
def test_cart_finds_the_same_split(known):
    x, y, _, result = known
    cart = sd.cart_rules(x, y, seed=3)
    feature, threshold = cart.root
    assert (feature, round(threshold, 1)) in {("x1", 0.6), ("x2", 0.3)}
    best = cart.leaves[cart.leaves["predicts"]].iloc[0]
    assert set(best["dimensions"].split("|")) == {"x1", "x2"}  # a split that changes no prediction is merged
    assert "x1 > 0.6" in best["rule"] or "x1 > 0.59" in best["rule"]
    assert best["density"] > 0.8 and best["coverage"] > 0.7
    assert best["coverage"] == pytest.approx(result.coverage, abs=0.05)
    assert "class: wins" in cart.text and "x2 <= 0.2" in cart.text
    assert "every dimension of the PRIM box" in sd.cart_check(cart, result)
    nothing = sd.prim_box(x, np.zeros(len(y), dtype=bool))
    missed = sd.cart_check(cart, nothing)  # CART's leaf here is dense and covering: PRIM would have reported it
    assert "PRIM has no box worth reporting, but this leaf would be one" in missed and "peeling missed" in missed
    assert cart.leaves["n"].sum() == len(y) and cart.leaves["k"].sum() == y.sum()
    again = sd.cart_rules(x, y, seed=3)
    assert again.text == cart.text  # seeded


def test_cart_splits_a_categorical_dimension_on_its_levels():
    x = design(n=300, seed=10)
    y = noisy((x["rule"] == "consensus").to_numpy(), 0.02, seed=11)
    cart = sd.cart_rules(x, y, max_depth=1)
    assert cart.root[0] == "rule=consensus"
    assert set(cart.leaves["rule"]) == {"rule ≠ consensus", "rule = consensus"}
    constant = sd.cart_rules(x, np.zeros(len(x), dtype=bool))
    assert constant.root is None and not constant.leaves["predicts"].any()


# ---------------------------------------------------------------------------------------------- the data
def runs_table() -> pd.DataFrame:
    """Two design points x two replicates x three regimes, paired on seeds; one run of B failed."""
    rows = []
    hr = {  # (point, replicate) -> harm reduction of A and of B
        (0, 0): (0.30, 0.10),
        (0, 1): (0.20, 0.16),
        (1, 0): (0.05, 0.15),
        (1, 1): (0.07, None),  # B failed
    }
    for (point, rep), (a, b) in hr.items():
        seed = 100 * point + rep
        for regime, value in (("A", a), ("B", b), ("no_cooperation", 0.0)):
            rows.append(
                {
                    "point": point,
                    "replicate": rep,
                    "regime": regime,
                    "seed": seed,
                    "issue_rate": [0.5, 1.5][point],
                    "decision_rule": ["consensus", "simple_majority"][point],
                    "u_issue_rate": [0.0, 2 / 3][point],
                    "u_decision_rule": [0.1, 0.9][point],
                    "harm_reduction": np.nan if value is None else value,
                    "status": "failed" if value is None else "ok",
                }
            )
    return pd.DataFrame(rows)


def test_the_point_table_holds_each_points_mean_paired_difference():
    table = sd.point_table(runs_table(), ["issue_rate", "decision_rule"], "A", "B")
    assert list(table.columns) == [
        "point",
        "issue_rate",
        "decision_rule",
        "u_issue_rate",
        "u_decision_rule",
        "difference",
        "n",
        "sd",
    ]
    assert table["point"].tolist() == [0, 1]
    assert table["difference"].tolist() == pytest.approx([(0.20 + 0.04) / 2, -0.10])
    assert table["n"].tolist() == [2, 1]  # the replicate whose B run failed is left out
    assert table.loc[0, "sd"] == pytest.approx(np.std([0.20, 0.04], ddof=1)) and np.isnan(table.loc[1, "sd"])
    assert table["decision_rule"].tolist() == ["consensus", "simple_majority"]
    reverse = sd.point_table(runs_table(), ["issue_rate"], "B", "A")
    assert reverse["difference"].tolist() == pytest.approx((-table["difference"]).tolist())
    x = sd.design_matrix(table, ["issue_rate", "decision_rule"])
    assert x["issue_rate"].dtype == np.float64 and isinstance(x["decision_rule"].dtype, pd.CategoricalDtype)
    with pytest.raises(ValueError, match="no run of regime 'C'"):
        sd.point_table(runs_table(), ["issue_rate"], "A", "C")
    with pytest.raises(ValueError, match="lacks novelty"):
        sd.point_table(runs_table(), ["novelty"], "A", "B")


def test_bounds_come_from_the_stored_factors():
    factors = {"issue_rate": {"range": [0.5, 2.0], "levels": None}, "rule": {"levels": LEVELS}}
    assert sd.bounds_of(factors) == {"issue_rate": (0.5, 2.0), "rule": LEVELS}


# ---------------------------------------------------------------------------------------------- words and tables
def test_the_boxes_table_is_long_one_row_per_restriction(known):
    _, _, _, result = known
    empty = sd.prim_box(design(n=100, seed=12), np.zeros(100, dtype=bool))
    table = sd.boxes_table(
        [("centralised", "flexible", 0.02, result), ("flexible", "centralised", 0.02, empty)],
        {"x1": (0.0, 1.0), "x2": (0.0, 1.0)},
    )
    assert len(table) == 3  # two restrictions, then one row for the box that restricts nothing
    assert set(table["pair"]) == {"centralised vs flexible"}
    mine = table[table["winner"] == "centralised"].set_index("dimension")
    assert set(mine.index) == {"x1", "x2"}
    assert (mine["plausible_lower"] == 0.0).all() and (mine["plausible_upper"] == 1.0).all()
    assert (mine["coverage"] == result.coverage).all() and (mine["res_dim"] == 2).all()
    other = table[table["winner"] == "flexible"].iloc[0]
    assert other["dimension"] == "" and other["n_interest"] == 0 and not other["worth_reporting"]
    assert {"margin", "density", "mass", "base_rate", "lower", "upper", "levels", "qp"} <= set(table.columns)


def test_the_sentence_states_the_box_with_coverage_and_density(known):
    _, _, _, result = known
    words = sd.box_sentence("centralised", "flexible", 0.02, result)
    assert words.startswith("centralised beats flexible by at least 0.02 in harm reduction when x1 ≥ 0.6")
    assert "and x2 ≤ 0.3" in words or "and x2 ≤ 0.29" in words or "and x2 ≤ 0.31" in words
    assert f"coverage {result.coverage:.2f}, density {result.density:.2f}" in words
    row = {"dimension": "d", "kind": "range", "lower": 2.5, "upper": 12.0}
    assert sd.restriction_words(row | {"lower_restricted": True, "upper_restricted": True}) == "2.5 ≤ d ≤ 12"
    assert sd.restriction_words(row | {"lower_restricted": False, "upper_restricted": True}) == "d ≤ 12"


# ---------------------------------------------------------------------------------------------- figures
def test_the_figures_draw_the_trajectory_and_the_box(known):
    from ecsim import plots

    _, _, _, result = known
    table = sd.boxes_table([("centralised", "flexible", 0.02, result)], {"x1": (0.0, 1.0), "x2": (0.0, 1.0)})
    fig, (left, right) = plots.figure(ncols=2)
    assert plots.peeling_trajectory(result.trajectory, left) is left
    assert len(left.collections[0].get_offsets()) == len(result.trajectory)
    assert plots.scenario_box(table, right) is right
    assert [t.get_text() for t in right.get_yticklabels()] == ["x1", "x2"]
    matplotlib.pyplot.close(fig)
