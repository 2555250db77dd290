"""Closed-rule legislative bargaining (Baron & Ferejohn 1989): who gets what when a majority must agree.

Baron, D. P. & Ferejohn, J. A. (1989). Bargaining in legislatures. *American
Political Science Review* 83(4), 1181–1206.

``n`` members (odd) divide a dollar by majority rule.  Each session a member,
recognised with equal probability 1/n, proposes a division; under the closed
rule it is voted on at once, without amendment.  If a majority accepts, it is
implemented; otherwise the next session starts with a new recognition and
every payoff is discounted by ``delta``.

In the stationary subgame-perfect equilibrium each member's value of the game
is 1/n ex ante, so a member's continuation value is ``delta / n``.  The
proposer buys the cheapest majority: it offers ``delta / n`` to ``(n - 1) / 2``
others chosen at random, nothing to the rest, and keeps
``1 - delta (n - 1) / (2 n)``.  Those offered their continuation value vote yes
(indifferent members accept, the usual tie-break), so the proposal passes in the
first session.  The proposer's advantage grows with patience lost (small
``delta``) and shrinks towards ``(n + 1) / (2 n)`` as ``delta`` goes to 1.

:func:`equilibrium_shares` gives the agreement in closed form;
:func:`simulate` plays the stationary strategies (recognition, offers, votes,
discounting), so that the closed form can be checked against play.

Agenda setting in one dimension (the governance model's ``bargaining`` protocol)
-------------------------------------------------------------------------------
The model's venues do not divide a dollar: deciders hold positions on [0, 1] (the
stringency each wants), and a decider accepts a proposal within ``tolerance`` of its
position.  Each round a decider is recognised with probability equal to its decision
weight (:func:`recognise`; Baron & Ferejohn's recognition probabilities, equal weights
giving their 1/n) and, under the closed rule, tables the point nearest its own position
that the decision rule's required support accepts (:func:`feasible_point`).  This is the
agenda setter's problem of Romer & Rosenthal (1978) -- the setter proposes its most
preferred point among those the decisive voters accept -- with, instead of a status quo,
a fixed acceptance band of half-width ``tolerance`` around every decider (so the
acceptance set does not depend on a reversion point); and it is the Baron–Ferejohn
proposer's problem of buying the cheapest winning coalition, the "price" of a partner
being the distance the proposal must move towards it.  With 2k + 1 equally weighted
deciders under simple majority the proposal is the point nearest the setter's position
within ``tolerance`` of at least k + 1 deciders: the projection of its position on the
union of the intervals [x_(j+k) - tolerance, x_(j) + tolerance] over the sorted positions.
Under consensus it is the projection on [max x - tolerance, min x + tolerance].
:func:`agenda_setter` is the two together, the protocol's step for one negotiation.

Romer, T. & Rosenthal, H. (1978). Political resource allocation, controlled agendas, and
the status quo. *Public Choice* 33(4), 27–43.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ecsim.params import DECISION_RULES, Parameter, ParameterError
from ecsim.rng import SeedLike, root_sequence

_SOURCE = "Baron & Ferejohn 1989"

#: The sub-model's parameters, declared once (``n`` must also be odd).
PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter("n", "int", 5, "Members of the legislature (odd).", "members", _SOURCE, min=3, max=math.inf),
        Parameter(
            "delta",
            "float",
            0.9,
            "Discount factor: what a dollar agreed one session later is worth now.",
            "-",
            _SOURCE,
            min=0.0,
            max=1.0,
        ),
        Parameter(
            "sessions", "int", 1000, "Independent bargaining games to play.", "games", "ecsim", min=0, max=math.inf
        ),
    )
}
#: A safety bound for :func:`simulate`: stationary proposals always pass at once.
_MAX_ROUNDS = 1000


@dataclass(frozen=True)
class Agreement:
    """The stationary equilibrium's agreement, summarised for a caller that builds coalitions."""

    n: int
    delta: float
    proposer_share: float  # 1 - delta (n - 1) / (2 n)
    partner_share: float  # delta / n: each partner's continuation value
    partners: int  # (n - 1) / 2: the proposer plus its partners are a bare majority
    rounds: int  # sessions until agreement: always 1


