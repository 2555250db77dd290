"""Reports that revise both ways; norms that age (ODD §7.11a): two switches, on by default, off restores the base
model bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import BASE, SMALL
from hypothesis import given
from hypothesis import strategies as st

from ecsim import EnhancedCooperationModel
from ecsim.model import reports, revision
from ecsim.params import PARAMETERS, defaults

AGEING, RELAXING = 0.1, 0.2  # plausible values once on (declared ranges 0.05-0.2 per year, 0.1-0.3 per report)
LONGER = SMALL | {"steps": 120}  # ten years: norms have time to age
SWITCHES = {"norm_obsolescence": AGEING, "report_relaxation": RELAXING}
THROUGH = {"renewal_threshold": "norm_obsolescence", "harm_value": "report_relaxation"}
AGEING_ALONE = BASE | {"norm_obsolescence": AGEING}  # the base model plus one mechanism: isolates it
RELAXING_ALONE = BASE | {"report_relaxation": RELAXING}


def run(regime: str, seed: int, size: dict = SMALL, **params) -> EnhancedCooperationModel:
    return EnhancedCooperationModel(regime, rng=seed, **size, **params).run()


# ---------------------------------------------------------------------------------- the declaration
@pytest.mark.parametrize("name", SWITCHES)
def test_each_switch_and_what_acts_through_it(name):
    """The switches' contract is tested for every switch in tests/test_params.py; here, what is particular to them."""
    p = PARAMETERS[name]
    assert p.off == BASE[name] == 0.0 and p.plausible[0] <= SWITCHES[name] <= p.plausible[1]
    assert [q.name for q in PARAMETERS.values() if q.switch == name] == [o for o, s in THROUGH.items() if s == name]


# ---------------------------------------------------------------------------------- ageing
def test_the_share_a_norm_keeps_is_exactly_a_yearly_compounding_loss():
    assert revision.kept(0.0, 240) == 1.0 and revision.kept(AGEING, 0) == 1.0
    for years in range(6):
        assert revision.kept(AGEING, 12 * years) == pytest.approx((1 - AGEING) ** years, rel=1e-14)
    assert revision.kept(AGEING, 6) == pytest.approx(np.sqrt(1 - AGEING))


@given(rate=st.floats(0.0, 1.0), months=st.integers(0, 600), more=st.integers(0, 600))
def test_a_norm_never_gains_by_ageing_and_keeps_a_share_in_the_unit_interval(rate, months, more):
    share = revision.kept(rate, months)
    assert 0.0 <= share <= 1.0
    assert revision.kept(rate, months + more) <= share


