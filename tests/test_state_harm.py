"""State harm (ODD §7.10a): governments cause part of the harm, and only norms that bind them remove it; on by
default, off restores the base model, and the mechanism's tests run on the base model (conftest.BASE) with state harm
alone turned on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import BASE, SMALL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecsim import REGIMES, EnhancedCooperationModel
from ecsim.model.issues import Issue
from ecsim.model.state_harm import ROLES, STATE_ROLE, role_of, state_shares, states_bound
from ecsim.params import CATEGORIES, PARAMETERS

ON = 0.5  # a plausible value with the mechanism on (its declared range is 0.25-0.75)
#: What state harm may move: harm itself, and coverage (a norm that binds firms but not states covers less).
MOVED = ["harm", "cumulative_harm", "state_harm", "coverage"]
#: Venues at which governments decide, so the norm binds those that ratify or legislate.
GOVERNMENTS_DECIDE = {"national_legislatures", "central_forum", "multilateral_forum", "internet_institutions"}
ALONE = BASE | {"state_harm_share": ON}  # the base model with state harm alone


def run(regime: str, seed: int, **params) -> EnhancedCooperationModel:
    return EnhancedCooperationModel(regime, rng=seed, **(SMALL | params)).run()


def adopted(model: EnhancedCooperationModel) -> pd.DataFrame:
    log = model.issue_log()
    return log[log["outcome"] == "adopted"].set_index("id")


# ---------------------------------------------------------------------------------- the declaration
def test_every_category_has_a_sourced_role_of_states():
    assert set(STATE_ROLE) == set(CATEGORIES)
    for category, (role, source) in STATE_ROLE.items():
        assert role in ROLES and source.strip().startswith("seed"), category
        assert 0.0 <= role_of(category) <= 1.0
    # Seed 1f's national and international public policy is state conduct; seed 1g's corporate harm is not,
    # and technical matters have no public-policy impact (seed 1b).
    assert role_of("national") == role_of("international") == 1.0
    assert role_of("corporate_harm") == role_of("technical_operational") == 0.0
    assert 0.0 < role_of("critical_resources") < 1.0  # seed 1c: states beside the Internet institutions


def test_the_switch_and_what_acts_through_it():
    """The switch's contract is tested for every switch in tests/test_params.py; here, what is particular to it."""
    p = PARAMETERS["state_harm_share"]
    assert p.off == BASE["state_harm_share"] == 0.0 and p.plausible[0] < ON < p.plausible[1]
    assert [q.name for q in PARAMETERS.values() if q.switch == "state_harm_share"] == ["state_compliance"]


def test_an_issues_state_share_is_the_switch_times_its_categorys_role():
    issues = [Issue(i, 1, c, 1.0, 0.5, 0.5, *[np.empty(0, dtype=np.int64)] * 5) for i, c in enumerate(CATEGORIES)]
    np.testing.assert_array_equal(state_shares(issues, 0.0), np.zeros(len(CATEGORIES)))
    np.testing.assert_array_equal(state_shares(issues, ON), [ON * role_of(c) for c in CATEGORIES])


def test_only_a_norm_its_governments_decide_binds_a_state():
    assert states_bound(True, 0.75) == 0.75
    assert states_bound(False, 0.75) == 0.0 and states_bound(False, 1.0) == 0.0


