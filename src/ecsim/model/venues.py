"""Venues at run time: agendas, who is seated at a table for an issue, and how their votes weigh.

A venue (:class:`~ecsim.model.regimes.Venue`, data) names its deciders and consulted
stakeholders with selectors (:mod:`ecsim.model.selectors`).  When an issue reaches
its table, :func:`seat` turns those into stakeholders, decision weights (a
*weighting*, :mod:`ecsim.model.weightings`), the best technical expertise
present, and the share of the issue's relevant stakeholders at the table (seed 1e).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecsim.model import selectors
from ecsim.model.issues import Issue
from ecsim.model.population import Population
from ecsim.model.regimes import Venue
from ecsim.model.weightings import WEIGHTINGS


# ------------------------------------------------------------------------------- agendas
class Agenda:
    """A venue's agenda at run time: the queue and the number of open negotiations."""

    def __init__(self, venue: Venue, capacity: int | None) -> None:
        self.venue = venue
        self.capacity = capacity  # None: no shared agenda (e.g. national legislatures)
        self.queue: deque[Issue] = deque()
        self.n_open = 0

    def next(self) -> Issue | None:
        """The next queued issue if the venue has room for another negotiation (it then counts as open)."""
        if not self.queue or (self.capacity is not None and self.n_open >= self.capacity):
            return None
        self.n_open += 1
        return self.queue.popleft()


# ------------------------------------------------------------------------------- seating
@dataclass(eq=False)
class Seat:
    """An issue at a venue's table: who sits there and with what weight.

    The negotiation itself (positions, rounds) lives in the model's
    :class:`~ecsim.model.negotiation.NegotiationTable`, keyed by the issue's id.
    """

    issue: Issue
    venue: Venue
    rule: str  # the decision rule in force (the venue's, or the model's decision_rule parameter)
    positions: np.ndarray  # every stakeholder's position on the issue (global index)
    deciders: np.ndarray  # global stakeholder indices, sorted
    weights: np.ndarray  # each decider's vote
    consulted: np.ndarray  # global indices of the consulted (not deciding) stakeholders
    expertise: float  # best technical expertise at the table (0 if none)
    participation: float  # share of the issue's relevant stakeholders at the table
    governments_decide: bool  # then only the governments that sign ratify (jurisdictional coverage)
    firms_decide: bool  # then only the firms that sign are bound

    @property
    def participants(self) -> int:
        return int(self.deciders.size + self.consulted.size)


def seat(issue: Issue, venue: Venue, positions: np.ndarray, pop: Population, p: dict[str, Any]) -> Seat:
    """Seat ``issue`` at ``venue``: deciders and weights, the consulted, expertise and participation."""
    decides = selectors.mask(venue.deciders, issue, pop)
    consults = selectors.mask(venue.consulted, issue, pop) & ~decides if venue.consulted else decides & False
    deciders, consulted = decides.nonzero()[0], consults.nonzero()[0]
    at_table = decides | consults
    experts = (at_table[pop.slices["technical"]]).nonzero()[0]
    relevant = selectors.involved(issue, pop)  # disjoint blocks, each without repeats
    n_relevant = sum(r.size for r in relevant)
    relevant_at_table = sum(np.count_nonzero(at_table[r]) for r in relevant)
    return Seat(
        issue=issue,
        venue=venue,
        rule=p["decision_rule"] if venue.decision_rule == "parameter" else venue.decision_rule,
        positions=positions,
        deciders=deciders,
        weights=WEIGHTINGS[venue.weighting](decides, deciders, pop),
        consulted=consulted,
        expertise=float(pop.expertise[experts].max()) if experts.size else 0.0,
        participation=relevant_at_table / max(n_relevant, 1),
        governments_decide=bool(decides[pop.slices["government"]].any()),
        firms_decide=bool(decides[pop.slices["company"]].any()),
    )
