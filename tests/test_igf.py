"""The IGF as a learning forum (ODD §7.8b): it decides nothing; its discussions narrow disagreement and spread
knowledge.  On by default, and off restores the base model bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import BASE, SMALL
from hypothesis import given
from hypothesis import strategies as st

from ecsim import REGIMES, EnhancedCooperationModel, Regime
from ecsim.model import igf
from ecsim.model.negotiation import NegotiationTable
from ecsim.model.norms import quality
from ecsim.model.regimes import NATIONAL, TECHNICAL_COMMUNITY
from ecsim.params import CATEGORIES, PARAMETERS

ON = 0.2  # a plausible value with the IGF on (its declared range is 0.05-0.3 per annual session)
#: Few negotiations at once: issues wait in the queue, so many are discussed before their negotiation opens.
#: No delegation limit: a table's deciders are the same whenever it opens, so runs pair issue by issue.
CONGESTED = SMALL | {"negotiation_budget": 3, "delegation_capacity": 10_000, "steps": 120}
WITH_IGF = ("centralised", "flexible", "self_regulatory")
ALONE = BASE | {"igf_learning": ON}  # the base model plus the IGF alone: isolates the mechanism


class Watched(EnhancedCooperationModel):
    """The model, noting each negotiation's positions as its table opens (after any narrowing by the IGF)."""

    def open_negotiation(self, issue, venue, now):
        seat = super().open_negotiation(issue, venue, now)
        if not hasattr(self, "opened"):
            self.opened: dict[int, tuple[int, np.ndarray]] = {}
        self.opened[issue.id] = (int(self.ledger.igf_discussed[issue.id]), self.table.positions_of(issue.id))
        return seat


def decided(model: EnhancedCooperationModel) -> pd.DataFrame:
    log = model.issue_log()
    return log[log["outcome"].isin(["adopted", "failed"])].set_index("id")


# ---------------------------------------------------------------------------------- the declaration
def test_the_switch_and_the_value_these_tests_turn_it_on_at():
    """The switch's contract is tested for every switch in tests/test_params.py; here, what is particular to it."""
    p = PARAMETERS["igf_learning"]
    assert p.off == BASE["igf_learning"] == 0.0 and p.plausible[0] < ON < p.plausible[1]
    assert not [q for q in PARAMETERS.values() if q.switch == "igf_learning"]  # nothing acts only through it


def test_the_igf_accompanies_enhanced_cooperation_on_public_policy_and_is_absent_from_the_baseline():
    assert [name for name, regime in REGIMES.items() if igf.present(regime)] == list(WITH_IGF)
    assert not igf.present(REGIMES["flexible"].with_dimensions(routing="national_only"))
    # Operators settling technical matters are not enhanced cooperation on public policy: no IGF.
    routes = dict.fromkeys(CATEGORIES, NATIONAL) | {"technical_operational": TECHNICAL_COMMUNITY}
    assert not igf.present(Regime("national", routes))
    assert igf.present(Regime("one", routes | {"international": TECHNICAL_COMMUNITY}))


def test_learning_compounds_and_is_exactly_nothing_when_off_or_undiscussed():
    assert igf.learned(0.0, 5) == 0.0 and igf.learned(ON, 0) == 0.0
    assert igf.learned(ON, 1) == pytest.approx(ON)
    assert igf.learned(ON, 3) == pytest.approx(1 - (1 - ON) ** 3)
    assert igf.learned(1.0, 1) == 1.0


# ---------------------------------------------------------------------------------- narrowing at a table
def test_narrowing_keeps_the_centre_of_the_table_and_shrinks_its_spread():
    table = NegotiationTable(0.1, 0.15)
    a, b = np.array([0.1, 0.5, 0.9]), np.array([0.2, 0.8])
    table.open(
        key=1,
        rule="consensus",
        positions=a,
        weights=np.array([1.0, 2.0, 1.0]),
        anchor=np.nan,
        consultation_weight=0.2,
        deadline=36,
    )
    table.open(
        key=2, rule="consensus", positions=b, weights=np.ones(2), anchor=np.nan, consultation_weight=0.2, deadline=36
    )
    table.narrow(np.array([1]), 0.25)
    narrowed, untouched = table.positions_of(1), table.positions_of(2)
    np.testing.assert_allclose(narrowed, 0.5 + 0.75 * (a - 0.5))
    np.testing.assert_array_equal(untouched, b)
    table.narrow(np.array([1, 2]), 0.0)  # nothing learned: nothing moves
    np.testing.assert_array_equal(table.positions_of(1), narrowed)
    assert table.positions_of(3).size == 0