# ---------------------------------------------------------------------------------- the mechanism
def test_a_private_code_or_a_standard_never_binds_a_state_and_ratifying_governments_are_bound():
    """Self-regulation decides international issues through the industry and critical resources through the
    technical community: no state is bound there.  Where governments decide (all causers bound, so the firms'
    coverage is the share of jurisdictions that ratified) the same governments are bound, and with state harm on
    coverage counts both parts."""
    for regime in ("self_regulatory", "flexible", "centralised", "no_cooperation"):
        log = adopted(run(regime, 3, state_harm_share=ON))
        by_governments = log["venue"].isin(GOVERNMENTS_DECIDE)
        assert (log.loc[~by_governments, "states_bound"] == 0.0).all(), regime
        assert log.loc[by_governments, "states_bound"].between(0, 1).all()
        np.testing.assert_allclose(log.loc[by_governments, "states_bound"], log.loc[by_governments, "coverage"])
    selfreg = adopted(run("self_regulatory", 3, state_harm_share=ON))
    private = selfreg[selfreg["category"].isin(["international", "critical_resources"])]
    assert len(private) > 10 and (private["states_bound"] == 0).all() and (private["state_share"] > 0).all()
    assert (private["coverage"] <= 1.0 - private["state_share"] + 1e-12).all()  # the states' part is never bound


def test_a_government_that_legislates_binds_its_own_conduct():
    log = adopted(run("no_cooperation", 4, state_harm_share=ON))
    national = log[log["category"] == "national"]  # one jurisdiction: its government legislated
    assert len(national) > 5 and (national["states_bound"] == 1.0).all()
    assert (national["state_share"] == ON).all()


def test_state_harm_that_states_never_keep_is_never_removed():
    """With state_compliance 0 the state metric is the state share of every arrived issue's harm, every month."""
    model = run("flexible", 5, state_harm_share=ON, state_compliance=0.0)
    log, m = model.issue_log(), model.metrics()
    monthly = [(log["harm_rate"] * log["state_share"])[log["arrival"] <= t].sum() for t in m["step"]]
    np.testing.assert_allclose(m["state_harm"], np.cumsum(monthly), rtol=1e-12)
    assert m["state_harm"].iloc[-1] > 0


def test_harm_is_the_firms_part_plus_the_states_part_issue_by_issue():
    """The month's harm recomputed from the issue log and the bindings: sum of h (1 - E ((1 - sigma) A + sigma psi
    kappa_state)), with A the firms' harm-weighted compliance, as ODD §7.10a writes it."""
    psi = 0.6
    model = EnhancedCooperationModel("centralised", rng=6, state_harm_share=ON, state_compliance=psi, **SMALL)
    for _ in range(40):
        model.step()
    ledger, b = model.ledger, model.bindings
    k = ledger.arrived
    firms = np.bincount(b.issue, b.weight * b.complying, minlength=len(ledger))[:k]
    sigma, h, effect = ledger.state_share[:k], ledger.harm_rate[:k], ledger.effect[:k]
    expected = h @ (1 - effect * ((1 - sigma) * firms + sigma * psi * ledger.states_bound[:k]))
    assert model.metrics()["harm"].iloc[-1] == pytest.approx(expected, rel=1e-12)
    assert ((sigma > 0) & (ledger.states_bound[:k] > 0) & (effect > 0)).any()  # the states' term is at work


def test_state_harm_moves_harm_and_coverage_and_nothing_else():
    """States do not negotiate, ratify or comply differently with it on: every issue is decided as before, every
    firm decides as before; only harm, the states' part of it, and coverage (where no state is bound) move."""
    off, on = run("self_regulatory", 7, **BASE), run("self_regulatory", 7, **ALONE)
    log_off, log_on = off.issue_log(), on.issue_log()
    columns = ["coverage", "state_share"]
    pd.testing.assert_frame_equal(log_off.drop(columns=columns), log_on.drop(columns=columns))
    assert (log_on["coverage"] <= log_off["coverage"] + 1e-12).all()
    assert (log_on["coverage"] < log_off["coverage"]).any()
    m_off, m_on = off.metrics(), on.metrics()
    pd.testing.assert_frame_equal(m_off.drop(columns=MOVED), m_on.drop(columns=MOVED))
    assert (m_off["state_harm"] == 0).all() and m_on["state_harm"].iloc[-1] > 0


