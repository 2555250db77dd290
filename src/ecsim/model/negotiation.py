"""Negotiation at venues: a monotonic concession protocol under a decision rule.

Each round (one step) the chair of every open negotiation tables a proposal:
the weighted mean position of its deciders, pulled towards the mean position
of the consulted stakeholders by ``consultation_weight`` (seed 1e, 2a: inputs
from the other constituencies).  A decider accepts when the proposal lies
within ``acceptance_tolerance`` of its position.  If the accepting deciders meet
the venue's decision rule the proposal is adopted as a norm; otherwise every
dissenter concedes ``concession_rate`` of its distance to the proposal (a
monotonic concession protocol in the spirit of Zeuthen's), and after
``negotiation_deadline`` rounds the negotiation fails.

Consequences the tests pin down: the rounds needed grow with the number of
deciders (the most distant of more draws is further away) and with the spread
of their positions; consensus is slower than a qualified majority, which is
slower than a simple one.  Unilateral venues (national legislatures) do not
negotiate: after ``national_lag`` steps each government whose position is at
least :data:`LEGISLATION_THRESHOLD` legislates for its own jurisdiction.

Two other protocols can replace concession (parameter ``negotiation_protocol``),
both validated as standalone sub-models in :mod:`ecsim.games`:
``bounded_confidence`` — between rounds every decider moves to the (weighted)
mean position of the deciders within ``confidence_bound`` of its own
(Hegselmann & Krause 2002), so forums can fragment into camps that never
agree; and ``bargaining`` — each round a decider recognised with probability
equal to its weight proposes the point nearest its own position that the rule
would pass (closed-rule agenda setting after Baron & Ferejohn 1989), so
agreement is fast and tilted towards the proposer.

All open negotiations, at every venue, sit in one :class:`NegotiationTable`
whose round is a handful of NumPy operations over every decider at once
(segment sums with ``np.bincount``), so its cost hardly depends on how many
negotiations are open.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecsim.games import bounded_confidence

RULES: tuple[str, ...] = ("consensus", "qualified_majority", "market_share_majority", "simple_majority")
#: How deciders move between rounds (``negotiation_protocol``): monotonic concession (default),
#: bounded-confidence opinion dynamics (Hegselmann & Krause 2002), or closed-rule agenda-setter
#: bargaining (after Baron & Ferejohn 1989).
PROTOCOLS: tuple[str, ...] = ("concession", "bounded_confidence", "bargaining")
#: Share of the deciders' weight that must accept, per rule (consensus: every
#: decider; simple majority: strictly more than half).
THRESHOLDS: dict[str, float] = {
    "consensus": 1.0,
    "qualified_majority": 2.0 / 3.0,
    "market_share_majority": 2.0 / 3.0,
    "simple_majority": 0.5,
}
#: A government legislates alone only if it wants a norm at least this stringent.
LEGISLATION_THRESHOLD = 0.5
_EPS = 1e-12
_CONSENSUS, _SIMPLE = RULES.index("consensus"), RULES.index("simple_majority")


@dataclass(frozen=True)
class Outcome:
    """How a negotiation ended: adopted (with its proposal and supporters) or failed."""

    key: int  # the issue negotiated
    adopted: bool
    proposal: float  # adopted stringency (NaN if failed)
    supporters: np.ndarray  # bool per decider, in the order the deciders were given
    rounds: int


def feasible_point(positions: np.ndarray, share: np.ndarray, ideal: float, tolerance: float, rule: str) -> float:
    """The point closest to ``ideal`` that the rule's required support accepts (``ideal`` if none exists).

    A decider accepts a point within ``tolerance`` of its position.  Support is
    piecewise constant in the point, changing only at positions +/- tolerance, so
    the closest feasible point is the ideal itself or one of those breakpoints
    (between two equally close points, the less stringent one).
    """
    if positions.size == 0:
        return ideal
    if rule == "consensus":
        low, high = positions.max() - tolerance, positions.min() + tolerance
        return float(np.clip(ideal, low, high)) if low <= high + _EPS else ideal
    candidates = np.concatenate([[ideal], positions - tolerance, positions + tolerance])
    within = np.abs(positions[None, :] - candidates[:, None]) <= tolerance + _EPS
    support = within.astype(float) @ share
    threshold = THRESHOLDS[rule]
    ok = support > threshold + _EPS if rule == "simple_majority" else support >= threshold - _EPS
    if not ok.any():
        return ideal
    feasible = candidates[ok]
    distance = np.round(np.abs(feasible - ideal), 12)
    return float(feasible[distance == distance.min()].min())  # ties: the less stringent point


def legislate(key: int, positions: np.ndarray, rounds: int) -> Outcome:
    """National legislatures acting alone: each willing government legislates for its jurisdiction.

    A government is willing when its position is at least :data:`LEGISLATION_THRESHOLD`;
    the norm's stringency is the mean position of the willing.  Nobody willing: failure.
    """
    willing = positions >= LEGISLATION_THRESHOLD
    if not willing.any():
        return Outcome(key, False, float("nan"), willing, rounds)
    return Outcome(key, True, float(positions[willing].mean()), willing, rounds)


# Columns of NegotiationTable._meta (one row per open negotiation).
_KEY, _RULE, _ANCHOR, _PULL, _DEADLINE, _COST, _THRESHOLD, _SIZE, _ROUNDS = range(9)


class NegotiationTable:
    """Every open negotiation, played round by round, vectorised over all deciders.

    Rows of ``_position``/``_share``/``_slot`` are deciders, contiguous per
    negotiation; ``_meta`` has one row per negotiation (columns ``_KEY`` ...).
    Negotiations opened during a step join at the next round; finished ones
    leave at the end of the round in which they finish.
    """

    def __init__(
        self,
        tolerance: float,
        concession_rate: float,
        protocol: str = "concession",
        confidence_bound: float = 0.2,
        rng: np.random.Generator | None = None,
    ) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol {protocol!r} is not one of {', '.join(PROTOCOLS)}")
        if protocol == "bargaining" and rng is None:
            raise ValueError("the bargaining protocol needs an rng (it recognises proposers at random)")
        self.tolerance = tolerance
        self.concession_rate = concession_rate
        self.protocol = protocol
        self.confidence_bound = confidence_bound
        self.rng = rng
        self._slot = np.empty(0, dtype=np.int64)
        self._position = np.empty(0)
        self._share = np.empty(0)
        self._meta = np.empty((0, 9))
        self._pending: list[tuple[np.ndarray, np.ndarray, list[float]]] = []

    def __len__(self) -> int:
        return self._meta.shape[0] + len(self._pending)

    def open(
        self,
        key: int,
        rule: str,
        positions: np.ndarray,
        weights: np.ndarray,
        anchor: float,
        consultation_weight: float,
        deadline: int,
        cost_per_round: int = 0,
    ) -> None:
        """Put a negotiation on the table (it plays its first round at the next :meth:`play_round`).

        ``anchor`` is the consulted stakeholders' mean position (NaN when nobody
        is consulted); ``weights`` are the deciders' decision weights.
        """
        if rule not in THRESHOLDS:
            raise ValueError(f"rule {rule!r} is not one of {', '.join(THRESHOLDS)}")
        total = float(np.sum(weights))
        share = np.asarray(weights, dtype=float) / total if total > 0 else np.zeros(len(positions))
        pull = 0.0 if np.isnan(anchor) else consultation_weight
        meta = [
            key,
            RULES.index(rule),
            anchor if pull else 0.0,
            pull,
            deadline,
            cost_per_round,
            THRESHOLDS[rule],
            len(positions),
            0,
        ]
        self._pending.append((np.array(positions, dtype=float), share, meta))

    @property
    def cost_per_round(self) -> int:
        """Participant-rounds that one round of every open negotiation costs."""
        return int(self._meta[:, _COST].sum()) + int(sum(p[2][_COST] for p in self._pending))

    def _admit_pending(self) -> None:
        pending, self._pending = self._pending, []
        meta = np.array([p[2] for p in pending])
        first = self._meta.shape[0]
        self._slot = np.concatenate(
            [self._slot, np.repeat(np.arange(first, first + len(pending)), meta[:, _SIZE].astype(np.int64))]
        )
        self._position = np.concatenate([self._position, *(p[0] for p in pending)])
        self._share = np.concatenate([self._share, *(p[1] for p in pending)])
        self._meta = np.concatenate([self._meta, meta])

    def _agenda_setter_proposals(self, offsets: np.ndarray) -> np.ndarray:
        """Closed-rule bargaining (after Baron & Ferejohn 1989): a recognised proposer tables a proposal.

        Each round, in every negotiation, one decider is recognised with probability
        equal to its decision weight and proposes the point closest to its own
        position that the decision rule's required support accepts (or its own
        position when no point would pass; then dissenters concede).  Consulted
        stakeholders do not pull a proposer's offer (closed rule).
        """
        meta, x, share = self._meta, self._position, self._share
        draws = self.rng.random(meta.shape[0])  # type: ignore[union-attr]
        proposal = np.empty(meta.shape[0])
        for s in range(meta.shape[0]):
            rows = slice(offsets[s], offsets[s + 1])
            xs, ws = x[rows], share[rows]
            if xs.size == 0:
                proposal[s] = np.nan
                continue
            proposer = min(int(np.searchsorted(np.cumsum(ws), draws[s] * ws.sum(), side="right")), xs.size - 1)
            proposal[s] = feasible_point(xs, ws, float(xs[proposer]), self.tolerance, RULES[int(meta[s, _RULE])])
        return proposal

    def play_round(self) -> list[Outcome]:
        """Play one round of every open negotiation; return those that ended."""
        if self._pending:
            self._admit_pending()
        meta = self._meta
        n = meta.shape[0]
        if n == 0:
            return []
        meta[:, _ROUNDS] += 1
        slot, x, share = self._slot, self._position, self._share
        offsets = np.concatenate([[0], np.cumsum(meta[:, _SIZE].astype(np.int64))])
        if self.protocol == "bargaining":
            proposal = self._agenda_setter_proposals(offsets)
        else:
            proposal = np.bincount(slot, share * x, minlength=n).astype(float, copy=False)  # (int when no rows)
            proposal += meta[:, _PULL] * (meta[:, _ANCHOR] - proposal)
        gap = proposal[slot] - x
        accept = np.abs(gap) <= self.tolerance
        support = np.bincount(slot, share * accept, minlength=n)
        rule, threshold = meta[:, _RULE], meta[:, _THRESHOLD]
        adopted = np.where(rule == _SIMPLE, support > threshold + _EPS, support >= threshold - _EPS)
        if (rule == _CONSENSUS).any():  # consensus means every decider, whatever its weight
            dissent = np.bincount(slot, ~accept, minlength=n)
            adopted &= (rule != _CONSENSUS) | (dissent == 0)
        adopted &= meta[:, _SIZE] > 0
        failed = ~adopted & ((meta[:, _ROUNDS] >= meta[:, _DEADLINE]) | (meta[:, _SIZE] == 0))
        ended = np.flatnonzero(adopted | failed)
        going_on = np.ones(n, dtype=bool)
        going_on[ended] = False
        if self.protocol == "bounded_confidence":
            # Hegselmann-Krause: every decider moves to the (weighted) mean of those within the bound.
            for s in np.flatnonzero(going_on):
                rows = slice(offsets[s], offsets[s + 1])
                x[rows] = bounded_confidence.update(x[rows], self.confidence_bound, weights=share[rows])
        else:
            # Dissenters in negotiations that go on concede part of their distance (to the tabled proposal).
            x += self.concession_rate * np.where(going_on[slot] & ~accept, gap, 0.0)
        if ended.size == 0:
            return []
        outcomes = [
            Outcome(
                key=int(meta[s, _KEY]),
                adopted=bool(adopted[s]),
                proposal=float(proposal[s]) if adopted[s] else float("nan"),
                supporters=accept[offsets[s] : offsets[s + 1]].copy(),
                rounds=int(meta[s, _ROUNDS]),
            )
            for s in ended
        ]
        keep = going_on
        rows = keep[slot]
        self._slot = (np.cumsum(keep) - 1)[slot[rows]]
        self._position, self._share = x[rows], share[rows]
        self._meta = meta[keep]
        return outcomes