def test_an_unrenewed_norm_keeps_exactly_its_initial_effect_times_the_yearly_loss():
    """No venue reports in the self-regulatory regime: every norm ages from its adoption.  Nothing but harm
    depends on a norm's effect, so the run with ageing off, on the same seed, gives each norm's initial effect."""
    off, on = run("self_regulatory", 3, LONGER, **BASE), run("self_regulatory", 3, LONGER, **AGEING_ALONE)
    log_off, log_on = off.issue_log(), on.issue_log()
    pd.testing.assert_frame_equal(log_off, log_on)
    adopted = log_on[log_on["outcome"] == "adopted"]
    assert len(adopted) > 20 and (adopted["renewals"] == 0).all()
    initial, effect = off.ledger.effect[adopted.index], on.ledger.effect[adopted.index]
    months = (LONGER["steps"] - adopted["agreed_at"]).to_numpy()
    np.testing.assert_allclose(effect, initial * (1 - AGEING) ** (months / 12), rtol=1e-12)
    whole_years = (months % 12 == 0).nonzero()[0]
    assert whole_years.size > 0
    for j in whole_years:
        assert effect[j] == pytest.approx(initial[j] * (1 - AGEING) ** (months[j] // 12), rel=1e-12)
    assert on.cumulative_harm > off.cumulative_harm


def test_reporting_venues_renew_their_aged_norms_and_the_others_never_do():
    off, on = run("flexible", 4, LONGER, **BASE), run("flexible", 4, LONGER, **AGEING_ALONE)
    log, initial = on.issue_log(), off.ledger.effect
    adopted = log[log["outcome"] == "adopted"]
    reporting = on.ledger.reporting[adopted.index]
    assert reporting.any() and (~reporting).any()
    assert (adopted.loc[~reporting, "renewals"] == 0).all()  # national legislatures do not report
    assert (adopted.loc[reporting, "renewals"] > 0).any()
    # A report renews a norm once it has lost renewal_threshold: no reporting venue's norm ever keeps less than
    # that, less what it lost in the year between two reports.
    floor = (1 - defaults()["renewal_threshold"]) * (1 - AGEING)
    kept = on.ledger.effect[adopted.index] / initial[adopted.index]
    assert (kept[reporting] >= floor - 1e-12).all()
    assert (kept[~reporting & (adopted["agreed_at"] <= 12).to_numpy()] < floor).all()
    # Each renewal costs one round of the norm's participants in a report step (once if the report also escalates).
    cost_on, cost_off = on.metrics()["negotiation_cost"], off.metrics()["negotiation_cost"]
    renewal_cost = (adopted["renewals"] * adopted["participants"]).sum()
    assert 0 < cost_on.sum() - cost_off.sum() <= renewal_cost
    assert (cost_on[cost_on.index % 12 != 0] == cost_off[cost_off.index % 12 != 0]).all()


def test_ageing_costs_harm_reduction_in_every_regime_and_most_where_venues_do_not_report():
    """Paired on seeds, harm reduction against no_cooperation (whose national laws age too) falls in every regime;
    in the flexible regime it falls more when its venues do not report, so reports are worth more with ageing."""
    size = LONGER | {"steps": 180}
    drop: dict[str, list[float]] = {}
    for seed in range(2):
        for ageing in (0.0, AGEING):
            alone = BASE | {"norm_obsolescence": ageing}
            base = run("no_cooperation", seed, size, **alone).cumulative_harm
            for name, regime, dims in [
                ("centralised", "centralised", {}),
                ("flexible", "flexible", {}),
                ("self_regulatory", "self_regulatory", {}),
                ("flexible, no reports", "flexible", {"reporting": "none"}),
            ]:
                reduction = 1 - run(regime, seed, size, **alone, **dims).cumulative_harm / base
                drop.setdefault(name, []).append(reduction if ageing else -reduction)
    change = {name: sum(values) / 2 for name, values in drop.items()}
    assert all(value < 0 for value in change.values()), change
    assert change["flexible, no reports"] < change["flexible"] - 0.02, change


# ---------------------------------------------------------------------------------- relaxation
def at_report(seed: int, **params) -> EnhancedCooperationModel:
    """A flexible run stopped before the review of its third annual report (step 36)."""
    model = EnhancedCooperationModel("flexible", rng=seed, **LONGER, **params)
    for _ in range(35):
        model.step()
    now = model._start_step() + 1
    model.steps += 1
    for stage in (model.raise_issues, model.fill_agendas, model.negotiate, model.comply):
        stage(now)
    return model


def test_a_report_relaxes_exactly_the_norms_that_cost_more_than_the_harm_they_remove_is_worth():
    model = at_report(5, **BASE)
    ledger, b, p = model.ledger, model.bindings, model.params | {"report_relaxation": RELAXING}
    cost, removed = revision.compliance_cost(ledger, b), revision.harm_removed(ledger, b, p["state_compliance"])
    costly = revision.too_costly(ledger, b, p)
    adopted = ledger.reporting & (ledger.agreed_at >= 0)
    assert costly.size > 0 and (adopted & ~np.isin(np.arange(len(ledger)), costly)).any()
    assert (cost[costly] > p["harm_value"] * removed[costly]).all()
    kept = np.setdiff1d(adopted.nonzero()[0], costly)
    assert (cost[kept] <= p["harm_value"] * removed[kept]).all()
    before, gain, revisions = ledger.stringency.copy(), b.gain.copy(), ledger.revisions.copy()
    reports.review(ledger, b, p, 36)
    escalated = (ledger.revisions > revisions).nonzero()[0]
    relaxed = np.setdiff1d(costly, escalated)
    assert relaxed.size > 0
    np.testing.assert_array_equal(ledger.relaxations[relaxed], 1)
    np.testing.assert_allclose(ledger.stringency[relaxed], (1 - RELAXING) * before[relaxed], rtol=1e-15)
    unchanged = np.setdiff1d(np.arange(len(ledger)), relaxed)
    np.testing.assert_array_equal(ledger.stringency[unchanged], before[unchanged])  # NaN without a norm
    rows = np.isin(b.issue, relaxed)
    np.testing.assert_allclose(b.gain[rows], (1 - RELAXING) * gain[rows], rtol=1e-15)
    np.testing.assert_array_equal(b.gain[~rows], gain[~rows])


@pytest.mark.parametrize("seed", range(2))
def test_relaxation_only_lowers_stringency_by_the_share_per_report_and_only_at_reporting_venues(seed):
    """Draws do not depend on decisions, so on the same seed the norms adopted are the same: each relaxed norm's
    stringency is its adopted stringency times (1 - share) per relaxation, never more."""
    off, on = run("flexible", seed, LONGER, **BASE), run("flexible", seed, LONGER, **RELAXING_ALONE)
    log_off, log_on = off.issue_log(), on.issue_log()
    adopted = log_on["outcome"] == "adopted"
    assert (log_on.loc[adopted, "relaxations"] > 0).any()
    assert (log_on.loc[~on.ledger.reporting[: len(log_on)], "relaxations"] == 0).all()
    expected = log_off["stringency"] * (1 - RELAXING) ** log_on["relaxations"]
    np.testing.assert_allclose(log_on.loc[adopted, "stringency"], expected[adopted], rtol=1e-12)
    assert (log_on.loc[adopted, "stringency"] <= log_off.loc[adopted, "stringency"]).all()
    assert on.metrics()["compliance"].iloc[-1] > off.metrics()["compliance"].iloc[-1]


# ---------------------------------------------------------------------------------- the ablation
def test_ablation_off_gives_the_golden_numbers_and_on_ageing_raises_harm_everywhere_and_relaxation_where_reported():
    """With either switch at 0 every metric equals the previous code's (tests/data/golden.json).  With ageing on,
    cumulative harm rises in every regime (the baseline's national laws age too) and only the flexible regime,
    whose venues report, pays renewals; with relaxation on, only the flexible regime moves: lighter norms, better
    complied with, remove less harm, and each relaxation costs a round."""
    from golden import ablation

    for regime, _, off, on in ablation("norm_obsolescence", AGEING):
        assert on["cumulative_harm"] > off["cumulative_harm"], regime
        more = on["negotiation_cost"] > off["negotiation_cost"]
        assert more if regime == "flexible" else on["negotiation_cost"] == off["negotiation_cost"], regime
    for regime, _, off, on in ablation("report_relaxation", RELAXING):
        if regime == "flexible":
            assert on["compliance"] > off["compliance"] and on["cumulative_harm"] > off["cumulative_harm"]
        else:
            assert on.equals(off), regime
