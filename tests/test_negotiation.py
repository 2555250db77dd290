"""Negotiation: time to agreement grows with the number and spread of deciders and with congestion."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import SMALL

from ecsim import EnhancedCooperationModel
from ecsim.model.negotiation import LEGISLATION_THRESHOLD, Negotiation, meets_rule


def negotiate(positions, rule="consensus", weights=None, anchor=float("nan"), deadline=200, **kw):
    """Play a negotiation to its end; return (outcome, rounds, negotiation)."""
    positions = np.asarray(positions, dtype=float)
    neg = Negotiation(
        issue_id=0,
        rule=rule,
        deciders=np.arange(positions.size),
        weights=np.ones(positions.size) if weights is None else np.asarray(weights, dtype=float),
        positions=positions.copy(),
        anchor=anchor,
        consultation_weight=kw.pop("consultation_weight", 0.2),
        tolerance=kw.pop("tolerance", 0.1),
        concession_rate=kw.pop("concession_rate", 0.15),
        deadline=deadline,
        **kw,
    )
    while (outcome := neg.round()) is None:
        pass
    return outcome, neg.rounds, neg


def mean_rounds(n, spread, rule="consensus", trials=200, seed=0):
    rng = np.random.default_rng(seed)
    return np.mean([negotiate(np.clip(0.5 + spread * rng.standard_normal(n), 0, 1), rule)[1] for _ in range(trials)])


def test_more_deciders_take_longer_to_agree():
    rounds = [mean_rounds(n, 0.15) for n in (2, 10, 50, 200)]
    assert all(a < b for a, b in itertools.pairwise(rounds)), rounds


def test_more_heterogeneous_deciders_take_longer_to_agree():
    rounds = [mean_rounds(20, s) for s in (0.05, 0.15, 0.3)]
    assert all(a < b for a, b in itertools.pairwise(rounds)), rounds


def test_consensus_is_slower_than_qualified_majority_is_slower_than_simple_majority():
    rounds = [mean_rounds(50, 0.2, rule) for rule in ("consensus", "qualified_majority", "simple_majority")]
    assert rounds[0] > rounds[1] > rounds[2], rounds


def test_identical_positions_agree_at_once_on_that_position():
    outcome, rounds, neg = negotiate([0.4] * 5)
    assert (outcome, rounds) == ("adopted", 1) and neg.proposal == pytest.approx(0.4)
    assert neg.supporters.all()


def test_consulted_stakeholders_pull_the_proposal():
    _, _, alone = negotiate([0.3, 0.35])
    _, _, consulted = negotiate([0.3, 0.35], anchor=0.9, consultation_weight=0.2)
    assert consulted.proposal > alone.proposal


def test_market_share_weights_let_large_firms_carry_the_decision():
    # One giant (weight 0.8) against four small firms far away: the giant's view is adopted
    # under a market-share majority, and the small firms are not among the supporters.
    weights = [0.8, 0.05, 0.05, 0.05, 0.05]
    outcome, _, neg = negotiate([0.2, 0.9, 0.9, 0.9, 0.9], "market_share_majority", weights)
    assert outcome == "adopted" and neg.proposal < 0.4
    assert neg.supporters.tolist() == [True, False, False, False, False]
    # The same positions under consensus end in a compromise that everyone accepts.
    outcome, _, neg = negotiate([0.2, 0.9, 0.9, 0.9, 0.9], "consensus", weights)
    assert outcome == "adopted" and neg.supporters.all()


def test_deadline_ends_a_negotiation_as_a_failure():
    outcome, rounds, _ = negotiate([0.0, 1.0], concession_rate=0.0, deadline=7)
    assert (outcome, rounds) == ("failed", 7)


def test_rules():
    accept, w = np.array([True, True, False]), np.ones(3)
    assert not meets_rule("consensus", accept, w)
    assert meets_rule("qualified_majority", accept, w)
    assert not meets_rule("simple_majority", np.array([True, False]), np.ones(2))  # a tie is not a majority
    assert meets_rule("market_share_majority", np.array([True, False]), np.array([0.7, 0.3]))


def test_unilateral_legislation_waits_the_lag_and_binds_only_willing_governments():
    positions = [0.2, LEGISLATION_THRESHOLD, 0.9]
    outcome, rounds, neg = negotiate(positions, "unilateral", lag=6)
    assert (outcome, rounds) == ("adopted", 7)
    assert neg.supporters.tolist() == [False, True, True]
    assert neg.proposal == pytest.approx((LEGISLATION_THRESHOLD + 0.9) / 2)
    assert negotiate([0.1, 0.2], "unilateral", lag=0)[0] == "failed"


def test_no_deciders_fails_at_once():
    assert negotiate([], "consensus")[:2] == ("failed", 1)


# --- in the model -----------------------------------------------------------------------------


def mean_rounds_in_model(regime, seeds=range(4), **params):
    logs = [EnhancedCooperationModel(regime=regime, rng=s, **(SMALL | params)).run().issue_log() for s in seeds]
    log = np.concatenate([lg.loc[lg["outcome"] == "adopted", "rounds"].to_numpy() for lg in logs])
    return log.mean()


def test_in_the_model_a_larger_forum_negotiates_longer():
    few = mean_rounds_in_model("centralised", n_governments=10, agenda_capacity=50)
    many = mean_rounds_in_model("centralised", n_governments=150, agenda_capacity=50)
    assert many > few


def test_in_the_model_wider_preferences_slow_agreement():
    narrow = mean_rounds_in_model("flexible", preference_spread=0.05)
    wide = mean_rounds_in_model("flexible", preference_spread=0.3)
    assert wide > narrow


def test_agenda_congestion_delays_agreement():
    def time_to_agreement(capacity):
        runs = [
            EnhancedCooperationModel("centralised", rng=s, **(SMALL | {"agenda_capacity": capacity})).run()
            for s in range(3)
        ]
        return np.nanmean([m.issue_log()["time_to_agreement"].mean() for m in runs])

    congested, roomy = time_to_agreement(1), time_to_agreement(40)
    assert congested > 2 * roomy