def test_harm_falls_as_states_keep_more_of_the_norms_that_bind_them():
    harms = [run("centralised", 8, **ALONE, state_compliance=c).cumulative_harm for c in (0, 0.5, 1)]
    assert harms[0] > harms[1] > harms[2]
    # Off, state_compliance does nothing at all.
    off = BASE | {"state_harm_share": 0.0}
    assert (
        run("centralised", 8, **off, state_compliance=0.0).cumulative_harm
        == run("centralised", 8, **off).cumulative_harm
    )


# ---------------------------------------------------------------------------------- the ablation
def test_ablation_off_gives_the_golden_numbers_and_on_moves_harm():
    """With state_harm_share 0 every metric equals the previous code's (tests/data/golden.json); with it on,
    harm differs for every regime and no metric of the golden set but harm and coverage moves."""
    from golden import ablation

    for regime, metrics, off, on in ablation("state_harm_share", ON):
        for key, value in metrics.items():
            if key not in MOVED:
                assert on[key] == pytest.approx(value, rel=1e-9, nan_ok=True), (regime, key)
        assert off["state_harm"] == 0.0 and on["state_harm"] > 0.0, regime
        assert on["cumulative_harm"] != off["cumulative_harm"], regime


def test_self_regulation_leaves_the_states_harm_that_regimes_of_governments_remove():
    """Paired on seeds, whatever states keep of the norms that bind them (the ends of state_compliance's plausible
    range): the self-regulatory regime, whose international and critical-resource norms are private, leaves more
    of the states' harm than the flexible and the centralised regimes, and its harm reduction against
    no_cooperation falls when state harm is turned on (seed 1g, 2a: the harm of governments needs
    government-to-government cooperation; self-regulation is no answer to it)."""
    for seed in (9, 10):
        base_off = run("no_cooperation", seed, **BASE).cumulative_harm
        selfreg_off = run("self_regulatory", seed, **BASE).cumulative_harm
        for compliance in (0.4, 1.0):
            on = {r: run(r, seed, **ALONE, state_compliance=compliance) for r in REGIMES}
            left = {r: m.cumulative_state_harm for r, m in on.items()}
            assert left["self_regulatory"] > max(left["flexible"], left["centralised"]), (seed, compliance, left)
            reduction_on = 1 - on["self_regulatory"].cumulative_harm / on["no_cooperation"].cumulative_harm
            assert reduction_on < 1 - selfreg_off / base_off, (seed, compliance)


# ---------------------------------------------------------------------------------- properties
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    share=st.floats(0.0, 1.0),
    compliance=st.floats(0.0, 1.0),
    regime=st.sampled_from(list(REGIMES)),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_states_part_of_harm_is_a_part_and_grows_with_their_share(share, compliance, regime, seed):
    params = dict(SMALL, steps=24, state_compliance=compliance)
    model = EnhancedCooperationModel(regime, rng=seed, state_harm_share=share, **params).run()
    m = model.metrics()
    assert (np.diff(m["state_harm"]) >= 0).all()
    assert (m["state_harm"] <= m["cumulative_harm"] + 1e-9).all()
    log = model.issue_log()
    assert log["state_share"].between(0, share).all() and log["states_bound"].between(0, 1).all()
    more = EnhancedCooperationModel(regime, rng=seed, state_harm_share=min(1.0, share + 0.25), **params).run()
    assert more.metrics()["state_harm"].iloc[-1] >= m["state_harm"].iloc[-1] - 1e-9


def test_the_odd_prints_the_declared_role_of_states():
    """docs/ODD.md §7.10a's table gives every category's declared role of states (the numbers)."""
    import re
    from pathlib import Path

    odd = (Path(__file__).parents[1] / "docs" / "ODD.md").read_text()
    section = odd[odd.index("### 7.10a State harm") : odd.index("### 7.11 Performance reports")]
    for category in CATEGORIES:
        row = re.search(rf"^\| `{category}` \| ([0-9.]+) ", section, re.M)
        assert row is not None, category
        assert float(row.group(1)) == role_of(category), category
