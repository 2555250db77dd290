"""Negotiation sub-models: bounded confidence (Hegselmann & Krause 2002), bargaining (Baron & Ferejohn 1989).

Bargaining includes the one-dimensional agenda setter the model's ``bargaining`` protocol
runs (recognition by weight, the closest proposal the rule passes; Romer & Rosenthal 1978).

Each model is checked against its definition (a brute-force reference, a closed
form), its invariants (hypothesis) and the published results it is known for.
"""

from __future__ import annotations

import ast
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecsim.games import bargaining, bounded_confidence, norms
from ecsim.games.bargaining import (
    agenda_setter,
    equilibrium_shares,
    feasible_point,
    first_round_agreement,
    recognise,
    stationary_offer,
)
from ecsim.games.bounded_confidence import clusters, converge, hk_step, initial_opinions, settle, simulate, update
from ecsim.params import ParameterError

# --- bounded confidence -----------------------------------------------------------


def reference_step(x: np.ndarray, epsilon: float, weights: np.ndarray | None = None) -> np.ndarray:
    """HK 2002's step written as its definition: an n x n neighbourhood matrix."""
    w = np.ones(x.size) if weights is None else weights
    near = np.abs(x[:, None] - x[None, :]) <= epsilon
    return (near * w * x).sum(axis=1) / (near * w).sum(axis=1)


opinion_lists = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=40)
epsilons = st.floats(0.0, 1.0)


@st.composite
def profiles(draw, weighted: bool | None = None):
    """Opinions, a bound and (sometimes) positive weights."""
    x = np.array(draw(opinion_lists))
    if weighted is None:
        weighted = draw(st.booleans())
    w = np.array(draw(st.lists(st.floats(0.1, 10.0), min_size=x.size, max_size=x.size))) if weighted else None
    return x, draw(epsilons), w


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_update_is_the_definition(profile):
    x, epsilon, w = profile
    assert np.allclose(update(x, epsilon, w), reference_step(x, epsilon, w), rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("x", "epsilon", "near"),
    [
        ([0.08, 0.5], 0.42, True),  # 0.5 - 0.42 rounds above 0.08, yet |0.5 - 0.08| <= 0.42
        ([0.3, 0.51], 0.21, False),  # 0.3 + 0.21 rounds up to 0.51, yet |0.51 - 0.3| > 0.21
        ([0.04, 0.05], 0.01, False),
    ],
)
def test_ties_at_epsilon_are_decided_by_the_distance_itself(x, epsilon, near):
    """Windows found by search are corrected to the paper's test |x_i - x_j| <= epsilon, so they stay symmetric."""
    x = np.array(x)
    assert bool(abs(x[1] - x[0]) <= epsilon) == near
    y = hk_step(x, epsilon)
    assert np.array_equal(y, reference_step(x, epsilon))
    assert bool(y[0] == y[1]) == near


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_range_never_widens_and_order_is_kept(profile):
    x, epsilon, w = profile
    y = update(x, epsilon, w)
    assert y.min() >= x.min() and y.max() <= x.max()
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(y[order]) >= 0)  # exact: x_i <= x_j implies y_i <= y_j


def test_mean_is_not_preserved():
    """Unlike pairwise compromise (Deffuant et al.), synchronous HK steps move the mean."""
    x = np.array([0.0, 0.1, 0.2, 0.25])
    y = hk_step(x, 0.1)
    assert np.allclose(y, [0.05, 0.1, 0.55 / 3, 0.225])
    assert abs(y.mean() - x.mean()) > 1e-3


@settings(max_examples=100, deadline=None)
@given(profiles())
def test_one_step_to_the_mean_when_everyone_is_within_reach(profile):
    x, _, w = profile
    y = update(x, float(np.ptp(x)), w)
    assert np.allclose(y, np.average(x, weights=w), rtol=0, atol=1e-12)
    assert np.ptp(y) == 0.0


