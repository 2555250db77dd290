"""Legitimacy and overreach (ODD §7.8c): a norm is kept and ratified as far as those it binds accept it, and a
venue that decides outside its remit loses standing.  Both switches on by default; off restores the base model bit
for bit, and each mechanism's tests run on the base model (conftest.BASE) with that mechanism alone turned on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import BASE, SMALL
from hypothesis import given
from hypothesis import strategies as st

from ecsim import REGIMES, EnhancedCooperationModel
from ecsim.model import compliance, legitimacy
from ecsim.model.bindings import Bindings
from ecsim.params import PARAMETERS

WEIGHT, BACKLASH = 0.3, 0.05  # plausible values with the switches on (declared ranges 0.1-0.5 and 0.01-0.1)
SWITCHES = {"legitimacy_weight": WEIGHT, "overreach_backlash": BACKLASH}
#: In the base model only these regimes decide outside a venue's remit: the central forum takes national and
#: technical issues, industry self-regulation international ones.
OVERREACHING = ("centralised", "self_regulatory")


def adopted(model: EnhancedCooperationModel) -> pd.DataFrame:
    log = model.issue_log()
    return log[log["outcome"] == "adopted"]


# ---------------------------------------------------------------------------------- the declaration
@pytest.mark.parametrize(("name", "on"), SWITCHES.items())
def test_each_switch_and_the_value_these_tests_turn_it_on_at(name, on):
    """The switches' contract is tested for every switch in tests/test_params.py; here, what is particular to them."""
    p = PARAMETERS[name]
    assert p.off == BASE[name] == 0.0 and p.plausible[0] < on < p.plausible[1]
    assert not [q for q in PARAMETERS.values() if q.switch == name]  # nothing acts only through it


@pytest.mark.parametrize("regime", REGIMES)
def test_which_regimes_overreach_in_the_base_model(regime):
    log = adopted(EnhancedCooperationModel(regime, rng=1, **SMALL, **BASE).run())
    overreach = log.loc[log["overreach"], "category"]
    expected = {"centralised": {"national", "technical_operational"}, "self_regulatory": {"international"}}
    assert set(overreach) == expected.get(regime, set())
    assert (log["standing"] == 1.0).all() and (log["refused"] == 0).all()  # switched off: recorded, never moved


# ---------------------------------------------------------------------------------- the pure functions
def test_a_venues_standing_falls_by_the_backlash_with_each_overreach_and_never_recovers():
    standing = legitimacy.Standing()
    assert standing.adopt("forum", False, BACKLASH) == 1.0
    carried = [standing.adopt("forum", True, BACKLASH) for _ in range(3)]
    np.testing.assert_allclose(carried, (1 - BACKLASH) ** np.arange(1, 4))
    assert standing.adopt("forum", False, BACKLASH) == pytest.approx((1 - BACKLASH) ** 3)  # no recovery
    assert standing.of("other") == 1.0  # each venue its own stock
    assert standing.adopt("forum", True, 0.0) == pytest.approx((1 - BACKLASH) ** 3)  # off: nothing moves


def test_a_government_ratifies_as_far_as_the_norm_is_legitimate_and_the_venue_stayed_in_its_remit():
    positions = np.array([0.5, 0.7, 1.0])
    np.testing.assert_array_equal(legitimacy.ratification_chance(positions, 0.5, 1.0, 0.0, False), 1.0)
    np.testing.assert_allclose(legitimacy.ratification_chance(positions, 0.5, 1.0, 0.4, False), [1.0, 0.92, 0.8])
    np.testing.assert_allclose(legitimacy.ratification_chance(positions, 0.5, 0.5, 0.0, True), 0.5)
    np.testing.assert_allclose(legitimacy.obligation(positions, 0.5, 0.5, 0.4), [0.2, 0.16, 0.1])


def test_compliance_with_a_norm_rises_with_its_legitimacy():
    """Two norms that differ only in the legitimacy their firms see: the more legitimate is kept more often."""
    n, b = 4000, Bindings()
    firms = np.arange(n)
    for issue, felt in ((0, 0.2), (1, 0.9)):
        b.add(issue, firms, np.ones(n) / n, np.ones(n), np.zeros(n), 0.2, False, WEIGHT * felt)
    sanction = np.array([2.0, 2.0])
    b.refresh_margins(sanction, 0.25)
    np.testing.assert_allclose(b.margin[:n], (1.0 * (1 - WEIGHT * 0.2) - 0.4) / 0.25)
    boldness = np.full(n, 0.5)
    compliance.decide(b, boldness, np.random.default_rng(0), 0.0)
    kept = [b.complying[:n].mean(), b.complying[n:].mean()]
    assert kept[1] > kept[0] + 0.1
    expected = [1 - 1 / (1 + np.exp(-(1 - WEIGHT * f - 0.4) / 0.25)) for f in (0.2, 0.9)]
    np.testing.assert_allclose(kept, expected, atol=0.03)


unit = st.floats(0.0, 1.0, allow_nan=False)


@given(position=unit, nearer=unit, stringency=unit, standing=unit, weight=unit, overreach=st.booleans(), draw=unit)
def test_ratification_chance_is_a_probability_that_rises_with_legitimacy_and_is_certain_when_off(
    position, nearer, stringency, standing, weight, overreach, draw
):
    near = stringency + (position - stringency) * nearer  # at most as far from the norm as position
    far, close = (
        legitimacy.ratification_chance(np.array([x]), stringency, standing, weight, overreach) for x in (position, near)
    )
    assert 0.0 <= far[0] <= close[0] + 1e-12 <= 1.0 + 1e-12
    obligation = legitimacy.obligation(np.array([position]), stringency, standing, weight)[0]
    assert 0.0 <= obligation <= weight * standing + 1e-12
    off = legitimacy.ratification_chance(np.array([position]), stringency, standing, 0.0, False)
    assert legitimacy.consents(np.array([min(draw, 0.999999)]), off).all()  # every signatory ratifies, as before


