"""Same seed, same numbers; different seeds, different numbers; common random numbers across regimes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL

from ecsim import REGIMES, EnhancedCooperationModel
from ecsim.rng import STREAMS, root_sequence, stream


def run(regime="flexible", seed=3, **params):
    return EnhancedCooperationModel(regime=regime, rng=seed, **(SMALL | params)).run()


def test_same_seed_gives_identical_outputs():
    a, b = run(), run()
    pd.testing.assert_frame_equal(a.metrics(), b.metrics())
    pd.testing.assert_frame_equal(a.issue_log(), b.issue_log())
    np.testing.assert_array_equal(a.population.boldness, b.population.boldness)


def test_different_seeds_give_different_outputs():
    a, b = run(seed=3), run(seed=4)
    assert not a.metrics()["harm"].equals(b.metrics()["harm"])
    assert not np.array_equal(a.population.market_share, b.population.market_share)


def test_an_unseeded_run_can_be_repeated_from_its_seed_sequence():
    a = EnhancedCooperationModel(rng=None, **SMALL).run()
    b = EnhancedCooperationModel(rng=a.seed_sequence, **SMALL).run()
    pd.testing.assert_frame_equal(a.metrics(), b.metrics())


def test_regimes_on_one_seed_face_the_same_stakeholders_and_issues(small_runs):
    """Common random numbers: population and issue stream do not depend on the regime."""
    models = list(small_runs.values())
    first = models[0]
    for other in models[1:]:
        for name in (
            "preference",
            "enforcement_capacity",
            "market_share",
            "harm_intensity",
            "cost_factor",
            "monitoring_effort",
            "expertise",
        ):
            np.testing.assert_array_equal(getattr(first.population, name), getattr(other.population, name))
        assert len(first.issues) == len(other.issues)
        for i, j in zip(first.issues, other.issues, strict=True):
            assert (i.arrival, i.category, i.harm_rate, i.complexity, i.novelty) == (
                j.arrival,
                j.category,
                j.harm_rate,
                j.complexity,
                j.novelty,
            )
            for field in ("causers", "harm_weights", "jurisdictions", "affected_cso", "relevant_technical"):
                np.testing.assert_array_equal(getattr(i, field), getattr(j, field))


def test_issue_positions_do_not_depend_on_when_or_where_an_issue_is_negotiated():
    a = EnhancedCooperationModel("centralised", rng=8, **SMALL)
    b = EnhancedCooperationModel("flexible", rng=8, **SMALL)
    issue = a.issues[5]
    pa = a.open_negotiation(issue, a.regime.routes[issue.category], now=1).positions
    for _ in range(3):
        b.step()
    pb = b.open_negotiation(b.issues[5], b.regime.routes[issue.category], now=4).positions
    np.testing.assert_array_equal(pa, pb)


def test_streams_are_independent_and_stable():
    root = root_sequence(42)
    draws = {name: stream(root, name).random(4) for name in STREAMS}
    assert len({tuple(d) for d in draws.values()}) == len(STREAMS)
    np.testing.assert_array_equal(stream(root, "issues").random(4), draws["issues"])
    # A child stream is the same whether or not others were made before it.
    np.testing.assert_array_equal(
        stream(root_sequence(42), "issue_positions", 7).random(3), stream(root, "issue_positions", 7).random(3)
    )


def test_model_never_touches_global_random_state():
    import random

    np.random.seed(0)  # noqa: NPY002 - this test checks the global state is left alone
    random.seed(0)
    before_np, before_py = np.random.random(), random.random()  # noqa: NPY002
    np.random.seed(0)  # noqa: NPY002 - this test checks the global state is left alone
    random.seed(0)
    for regime in REGIMES:
        run(regime=regime, steps=20)
    assert (np.random.random(), random.random()) == (before_np, before_py)  # noqa: NPY002


def test_golden_numbers_of_a_reference_run():
    """Pins the model's numbers; regenerate deliberately with `python tests/golden.py` (see its docstring)."""
    import json

    from golden import PATH, compute

    stored = json.loads(PATH.read_text())
    assert stored["scenario"] == SMALL
    for which, base in (("metrics", True), ("defaults", False)):  # every mechanism off; the model as it runs
        observed = compute(base)
        for regime, metrics in stored[which].items():
            for key, value in metrics.items():
                assert observed[regime][key] == pytest.approx(value, rel=1e-9, nan_ok=True), (which, regime, key)