@pytest.mark.parametrize("epsilon", [0.01, 0.05, 0.15, 0.25])
def test_settles_in_finitely_many_steps_into_clusters_further_apart_than_epsilon(epsilon):
    x, steps = settle(initial_opinions(625, 3), epsilon, 10_000)
    assert steps < 10_000
    assert np.array_equal(hk_step(x, epsilon), x)  # an exact fixed point
    levels = np.unique(x)
    assert np.all(np.diff(levels) > epsilon)
    assert clusters(x) == levels.size


def test_hegselmann_krause_regimes_with_625_agents():
    """HK 2002 (Fig. 2 setting): fragmentation at small bounds, consensus from epsilon = 0.25."""
    seeds = range(5)
    counts = {eps: [clusters(simulate(625, eps, 1000, seed)) for seed in seeds] for eps in (0.01, 0.05, 0.25, 0.3)}
    assert min(counts[0.01]) >= 20  # fragmentation
    assert min(counts[0.05]) >= 4  # several clusters
    assert counts[0.25] == counts[0.3] == [1] * len(seeds)  # consensus


def test_early_stop_returns_what_every_step_gives():
    for epsilon in (0.05, 0.25):
        x = initial_opinions(625, 7)
        for _ in range(300):
            x = hk_step(x, epsilon)
        assert np.array_equal(simulate(625, epsilon, 300, 7), x)
    # Stopped before convergence, too.
    x = initial_opinions(625, 7)
    for _ in range(3):
        x = hk_step(x, 0.25)
    assert np.array_equal(simulate(625, 0.25, 3, 7), x)


def test_simulate_is_reproducible_and_starts_uniform():
    assert np.array_equal(simulate(50, 0.1, 20, 1), simulate(50, 0.1, 20, np.random.SeedSequence(1)))
    assert not np.array_equal(simulate(50, 0.1, 20, 1), simulate(50, 0.1, 20, 2))
    start = simulate(2000, 0.0, 10, 5)  # epsilon = 0 moves nobody
    assert np.array_equal(start, initial_opinions(2000, 5))
    assert start.min() >= 0 and start.max() <= 1 and abs(start.mean() - 0.5) < 0.03


def test_simulate_625_is_fast():
    import time

    t = time.perf_counter()
    simulate(625, 0.25, 1000, 0)
    assert time.perf_counter() - t < 1.0


def test_converge_reaches_agreement_when_within_reach():
    x, rounds, agreed = converge([0.1, 0.3, 0.5, 0.7], epsilon=0.25, max_rounds=50, tolerance=1e-9)
    assert agreed and 0 < rounds < 50
    assert np.ptp(x) <= 2e-9


def test_converge_agrees_at_once_when_already_close():
    positions = np.array([0.40, 0.45, 0.5])
    x, rounds, agreed = converge(positions, epsilon=0.01, max_rounds=10, tolerance=0.1)
    assert agreed and rounds == 0 and np.array_equal(x, positions)


def test_converge_fails_when_deciders_split_into_distant_camps():
    positions = [0.0, 0.05, 0.1, 0.8, 0.9]
    x, rounds, agreed = converge(positions, epsilon=0.2, max_rounds=50, tolerance=0.05)
    assert not agreed and rounds < 50  # deadlock detected early
    assert clusters(x) == 2
    assert np.array_equal(x, settle(positions, 0.2, 50)[0])  # what the deadline would leave


def test_converge_stops_at_the_deadline():
    x, rounds, agreed = converge([0.0, 0.3, 0.6, 0.9, 1.0], epsilon=0.35, max_rounds=1, tolerance=1e-6)
    assert (rounds, agreed) == (1, False)
    assert np.array_equal(x, hk_step([0.0, 0.3, 0.6, 0.9, 1.0], 0.35))
    _, rounds, agreed = converge([0.0, 1.0], epsilon=1.0, max_rounds=0, tolerance=0.1)
    assert (rounds, agreed) == (0, False)


def test_weights_pull_the_agreement_towards_heavy_deciders():
    positions = [0.2, 0.4, 0.6]
    equal, _, _ = converge(positions, epsilon=1.0, max_rounds=5, tolerance=1e-9)
    heavy, _, agreed = converge(positions, epsilon=1.0, max_rounds=5, tolerance=1e-9, weights=[1.0, 1.0, 8.0])
    assert agreed
    assert np.allclose(equal, 0.4) and np.allclose(heavy, (0.2 + 0.4 + 8 * 0.6) / 10)
    assert bounded_confidence.proposal(positions, [1.0, 1.0, 8.0]) == pytest.approx(0.54)