@dataclass(frozen=True)
class Sessions:
    """Play of :func:`simulate`: one row per bargaining game, members numbered 0 .. n-1."""

    proposer: np.ndarray  # (sessions,) int: the member recognised in the agreeing round
    shares: np.ndarray  # (sessions, n) float: each member's payoff, discounted to the first round
    rounds: np.ndarray  # (sessions,) int: rounds until a proposal passed


def stationary_offer(n: int, delta: float) -> float:
    """What a proposer offers each coalition partner: the partner's continuation value ``delta / n``."""
    n, delta = _validate(n, delta)
    return delta / n


def equilibrium_shares(n: int, delta: float) -> np.ndarray:
    """The agreement's n payoffs, proposer first, then its ``(n - 1) / 2`` partners, then the rest (0).

    Baron & Ferejohn (1989), closed rule, equal recognition probabilities.
    """
    agreement = first_round_agreement(n, delta)
    shares = np.zeros(agreement.n)
    shares[0] = agreement.proposer_share
    shares[1 : 1 + agreement.partners] = agreement.partner_share
    return shares


def first_round_agreement(n: int, delta: float) -> Agreement:
    """The agreement the stationary equilibrium reaches in its first session (see :class:`Agreement`)."""
    n, delta = _validate(n, delta)
    return Agreement(
        n=n,
        delta=delta,
        proposer_share=1.0 - delta * (n - 1) / (2 * n),
        partner_share=stationary_offer(n, delta),
        partners=(n - 1) // 2,
        rounds=1,
    )


def simulate(n: int, delta: float, sessions: int, seed: SeedLike = None) -> Sessions:
    """Play ``sessions`` independent games with the stationary strategies.

    Each round: recognise a proposer uniformly; it offers ``delta / n`` to
    ``(n - 1) / 2`` others chosen uniformly and keeps the rest; every member
    votes yes iff offered at least its continuation value (the proposer always
    does); a majority passes the proposal, otherwise a new round starts with
    payoffs discounted by ``delta``.  In equilibrium every game ends in round 1,
    which the returned ``rounds`` record rather than assume.
    """
    n, delta = _validate(n, delta)
    sessions = PARAMETERS["sessions"].validate(sessions)
    rng = np.random.default_rng(root_sequence(seed, "seed"))
    agreement = first_round_agreement(n, delta)
    # The offer is the continuation value itself, so offers and voting thresholds compare exactly.
    offer, keep, half = agreement.partner_share, agreement.proposer_share, agreement.partners
    proposer = np.zeros(sessions, dtype=np.int64)
    shares = np.zeros((sessions, n))
    rounds = np.zeros(sessions, dtype=np.int64)
    pending = np.arange(sessions)
    for round_ in range(1, _MAX_ROUNDS + 1):
        if pending.size == 0:
            break
        m, rows = pending.size, np.arange(pending.size)
        who = rng.integers(n, size=m)
        # Partners: the (n - 1) / 2 smallest of i.i.d. uniform keys among the others, a uniform subset.
        keys = rng.random((m, n))
        keys[rows, who] = np.inf
        partners = np.argpartition(keys, half - 1, axis=1)[:, :half]
        offered = np.zeros((m, n))
        np.put_along_axis(offered, partners, offer, axis=1)
        offered[rows, who] = keep
        yes = offered >= offer  # each member against its continuation value
        yes[rows, who] = True  # the proposer backs its own proposal
        passed = yes.sum(axis=1) > n // 2
        done = pending[passed]
        proposer[done] = who[passed]
        shares[done] = offered[passed] * delta ** (round_ - 1)
        rounds[done] = round_
        pending = pending[~passed]
    if pending.size:
        raise RuntimeError(f"{pending.size} sessions did not agree in {_MAX_ROUNDS} rounds")
    return Sessions(proposer=proposer, shares=shares, rounds=rounds)


