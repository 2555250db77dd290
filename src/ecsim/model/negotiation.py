"""Negotiation at a venue: a monotonic concession protocol under a decision rule.

Each round (one step) the chair tables a proposal: the weighted mean position
of the deciders, pulled towards the mean position of the consulted
stakeholders by ``consultation_weight`` (seed 1e, 2a: inputs from the other
constituencies).  A decider accepts when the proposal lies within
``acceptance_tolerance`` of its position.  If the accepting deciders meet the
venue's decision rule the proposal is adopted as a norm; otherwise every
dissenter concedes ``concession_rate`` of its distance to the proposal
(a monotonic concession protocol in the spirit of Zeuthen's), and after
``negotiation_deadline`` rounds the negotiation fails.

Consequences the tests pin down: the rounds needed grow with the number of
deciders (the most distant of more draws is further away) and with the spread
of their positions; consensus is slower than a qualified majority, which is
slower than a simple one.  Unilateral venues (national legislatures) do not
negotiate: after ``national_lag`` steps each government whose position is at
least :data:`LEGISLATION_THRESHOLD` legislates for its own jurisdiction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Share of the deciders' weight that must accept, per rule (consensus: every
#: decider; simple majority: strictly more than half).
THRESHOLDS: dict[str, float] = {
    "consensus": 1.0,
    "qualified_majority": 2.0 / 3.0,
    "market_share_majority": 2.0 / 3.0,
    "simple_majority": 0.5,
}


def meets_rule(rule: str, accept: np.ndarray, weights: np.ndarray) -> bool:
    """Whether the accepting deciders carry the decision under ``rule``."""
    if rule == "consensus":
        return bool(accept.all())
    support = float(weights @ accept) / float(weights.sum())
    if rule == "simple_majority":
        return support > 0.5 + 1e-12
    return support >= THRESHOLDS[rule] - 1e-12


#: A government legislates alone only if it wants a norm at least this stringent.
LEGISLATION_THRESHOLD = 0.5


@dataclass(eq=False)
class Negotiation:
    """One issue on one venue's table.  Positions are the deciders' current ones."""

    issue_id: int
    rule: str
    deciders: np.ndarray  # global stakeholder indices
    weights: np.ndarray  # decision weights (sum > 0)
    positions: np.ndarray  # current positions of the deciders (modified by concession)
    anchor: float  # mean position of the consulted (NaN when nobody is consulted)
    consultation_weight: float
    tolerance: float
    concession_rate: float
    deadline: int
    lag: int = 0  # for unilateral venues: steps before legislation
    per_round_cost: int = 0  # participant-rounds charged per round
    rounds: int = 0
    proposal: float = float("nan")
    supporters: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))

    def __post_init__(self) -> None:
        total = self.weights.sum()
        self._share = self.weights / total if total > 0 else self.weights
        self._pull = 0.0 if np.isnan(self.anchor) else self.consultation_weight

    def table_proposal(self) -> float:
        """The chair's proposal for this round."""
        p = float(self._share @ self.positions)
        if self._pull:
            p += self._pull * (self.anchor - p)
        return p

    def round(self) -> str | None:
        """Play one round; return ``"adopted"``, ``"failed"`` or None (still open)."""
        self.rounds += 1
        if self.deciders.size == 0:
            return "failed"
        if self.rule == "unilateral":
            if self.rounds <= self.lag:
                return None
            self.supporters = self.positions >= LEGISLATION_THRESHOLD
            if not self.supporters.any():
                return "failed"
            self.proposal = float(self.positions[self.supporters].mean())
            return "adopted"
        p = self.table_proposal()
        gap = p - self.positions
        accept = np.abs(gap) <= self.tolerance
        if meets_rule(self.rule, accept, self._share):
            self.proposal, self.supporters = p, accept
            return "adopted"
        if self.rounds >= self.deadline:
            return "failed"
        # Dissenters concede part of their distance; accepting deciders hold still.
        self.positions += self.concession_rate * np.where(accept, 0.0, gap)
        return None