def test_clusters_counts_groups_separated_by_gaps():
    assert clusters([]) == 0
    assert clusters([0.5]) == 1
    assert clusters([0.0, 1e-9, 0.5, 0.5, 1.0]) == 3
    assert clusters([0.0, 0.1, 0.2], tol=0.15) == 1
    assert clusters([0.0, 0.1, 0.2], tol=0.05) == 3


def test_update_does_not_modify_its_input():
    x = np.array([0.0, 0.1, 0.9])
    update(x, 0.2, [1.0, 2.0, 3.0])
    assert np.array_equal(x, [0.0, 0.1, 0.9])
    assert update([], 0.1).size == 0


@pytest.mark.parametrize(
    ("call", "culprit"),
    [
        (lambda: simulate(0, 0.1, 10, 0), "n=0"),
        (lambda: simulate(10, -0.1, 10, 0), "epsilon=-0.1"),
        (lambda: simulate(10, float("nan"), 10, 0), "epsilon=nan"),
        (lambda: simulate(10, 0.1, -1, 0), "steps=-1"),
        (lambda: simulate(10, 0.1, 2.5, 0), "steps=2.5"),
        (lambda: simulate(10, 0.1, 10, -1), "seed=-1"),
        (lambda: hk_step([0.1, float("nan")], 0.1), "positions[1]=nan"),
        (lambda: hk_step([[0.1, 0.2]], 0.1), "positions of shape (1, 2)"),
        (lambda: hk_step(["a"], 0.1), "positions=['a']"),
        (lambda: update([0.1, 0.2], 0.1, [1.0]), "weights of shape (1,)"),
        (lambda: update([0.1, 0.2], 0.1, [1.0, 0.0]), "weights[1]=0.0"),
        (lambda: update([0.1, 0.2], 0.1, [1.0, 1e-20]), "weights[1]=1e-20"),
        (lambda: converge([], 0.1, 10, 0.1), "positions of shape (0,)"),
        (lambda: converge([0.1], 0.1, -1, 0.1), "max_rounds=-1"),
        (lambda: converge([0.1], 0.1, 10, -0.1), "tolerance=-0.1"),
        (lambda: clusters([0.1], tol=-1.0), "tol=-1.0"),
    ],
)
def test_bounded_confidence_rejects_bad_input_in_one_line(call, culprit):
    with pytest.raises(ParameterError) as err:
        call()
    assert culprit in str(err.value) and "\n" not in str(err.value)


# --- closed-rule bargaining -------------------------------------------------------------

SIZES = (3, 5, 11, 101)
DELTAS = (0.0, 0.5, 0.9, 1.0)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("delta", DELTAS)
def test_equilibrium_shares_are_baron_ferejohns(n, delta):
    shares = equilibrium_shares(n, delta)
    partners = (n - 1) // 2
    assert shares.shape == (n,)
    assert shares[0] == pytest.approx(1 - delta * (n - 1) / (2 * n))
    assert np.all(shares[1 : 1 + partners] == delta / n)
    assert np.all(shares[1 + partners :] == 0)
    assert shares.sum() == pytest.approx(1.0)
    assert shares[0] >= shares[1]
    assert stationary_offer(n, delta) == delta / n


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("delta", DELTAS)
def test_stationary_values_are_consistent(n, delta):
    """Ex ante every member expects 1/n; discounted, that is exactly what partners are offered."""
    shares = equilibrium_shares(n, delta)
    p_proposer, p_partner = 1 / n, (n - 1) / (2 * n)  # recognised; chosen as one of (n-1)/2 of the n-1 others
    ex_ante = p_proposer * shares[0] + p_partner * shares[1]
    assert ex_ante == pytest.approx(1 / n)
    assert delta * ex_ante == pytest.approx(stationary_offer(n, delta))
    assert shares[0] >= delta / n  # the proposer prefers passing now to its continuation value