def _validate(n: int, delta: float) -> tuple[int, float]:
    n = PARAMETERS["n"].validate(n)
    if n % 2 == 0:
        raise ParameterError(f"n={n!r} is not allowed: expected an odd integer >= 3 (majority rule needs no ties)")
    return n, PARAMETERS["delta"].validate(delta)


# --------------------------------------------------------------------------- agenda setting in one dimension

#: Slack in the comparisons of :func:`feasible_point`: positions +/- tolerance are computed, not exact.
_EPS = 1e-12


def recognise(weights: np.ndarray, draw: float) -> int:
    """The member recognised to propose, by a uniform ``draw`` in [0, 1): member i with probability w_i / sum(w).

    Baron & Ferejohn's (1989) recognition rule with recognition probabilities proportional to
    ``weights`` (equal weights: 1/n each): the first member whose cumulative weight exceeds
    ``draw * sum(w)``.  The caller takes the draw from its own stream.
    """
    return min(int(np.searchsorted(np.cumsum(weights), draw * weights.sum(), side="right")), weights.size - 1)


def feasible_point(positions: np.ndarray, share: np.ndarray, ideal: float, tolerance: float, rule: str) -> float:
    """The point closest to ``ideal`` that the rule's required support accepts (``ideal`` if none exists).

    A decider at ``positions[i]`` with weight ``share[i]`` (shares sum to 1) accepts a point
    within ``tolerance`` of its position; ``rule`` is a name of :data:`ecsim.params.DECISION_RULES`
    (its threshold on the accepting share, strict or not; consensus: every decider).  Support
    is piecewise constant in the point, changing only at positions +/- tolerance, so the
    closest feasible point is the ideal itself or one of those breakpoints (between two
    equally close points, the less stringent one), never outside the hull of the positions and the
    ideal.  This is the agenda setter's proposal of
    Romer & Rosenthal (1978) with an acceptance band instead of a status quo (module docstring).
    """
    if positions.size == 0:
        return ideal
    decision = DECISION_RULES.get(rule)
    if decision is None:
        raise ParameterError(f"rule={rule!r} is not allowed: expected one of {', '.join(DECISION_RULES)}")
    if decision.unanimous:
        low, high = positions.max() - tolerance, positions.min() + tolerance
        return float(np.clip(ideal, low, high)) if low <= high + _EPS else ideal
    # A breakpoint beyond every position and the ideal is never better than the hull's edge (support and
    # distance both improve towards it), so candidates stay in the hull: a tie within rounding cannot
    # then pick a point outside the policy space (-1e-162 below 0 with a tolerance of 1e-162).
    low, high = min(positions.min(), ideal), max(positions.max(), ideal)
    candidates = np.clip(np.concatenate([[ideal], positions - tolerance, positions + tolerance]), low, high)
    within = np.abs(positions[None, :] - candidates[:, None]) <= tolerance + _EPS
    support = within.astype(float) @ share
    threshold = decision.threshold
    ok = support > threshold + _EPS if decision.strict else support >= threshold - _EPS
    if not ok.any():
        return ideal
    feasible = candidates[ok]
    distance = np.round(np.abs(feasible - ideal), 12)
    return float(feasible[distance == distance.min()].min())  # ties: the less stringent point


def agenda_setter(
    positions: np.ndarray, share: np.ndarray, draw: float, tolerance: float, rule: str
) -> tuple[int, float]:
    """One closed-rule proposal: the recognised member (:func:`recognise`) and what it tables (:func:`feasible_point`).

    ``share`` serves both as recognition probabilities and as voting weights, as in the
    governance model's venues.  Returns ``(proposer, proposal)``.
    """
    proposer = recognise(share, draw)
    return proposer, feasible_point(positions, share, float(positions[proposer]), tolerance, rule)