@given(
    positions=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=10),
    weights=st.lists(st.floats(0.01, 5.0), min_size=10, max_size=10),
    share=st.floats(0.0, 1.0),
)
def test_a_narrowed_table_keeps_its_weighted_mean_stays_in_the_unit_interval_and_shrinks_by_the_share(
    positions, weights, share
):
    x, w = np.array(positions), np.array(weights[: len(positions)])
    table = NegotiationTable(0.1, 0.15)
    table.open(
        key=7, rule="simple_majority", positions=x, weights=w, anchor=np.nan, consultation_weight=0.0, deadline=36
    )
    table.narrow(np.array([7]), share)
    y = table.positions_of(7)
    assert ((y >= 0.0) & (y <= 1.0)).all()
    assert np.average(y, weights=w) == pytest.approx(np.average(x, weights=w), abs=1e-12)
    assert np.ptp(y) == pytest.approx((1.0 - share) * np.ptp(x), abs=1e-12)


# ---------------------------------------------------------------------------------- the mechanism
@pytest.mark.parametrize("regime", WITH_IGF)
def test_an_issue_discussed_while_it_waited_opens_with_a_narrower_spread_and_takes_no_more_rounds(regime):
    """Paired on the seed: the same issue, the same deciders, the same drawn positions; with the IGF on, those
    discussed before their negotiation opened start with their spread shrunk by exactly (1 - learning) per
    session, and the issues the IGF discussed take fewer rounds on average."""
    rounds_on, rounds_off = [], []
    for seed in range(3):
        off = Watched(regime, rng=seed, **CONGESTED, **BASE).run()
        on = Watched(regime, rng=seed, **CONGESTED, **ALONE).run()
        waited = [i for i, (n, x) in on.opened.items() if n > 0 and i in off.opened and x.size > 1]
        assert len(waited) >= 10
        for i in waited:
            sessions, x_on = on.opened[i]
            assert off.opened[i][0] == 0
            np.testing.assert_allclose(np.std(x_on), (1 - ON) ** sessions * np.std(off.opened[i][1]), atol=1e-12)
        log_on, log_off = decided(on), decided(off)
        discussed = log_on.index[log_on["igf_discussed"] > 0].intersection(log_off.index)
        rounds_on.append(log_on.loc[discussed, "rounds"].mean())
        rounds_off.append(log_off.loc[discussed, "rounds"].mean())
    assert np.mean(rounds_on) < np.mean(rounds_off)


def test_a_discussed_issues_norm_has_higher_quality_by_the_knowledge_the_igf_spread():
    """Without technical bodies the old quality is 1 - complexity; each discussion closes ON of that gap."""
    no_experts = SMALL | {"n_technical": 0}
    off = decided(EnhancedCooperationModel("flexible", rng=8, **no_experts, **BASE).run())
    on = decided(EnhancedCooperationModel("flexible", rng=8, **no_experts, **ALONE).run())
    adopted = on.index[(on["outcome"] == "adopted") & (on["igf_discussed"] > 0)]
    adopted = adopted.intersection(off.index[off["outcome"] == "adopted"])
    assert len(adopted) > 10
    n, complexity = on.loc[adopted, "igf_discussed"], on.loc[adopted, "complexity"]
    np.testing.assert_allclose(on.loc[adopted, "quality"], 1.0 - complexity * (1 - ON) ** n)
    assert (on.loc[adopted, "quality"] > off.loc[adopted, "quality"]).all()
    undiscussed = on.index[(on["outcome"] == "adopted") & (on["igf_discussed"] == 0)]
    assert (on.loc[undiscussed, "quality"] == 1.0 - on.loc[undiscussed, "complexity"]).all()


