"""Invariants that hold for every valid parameter set, every regime and every seed (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import parameter_sets

from ecsim import REGIMES, EnhancedCooperationModel

SHARES = ("coverage", "compliance", "participation", "legitimacy", "fit")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=parameter_sets(), regime=st.sampled_from(list(REGIMES)), seed=st.integers(0, 2**32 - 1))
def test_outputs_stay_within_their_bounds(params, regime, seed):
    model = EnhancedCooperationModel(regime=regime, rng=seed, **params).run()
    m = model.metrics()
    assert len(m) == params["steps"] + 1 and m["step"].tolist() == list(range(params["steps"] + 1))
    assert (m["harm"] >= 0).all()
    assert (np.diff(m["cumulative_harm"]) >= 0).all()
    np.testing.assert_allclose(m["cumulative_harm"], np.cumsum(m["harm"]))
    for share in SHARES:
        values = m[share].dropna()
        assert ((values >= 0) & (values <= 1 + 1e-12)).all(), share
    counts = m[["issues_open", "issues_resolved", "issues_failed"]].sum(axis=1)
    assert (counts == m["issues_arrived"]).all()
    for cumulative in ("issues_arrived", "issues_resolved", "issue_returns", "overreach", "state_harm"):
        assert (np.diff(m[cumulative]) >= 0).all(), cumulative
    # Failures so far never fall: a failed issue leaves issues_failed only when it returns (ODD §7.6b).
    assert (np.diff(m["issues_failed"] + m["issue_returns"]) >= 0).all()
    assert (m["state_harm"] <= m["cumulative_harm"] + 1e-9).all()  # the states' part of harm (ODD §7.10a)
    assert (m["negotiation_cost"] >= 0).all()
    assert (m["time_to_agreement"].dropna() >= 1).all()
    log = model.issue_log()
    assert len(log) == m["issues_arrived"].iloc[-1]
    adopted = log[log["outcome"] == "adopted"]
    for column in ("stringency", "quality", "coverage", "legitimacy", "fit", "state_share", "states_bound"):
        assert adopted[column].between(0, 1 + 1e-12).all(), column
    # Harm never exceeds the harm the arrived issues would cause unaddressed.
    arrived = [log.loc[log["arrival"] <= t, "harm_rate"].sum() for t in m["step"]]
    assert (m["harm"].to_numpy() <= np.asarray(arrived) + 1e-9).all()
    assert ((model.population.boldness >= 0) & (model.population.boldness <= 1)).all()