@pytest.mark.parametrize("n", SIZES)
def test_first_round_agreement_summarises_the_shares(n):
    agreement = first_round_agreement(n, 0.9)
    shares = equilibrium_shares(n, 0.9)
    assert agreement.rounds == 1 and agreement.partners == (n - 1) // 2
    assert agreement.proposer_share == shares[0] and agreement.partner_share == shares[1]
    assert agreement.partners + 1 > n / 2  # a bare majority
    assert agreement.partners < n / 2


@pytest.mark.parametrize(("n", "delta"), [(3, 0.5), (5, 0.9), (11, 1.0), (101, 0.9)])
def test_simulation_plays_the_equilibrium(n, delta):
    sessions = 4000
    play = bargaining.simulate(n, delta, sessions, seed=2024)
    rows = np.arange(sessions)
    assert play.shares.shape == (sessions, n)
    assert np.all(play.rounds == 1)  # every session agrees in the first round
    assert np.allclose(play.shares.sum(axis=1), 1.0)
    assert np.allclose(play.shares[rows, play.proposer], 1 - delta * (n - 1) / (2 * n))
    others = play.shares.copy()
    others[rows, play.proposer] = np.nan
    partners = others == delta / n
    assert np.all(partners.sum(axis=1) == (n - 1) // 2)  # a bare majority is bought, nobody else
    assert np.all(np.isin(others[~np.isnan(others)], [0.0, delta / n]))


def test_simulated_payoffs_match_the_expectations():
    """Proposers are drawn uniformly and partners are a uniform half of the rest: every member expects 1/n."""
    n, delta, sessions = 5, 0.9, 20_000
    play = bargaining.simulate(n, delta, sessions, seed=7)
    keep, offer = 1 - delta * (n - 1) / (2 * n), delta / n
    variance = keep**2 / n + offer**2 * (n - 1) / (2 * n) - 1 / n**2
    se = np.sqrt(variance / sessions)
    assert np.all(np.abs(play.shares.mean(axis=0) - 1 / n) < 5 * se)
    recognised = np.bincount(play.proposer, minlength=n) / sessions
    assert np.all(np.abs(recognised - 1 / n) < 5 * np.sqrt((1 / n) * (1 - 1 / n) / sessions))
    is_partner = (play.shares == offer).sum(axis=0) / sessions
    p_partner = (n - 1) / (2 * n)
    assert np.all(np.abs(is_partner - p_partner) < 5 * np.sqrt(p_partner * (1 - p_partner) / sessions))


def test_impatient_legislature_gives_the_proposer_everything():
    play = bargaining.simulate(7, 0.0, 200, seed=1)
    assert np.all(play.rounds == 1)
    assert np.all(play.shares[np.arange(200), play.proposer] == 1.0)


def test_bargaining_simulation_is_reproducible():
    a, b = bargaining.simulate(11, 0.9, 300, seed=3), bargaining.simulate(11, 0.9, 300, seed=3)
    assert np.array_equal(a.proposer, b.proposer) and np.array_equal(a.shares, b.shares)
    c = bargaining.simulate(11, 0.9, 300, seed=4)
    assert not np.array_equal(a.shares, c.shares)
    assert bargaining.simulate(5, 0.5, 0, seed=0).shares.shape == (0, 5)


@pytest.mark.parametrize(
    ("call", "culprit"),
    [
        (lambda: equilibrium_shares(4, 0.9), "n=4"),
        (lambda: equilibrium_shares(1, 0.9), "n=1"),
        (lambda: equilibrium_shares(5.5, 0.9), "n=5.5"),
        (lambda: equilibrium_shares(5, -0.1), "delta=-0.1"),
        (lambda: equilibrium_shares(5, 1.5), "delta=1.5"),
        (lambda: stationary_offer(5, float("nan")), "delta=nan"),
        (lambda: first_round_agreement(6, 0.5), "n=6"),
        (lambda: bargaining.simulate(5, 0.5, -1, 0), "sessions=-1"),
        (lambda: bargaining.simulate(2, 0.5, 10, 0), "n=2"),
        (lambda: bargaining.simulate(5, 0.5, 10, "x"), "seed='x'"),
    ],
)
def test_bargaining_rejects_bad_input_in_one_line(call, culprit):
    with pytest.raises(ParameterError) as err:
        call()
    assert culprit in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("module", [bounded_confidence, bargaining, norms])
def test_games_are_plain_numpy(module):
    """Sub-models import neither Mesa nor the model layer (imports flow games -> model)."""
    tree = ast.parse(Path(module.__file__).read_text())
    imported = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not {m for m in imported if m.split(".")[0] == "mesa" or m.startswith(("ecsim.model", "ecsim.experiment"))}


@given(st.integers(1, 200).map(lambda k: 2 * k + 1), st.floats(0.0, 1.0))
def test_shares_are_a_division_of_the_dollar(n, delta):
    shares = equilibrium_shares(n, delta)
    assert np.all(shares >= 0) and shares.sum() == pytest.approx(1.0)
    assert shares[0] == shares.max()


# --- agenda setting in one dimension: the model's bargaining protocol -------------------------------------
# Five equally weighted deciders, acceptance band 0.25, simple majority (3 of 5).  By hand: the points within
# 0.25 of at least 3 consecutive sorted deciders are [0.5 - .25, 0.1 + .25] = [0.25, 0.35],
# [0.7 - .25, 0.2 + .25] = {0.45} and [0.9 - .25, 0.5 + .25] = [0.65, 0.75]; the setter tables the point of
# that set nearest its own position (the lower one on a tie).

VOTERS = np.array([0.1, 0.2, 0.5, 0.7, 0.9])
EQUAL = np.full(5, 0.2)


@pytest.mark.parametrize(
    ("ideal", "proposal"),
    [
        (0.1, 0.25),
        (0.2, 0.25),
        (0.3, 0.3),  # inside the set: the ideal itself
        (0.4, 0.35),  # 0.35 and 0.45 are equally close: the lower
        (0.42, 0.45),
        (0.5, 0.45),  # the median decider is not within 0.25 of two others on one side
        (0.55, 0.45),  # 0.45 and 0.65 tie
        (0.6, 0.65),
        (0.7, 0.7),
        (0.9, 0.75),
        (1.0, 0.75),
    ],
)
def test_setter_proposal_by_hand(ideal, proposal):
    assert feasible_point(VOTERS, EQUAL, ideal, 0.25, "simple_majority") == pytest.approx(proposal, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    positions=st.lists(st.floats(0, 1), min_size=1, max_size=6),
    ideal=st.floats(0, 1),
    tolerance=st.floats(0, 1) | st.floats(1e-300, 1e-100),
    rule=st.sampled_from(["consensus", "simple_majority", "qualified_majority"]),
)
def test_setter_proposal_stays_within_the_positions_and_the_ideal(positions, ideal, tolerance, rule):
    """A proposal never leaves the policy space: found by the model's invariants (stringency -1.9e-162)."""
    x = np.array(positions)
    share = np.full(x.size, 1.0 / x.size)
    point = feasible_point(x, share, ideal, tolerance, rule)
    assert min(x.min(), ideal) <= point <= max(x.max(), ideal)


def test_setter_proposal_when_nothing_or_everything_passes():
    assert feasible_point(VOTERS, EQUAL, 0.9, 0.15, "simple_majority") == 0.9  # no 3 deciders within 0.3
    assert feasible_point(VOTERS, EQUAL, 0.9, 0.3, "consensus") == 0.9  # [0.9 - .3, 0.1 + .3] is empty
    assert feasible_point(VOTERS, EQUAL, 0.9, 0.45, "consensus") == pytest.approx(0.55)  # projection on [.45, .55]
    assert feasible_point(VOTERS[:0], EQUAL[:0], 0.3, 0.1, "consensus") == 0.3
    with pytest.raises(ParameterError, match="rule='plurality' is not allowed") as err:
        feasible_point(VOTERS, EQUAL, 0.5, 0.1, "plurality")
    assert "\n" not in str(err.value)


def _projection_on_windows(x: np.ndarray, t: float, ideal: float, needed: int) -> float | None:
    """Closed form, equal weights: distance from ``ideal`` to the union of [x_(j+needed-1) - t, x_(j) + t]."""
    xs = np.sort(x)
    windows = [(xs[j + needed - 1] - t, xs[j] + t) for j in range(xs.size - needed + 1)]
    windows = [(lo, hi) for lo, hi in windows if lo <= hi + 1e-12]
    if not windows:
        return None
    return min(max(lo - ideal, ideal - hi, 0.0) for lo, hi in windows)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 6),
    st.data(),
    st.floats(0.01, 0.5),
    st.floats(0.0, 1.0),
    st.sampled_from(["simple_majority", "qualified_majority", "consensus"]),
)
def test_setter_proposal_is_the_nearest_point_that_enough_deciders_accept(k, data, t, ideal, rule):
    """2k + 1 equal deciders: the proposal is the point nearest the setter's ideal within t of the required number.

    Simple majority needs k + 1 deciders, a two-thirds majority ceil(2n/3), consensus all n (Romer &
    Rosenthal's setter, with an acceptance band instead of a status quo).
    """
    n = 2 * k + 1
    x = np.array(data.draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    needed = {"simple_majority": k + 1, "qualified_majority": math.ceil(2 * n / 3 - 1e-9), "consensus": n}[rule]
    got = feasible_point(x, np.full(n, 1 / n), ideal, t, rule)
    distance = _projection_on_windows(x, t, ideal, needed)
    if distance is None:
        assert got == ideal
    else:
        assert abs(got - ideal) == pytest.approx(distance, abs=1e-9)
        assert (np.abs(x - got) <= t + 1e-9).sum() >= needed


def test_recognition_by_hand():
    w = np.array([0.2, 0.3, 0.5])
    assert [recognise(w, u) for u in (0.0, 0.19, 0.2, 0.49, 0.5, 0.999)] == [0, 0, 1, 1, 2, 2]
    assert recognise(np.array([1.0, 2.0, 1.0]), 0.5) == 1  # weights need not sum to 1


def test_recognition_probabilities_are_the_weights():
    """Baron & Ferejohn's recognition rule with probabilities proportional to the weights (1/n if equal)."""
    w, draws = np.array([1.0, 2.0, 3.0, 4.0]), np.random.default_rng(21).random(40_000)
    freq = np.bincount([recognise(w, u) for u in draws], minlength=4) / draws.size
    p = w / w.sum()
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / draws.size))