@pytest.mark.parametrize("mechanisms", [ALONE, {}], ids=["alone", "defaults"])
def test_the_igf_discusses_each_open_public_policy_issue_once_a_year_until_it_is_decided(mechanisms):
    """Alone, and with every mechanism on: there a failed issue that returns (return_delay) is not open between
    its failure and its return, which the log does not date, so it is discussed at most once a year."""
    model = EnhancedCooperationModel("centralised", rng=3, **SMALL, **mechanisms).run()
    log = model.issue_log()
    sessions = np.arange(igf.SESSION_INTERVAL, SMALL["steps"] + 1, igf.SESSION_INTERVAL)
    technical = log["category"] == "technical_operational"
    assert (log.loc[technical, "igf_discussed"] == 0).all()  # Tunis §77: not day-to-day technical operations
    adopted = log[(log["outcome"] == "adopted") & ~technical]
    assert (adopted["returns"] == 0).sum() > 20
    for _, issue in adopted.iterrows():  # raised in stage 1, decided in stage 3, discussed in stage 6 of a step
        expected = np.count_nonzero((sessions >= issue["arrival"]) & (sessions < issue["agreed_at"]))
        if issue["returns"] == 0:
            assert issue["igf_discussed"] == expected, issue["id"]
        else:
            assert issue["igf_discussed"] <= expected, issue["id"]
    assert (adopted["igf_discussed"] > 0).any()
    assert model.metrics()["igf_discussions"].iloc[-1] == log["igf_discussed"].sum()
    assert (np.diff(model.metrics()["igf_discussions"]) >= 0).all()


@pytest.mark.parametrize("regime", REGIMES)
def test_nothing_is_discussed_when_the_switch_is_off(regime):
    """Off with every other mechanism on: none of them holds an IGF session."""
    model = EnhancedCooperationModel(regime, rng=4, **SMALL, igf_learning=0.0).run()
    assert (model.issue_log()["igf_discussed"] == 0).all()
    assert (model.metrics()["igf_discussions"] == 0).all()


@pytest.mark.parametrize("mechanisms", [BASE, {}], ids=["base", "defaults"])
def test_the_baseline_has_no_igf_so_switching_it_on_changes_nothing_there(mechanisms):
    """Alone, and with every other mechanism on."""
    off = EnhancedCooperationModel("no_cooperation", rng=5, **SMALL, **mechanisms | {"igf_learning": 0.0}).run()
    on = EnhancedCooperationModel("no_cooperation", rng=5, **SMALL, **mechanisms | {"igf_learning": 0.3}).run()
    pd.testing.assert_frame_equal(off.metrics(), on.metrics())
    pd.testing.assert_frame_equal(off.issue_log(), on.issue_log())
    assert (on.issue_log()["igf_discussed"] == 0).all()


# ---------------------------------------------------------------------------------- the ablation
def test_ablation_off_gives_the_golden_numbers_and_on_agreement_is_faster_and_harm_lower():
    """With igf_learning 0 every metric equals the previous code's (tests/data/golden.json); with it on, in every
    regime with an IGF, issues are agreed sooner and less harm is done; the baseline does not move."""
    from golden import ablation

    for regime, _, off, on in ablation("igf_learning", ON):
        if regime in WITH_IGF:
            assert on["time_to_agreement"] < off["time_to_agreement"], regime
            assert on["cumulative_harm"] < off["cumulative_harm"], regime
            assert on["igf_discussions"] > 0 == off["igf_discussions"], regime
        else:
            assert on["cumulative_harm"] == off["cumulative_harm"] and on["igf_discussions"] == 0


# ---------------------------------------------------------------------------------- properties
unit = st.floats(0.0, 1.0, allow_nan=False)


@given(complexity=unit, expertise=unit, fit=unit, weight=unit, learned=unit, more=unit)
def test_quality_rises_with_what_the_igf_taught_and_is_the_old_quality_without_it(
    complexity, expertise, fit, weight, learned, more
):
    q = quality(complexity, expertise, fit, weight, learned)
    assert 0.0 <= q <= 1.0
    assert quality(complexity, expertise, fit, weight, max(learned, more)) >= q
    assert quality(complexity, expertise, fit, weight, 0.0) == quality(complexity, expertise, fit, weight)
    assert quality(complexity, expertise, fit, 0.0, 1.0) == 1.0  # all the knowledge the issue needs
