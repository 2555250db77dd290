"""The decomposition of a gap between two regimes into design dimensions (exact Shapley values)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from ecsim.analysis.decomposition import JOIN, decompose, differing, shapley, subsets


def test_shapley_of_an_additive_game_is_each_term_and_of_a_pure_interaction_an_equal_share():
    dims = ["a", "b", "c"]
    effect = {"a": 0.1, "b": -0.3, "c": 0.05}
    additive = {frozenset(s): sum(effect[d] for d in s) for s in subsets(dims)}
    assert shapley(additive, dims) == pytest.approx(effect)
    both = {frozenset(s): 0.6 if {"a", "b"} <= set(s) else 0.0 for s in subsets(dims)}  # only a and b together
    assert shapley(both, dims) == pytest.approx({"a": 0.3, "b": 0.3, "c": 0.0})


def _table(dims, value, seeds=12, noise=0.01, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(seeds):
        for cell in subsets(dims):
            rows.append(
                {"seed": s, "switched": JOIN.join(cell), "harm_reduction": value(set(cell)) + noise * rng.normal()}
            )
    return pd.DataFrame(rows)


def test_contributions_add_up_to_the_total_gap_and_intervals_cover_the_truth():
    dims = ["routing", "reporting", "consultation"]

    def v(cell):
        return (
            0.2
            + 0.05 * ("routing" in cell)
            - 0.02 * ("reporting" in cell)
            + 0.04 * ({"routing", "consultation"} <= cell)
        )

    out = decompose(_table(dims, v), dims, comparison="a vs b", resamples=500)
    parts = out[out["dimension"] != "total"]
    total = out.loc[out["dimension"] == "total", "contribution"].item()
    assert parts["contribution"].sum() == pytest.approx(total, abs=1e-12)
    assert total == pytest.approx(0.05 - 0.02 + 0.04, abs=0.01)
    truth = {"routing": 0.07, "reporting": -0.02, "consultation": 0.02}
    for row in parts.itertuples():
        assert row.ci_low <= truth[row.dimension] <= row.ci_high, row
    assert set(out.columns) == {"comparison", "dimension", "contribution", "ci_low", "ci_high"}


def test_a_missing_cell_is_refused():
    dims = ["a", "b"]
    table = _table(dims, lambda cell: 0.0)
    with pytest.raises(ValueError, match="full factorial"):
        decompose(table[table["switched"] != "a+b"], dims)


def test_differing_dimensions_in_declared_order():
    a = {"routing": "x", "capacity": "s", "reporting": "y"}
    b = {"routing": "z", "capacity": "s", "reporting": "w"}
    assert differing(a, b, ["routing", "capacity", "reporting"]) == ["routing", "reporting"]
    assert list(itertools.chain(subsets(["p"]))) == [(), ("p",)]