def test_model_protocol_tables_the_games_proposals():
    """The model's bargaining protocol on the game's setting: the same draws give the game's proposals, exactly.

    2 000 negotiations among the five deciders above; each member is recognised with probability 1/5 and
    tables its setter proposal, so 0.25 (the setters at 0.1 and 0.2) comes with probability 2/5 and 0.45,
    0.7, 0.75 with 1/5 each; every proposal passes in the first round.
    """
    from ecsim.model.negotiation import NegotiationTable

    sessions = 2000
    table = NegotiationTable(0.25, 0.15, protocol="bargaining", rng=np.random.default_rng(7))
    for key in range(sessions):
        table.open(key, "simple_majority", VOTERS, np.ones(5), float("nan"), 0.0, deadline=50)
    outcomes = {o.key: o for o in table.play_round()}
    assert len(outcomes) == sessions and all(o.adopted and o.rounds == 1 for o in outcomes.values())
    draws = np.random.default_rng(7).random(sessions)  # the protocol's draws: one per negotiation, in key order
    game = [agenda_setter(VOTERS, EQUAL, u, 0.25, "simple_majority") for u in draws]
    assert [outcomes[k].proposal for k in range(sessions)] == [proposal for _, proposal in game]
    counts = Counter(round(proposal, 9) for _, proposal in game)
    expected = {0.25: 0.4, 0.45: 0.2, 0.7: 0.2, 0.75: 0.2}
    assert set(counts) == set(expected)
    for point, p in expected.items():
        assert abs(counts[point] / sessions - p) < 5 * np.sqrt(p * (1 - p) / sessions)