# ---------------------------------------------------------------------------------- the mechanism in runs
def test_legitimacy_offsets_more_of_the_gain_from_codes_firms_wrote_than_from_norms_governments_wrote():
    """A firm's felt obligation is λ x (1 - its distance from the norm): firms wrote the industry codes near their
    own positions, governments wrote the forum's norms far from them."""
    alone = BASE | {"legitimacy_weight": WEIGHT}
    runs = {r: EnhancedCooperationModel(r, rng=2, **SMALL, **alone).run() for r in OVERREACHING}
    for model in runs.values():
        assert ((model.bindings.obligation > 0) & (model.bindings.obligation <= WEIGHT)).all()
    code = runs["self_regulatory"].bindings
    codes = code.peer  # industry self-regulation: its firms enforce it among themselves
    assert code.obligation[codes].mean() > runs["centralised"].bindings.obligation.mean() + 0.02


@pytest.mark.parametrize("regime", ("flexible", "no_cooperation"))
def test_backlash_leaves_a_regime_that_never_overreaches_exactly_as_it_was(regime):
    off = EnhancedCooperationModel(regime, rng=3, **SMALL, **BASE).run()
    on = EnhancedCooperationModel(regime, rng=3, **SMALL, **BASE | {"overreach_backlash": 0.5}).run()
    pd.testing.assert_frame_equal(off.metrics(), on.metrics())
    pd.testing.assert_frame_equal(off.issue_log(), on.issue_log())


def test_the_central_forums_standing_falls_exactly_as_declared_and_governments_refuse_its_overreach():
    alone = BASE | {"overreach_backlash": BACKLASH}
    model = EnhancedCooperationModel("centralised", rng=4, **SMALL, **alone).run()
    log = adopted(model)
    over = log[log["overreach"]]
    n = len(over)
    assert n >= 10
    np.testing.assert_allclose(np.sort(over["standing"])[::-1], (1 - BACKLASH) ** np.arange(1, n + 1))
    assert model.standing.of("central_forum") == pytest.approx((1 - BACKLASH) ** n)
    assert (log.loc[~log["overreach"], "refused"] == 0).all()  # within its remit every signatory ratifies
    late = over["standing"] < 0.7
    assert over.loc[late, "refused"].sum() > 0 and over.loc[late, "refused"].mean() > over.loc[~late, "refused"].mean()


def test_with_both_on_the_central_forums_later_norms_are_kept_and_ratified_less():
    base = EnhancedCooperationModel("centralised", rng=5, **SMALL, **BASE | {"legitimacy_weight": WEIGHT}).run()
    both = EnhancedCooperationModel("centralised", rng=5, **SMALL, **BASE | SWITCHES).run()
    assert both.bindings.obligation.mean() < base.bindings.obligation.mean()
    assert adopted(both)["refused"].sum() > adopted(base)["refused"].sum()
    assert both.cumulative_harm > base.cumulative_harm


def test_legitimacy_makes_some_signatories_refuse_but_no_government_refuses_its_own_law():
    model = EnhancedCooperationModel("flexible", rng=6, **SMALL, **BASE | {"legitimacy_weight": 1.0}).run()
    log = adopted(model)
    by_venue = log.groupby("venue")["refused"].sum()
    assert by_venue["multilateral_forum"] > 0
    assert by_venue["national_legislatures"] == 0 and by_venue["industry_self_regulation"] == 0


def test_under_opt_in_governments_refuse_an_overreaching_industry_code():
    regime = REGIMES["self_regulatory"].with_dimensions(scope="opt_in")
    log = adopted(EnhancedCooperationModel(regime, rng=7, **SMALL, **BASE | {"overreach_backlash": 0.2}).run())
    assert log.loc[log["overreach"], "refused"].sum() > 0
    assert (log.loc[~log["overreach"], "refused"] == 0).all()


# ---------------------------------------------------------------------------------- the ablation
def test_ablation_legitimacy_off_gives_the_golden_numbers_and_on_compliance_rises_and_harm_falls_everywhere():
    """With legitimacy_weight 0 every metric equals the previous code's (tests/data/golden.json); on, every
    regime's firms keep their norms more and less harm is done (the baseline's too)."""
    from golden import ablation

    for regime, _, off, on in ablation("legitimacy_weight", WEIGHT):
        assert on["compliance"] > off["compliance"] + 0.02, regime
        assert on["cumulative_harm"] < off["cumulative_harm"], regime
        assert on["overreach"] == off["overreach"], regime


def test_ablation_backlash_off_gives_the_golden_numbers_and_on_only_the_central_forum_loses():
    """With overreach_backlash 0 every metric is the previous code's; on alone, the central forum loses coverage
    and removes less harm; no other regime moves (the flexible regime and the baseline never overreach, and
    industry codes are not ratified by governments under the default market-reach scope)."""
    from golden import ablation

    for regime, _, off, on in ablation("overreach_backlash", BACKLASH):
        if regime == "centralised":
            assert on["coverage"] < off["coverage"] and on["cumulative_harm"] > off["cumulative_harm"]
        else:
            assert on["cumulative_harm"] == off["cumulative_harm"] and on["coverage"] == off["coverage"], regime
