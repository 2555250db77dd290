"""Negotiation: time to agreement grows with the number and spread of deciders and with congestion."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import SMALL
from hypothesis import given, settings
from hypothesis import strategies as st

from ecsim import EnhancedCooperationModel
from ecsim.model.negotiation import LEGISLATION_THRESHOLD, THRESHOLDS, NegotiationTable, feasible_point, legislate


def table_for(tolerance=0.1, concession_rate=0.15):
    return NegotiationTable(tolerance=tolerance, concession_rate=concession_rate)


def play_out(table):
    """Play rounds until the table is empty; return the outcomes by key."""
    ended = {}
    while len(table):
        ended.update({o.key: o for o in table.play_round()})
    return ended


def negotiate(positions, rule="consensus", weights=None, anchor=float("nan"), deadline=200, **kw):
    """Play one negotiation to its end; return (outcome, rounds, Outcome)."""
    positions = np.asarray(positions, dtype=float)
    table = table_for(kw.pop("tolerance", 0.1), kw.pop("concession_rate", 0.15))
    table.open(
        key=0,
        rule=rule,
        positions=positions,
        weights=np.ones(positions.size) if weights is None else np.asarray(weights, dtype=float),
        anchor=anchor,
        consultation_weight=kw.pop("consultation_weight", 0.2),
        deadline=deadline,
    )
    result = play_out(table)[0]
    return ("adopted" if result.adopted else "failed"), result.rounds, result


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


@pytest.mark.parametrize(
    ("rule", "positions", "weights", "adopted"),
    [
        ("consensus", [0.5, 0.5, 0.9], None, False),  # one dissenter blocks consensus
        ("qualified_majority", [0.5, 0.5, 0.5, 0.9], None, True),  # 3/4 >= 2/3
        ("qualified_majority", [0.5, 0.5, 0.9, 0.9], [1.0, 1.0, 1.1, 1.1], False),
        ("simple_majority", [0.5, 0.9], None, False),  # a tie is not a majority
        ("simple_majority", [0.5, 0.5, 0.9], None, True),
        ("market_share_majority", [0.5, 0.9], [0.7, 0.3], True),
        ("market_share_majority", [0.5, 0.9], [0.6, 0.4], False),
    ],
)
def test_decision_rules_in_the_first_round(rule, positions, weights, adopted):
    # No concession (rate 0) and a one-round deadline: the first round decides.
    outcome, rounds, _ = negotiate(positions, rule, weights, concession_rate=0.0, deadline=1, tolerance=0.15)
    assert (outcome == "adopted") is adopted and rounds == 1
    assert set(THRESHOLDS) == {"consensus", "qualified_majority", "market_share_majority", "simple_majority"}


def test_national_legislation_binds_only_willing_governments():
    result = legislate(3, np.array([0.2, LEGISLATION_THRESHOLD, 0.9]), rounds=7)
    assert result.adopted and (result.key, result.rounds) == (3, 7)
    assert result.supporters.tolist() == [False, True, True]
    assert result.proposal == pytest.approx((LEGISLATION_THRESHOLD + 0.9) / 2)
    assert not legislate(3, np.array([0.1, 0.2]), rounds=1).adopted


def test_no_deciders_fails_at_once():
    assert negotiate([], "consensus")[:2] == ("failed", 1)


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="rule 'unilateral' is not one of"):
        table_for().open(
            key=0,
            rule="unilateral",
            positions=np.ones(2),
            weights=np.ones(2),
            anchor=0.5,
            consultation_weight=0.2,
            deadline=5,
        )


@settings(max_examples=40, deadline=None)
@given(
    specs=st.lists(
        st.tuples(
            st.lists(st.floats(0, 1), min_size=0, max_size=12),
            st.sampled_from(sorted(THRESHOLDS)),
            st.one_of(st.just(float("nan")), st.floats(0, 1)),
            st.integers(1, 30),
            st.integers(0, 5),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_negotiations_sharing_a_table_end_as_they_would_alone(specs):
    """Vectorising over negotiations changes nothing: each ends exactly as it would alone."""

    def open_all(table, items):
        for key, (positions, rule, anchor, deadline, _) in items:
            table.open(
                key=key,
                rule=rule,
                positions=np.array(positions),
                weights=np.ones(len(positions)) + key,
                anchor=anchor,
                consultation_weight=0.3,
                deadline=deadline,
            )

    alone = {}
    for key, spec in enumerate(specs):
        table = table_for()
        open_all(table, [(key, spec)])
        alone.update(play_out(table))
    shared, table, ended = {}, table_for(), {}
    # Negotiations join the shared table at different rounds (spec[4] rounds late).
    waiting = dict(enumerate(specs))
    rnd = 0
    while waiting or len(table):
        open_all(table, [(k, sp) for k, sp in waiting.items() if sp[4] == rnd])
        waiting = {k: sp for k, sp in waiting.items() if sp[4] != rnd}
        ended.update({o.key: o for o in table.play_round()})
        rnd += 1
    shared = ended
    assert shared.keys() == alone.keys()
    for key, a in alone.items():
        b = shared[key]
        assert (a.adopted, a.rounds, a.supporters.tolist()) == (b.adopted, b.rounds, b.supporters.tolist())
        assert a.proposal == pytest.approx(b.proposal, nan_ok=True, abs=1e-12)


# --- in the model -----------------------------------------------------------------------------


def mean_rounds_in_model(regime, seeds=range(4), **params):
    logs = [EnhancedCooperationModel(regime=regime, rng=s, **(SMALL | params)).run().issue_log() for s in seeds]
    log = np.concatenate([lg.loc[lg["outcome"] == "adopted", "rounds"].to_numpy() for lg in logs])
    return log.mean()


def test_in_the_model_a_larger_forum_negotiates_longer():
    few = mean_rounds_in_model("centralised", n_governments=10, negotiation_budget=50, delegation_capacity=1e4)
    many = mean_rounds_in_model("centralised", n_governments=150, negotiation_budget=50, delegation_capacity=1e4)
    assert many > few


def test_in_the_model_wider_preferences_slow_agreement():
    narrow = mean_rounds_in_model("flexible", preference_spread=0.05)
    wide = mean_rounds_in_model("flexible", preference_spread=0.3)
    assert wide > narrow


def test_agenda_congestion_delays_agreement():
    def time_to_agreement(capacity):
        runs = [
            EnhancedCooperationModel("centralised", rng=s, **(SMALL | {"negotiation_budget": capacity})).run()
            for s in range(3)
        ]
        return np.nanmean([m.issue_log()["time_to_agreement"].mean() for m in runs])

    congested, roomy = time_to_agreement(1), time_to_agreement(40)
    assert congested > 2 * roomy


# --- other negotiation protocols (negotiation_protocol) ----------------------------------------------


def play(positions, rule, protocol, weights=None, deadline=60, seed=0, **kw):
    table = NegotiationTable(
        kw.pop("tolerance", 0.1),
        kw.pop("concession_rate", 0.15),
        protocol=protocol,
        confidence_bound=kw.pop("confidence_bound", 0.2),
        rng=np.random.default_rng(seed),
    )
    positions = np.asarray(positions, dtype=float)
    table.open(
        key=0,
        rule=rule,
        positions=positions,
        weights=np.ones(positions.size) if weights is None else np.asarray(weights, float),
        anchor=float("nan"),
        consultation_weight=0.0,
        deadline=deadline,
    )
    return play_out(table)[0]


def test_feasible_point_is_the_closest_point_the_rule_accepts():
    x, w = np.array([0.2, 0.5, 0.8]), np.ones(3) / 3
    assert feasible_point(x, w, 0.2, 0.2, "simple_majority") == pytest.approx(0.3)  # covers 0.2 and 0.5
    assert feasible_point(x, w, 0.8, 0.2, "simple_majority") == pytest.approx(0.7)
    assert feasible_point(x, w, 0.5, 0.2, "simple_majority") == pytest.approx(0.4)  # 0.4 and 0.6 tie: the lower
    assert feasible_point(x, w, 0.35, 0.2, "simple_majority") == 0.35  # the ideal itself passes
    assert feasible_point(x, w, 0.2, 0.3, "consensus") == pytest.approx(0.5)  # max - tol = min + tol = 0.5
    assert feasible_point(x, w, 0.2, 0.1, "consensus") == 0.2  # nothing passes: the ideal is tabled


def test_agenda_setter_bargaining_agrees_at_once_with_a_proposer_advantage():
    # Three deciders, simple majority: whoever is recognised gets the feasible point nearest its view.
    proposals = {
        round(play([0.2, 0.5, 0.8], "simple_majority", "bargaining", tolerance=0.2, seed=s).proposal, 6)
        for s in range(40)
    }
    assert proposals == {0.3, 0.4, 0.7}
    result = play([0.2, 0.5, 0.8], "simple_majority", "bargaining", tolerance=0.2, seed=1)
    assert result.adopted and result.rounds == 1  # first-round agreement, as in Baron & Ferejohn
    # The same deciders under concession settle on the centre instead.
    assert play([0.2, 0.5, 0.8], "simple_majority", "concession", tolerance=0.2).proposal == pytest.approx(0.5)


def test_bounded_confidence_reaches_consensus_or_fragments_by_the_bound():
    far_apart = [0.1, 0.12, 0.15, 0.85, 0.88, 0.9]
    split = play(far_apart, "consensus", "bounded_confidence", confidence_bound=0.2, deadline=30)
    assert not split.adopted and split.rounds == 30  # two camps never hear each other
    joined = play(far_apart, "consensus", "bounded_confidence", confidence_bound=0.8, deadline=30)
    assert joined.adopted and joined.rounds <= 3
    assert joined.proposal == pytest.approx(np.mean(far_apart), abs=0.05)


@pytest.mark.parametrize("mechanisms", ["base", "defaults"])
def test_protocol_choice_reaches_the_model(mechanisms):
    from conftest import BASE, SMALL

    from ecsim import EnhancedCooperationModel

    # With the defaults' sessions (a round every session_interval months), 60 months hold 15 rounds: a deadline
    # of 8 rounds lets negotiations time out within the run, as the base model's 36 monthly rounds do.
    params = SMALL | (BASE if mechanisms == "base" else {"negotiation_deadline": 8})
    models = {
        p: EnhancedCooperationModel("centralised", rng=2, negotiation_protocol=p, **params).run()
        for p in ("concession", "bounded_confidence", "bargaining")
    }
    logs = {p: model.issue_log() for p, model in models.items()}
    adopted = {p: log[log.outcome == "adopted"] for p, log in logs.items()}
    assert adopted["bargaining"]["rounds"].mean() < adopted["concession"]["rounds"].mean()
    # Bounded confidence fragments: negotiations run out of time that concession brings to agreement.  Every
    # failure counts, those of issues raised again too (ODD §7.6b); a deadlock (no agreement possible within the
    # red lines, §7.6a) fails in round 1 under any protocol, so only the others tell the protocols apart.
    last = {p: model.metrics().iloc[-1] for p, model in models.items()}
    timed_out = {p: m["issues_failed"] + m["issue_returns"] - m["deadlocks"] for p, m in last.items()}
    assert timed_out["bounded_confidence"] > timed_out["concession"]
    if mechanisms == "base":  # no red lines and no returns: a failure is one in the issue log, and times out
        assert timed_out == {p: (log["outcome"] == "failed").sum() for p, log in logs.items()}
    else:
        assert last["concession"]["deadlocks"] > 0 and last["concession"]["issue_returns"] > 0
    with pytest.raises(ValueError, match="needs an rng"):
        NegotiationTable(0.1, 0.1, protocol="bargaining")
