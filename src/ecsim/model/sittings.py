"""The negotiations open in a run (stages 2 and 3 of docs/ODD.md §3): the table, the seats and what they take.

The model decides what opens and when (``open_negotiation``) and what comes of it (``negotiate``);
:class:`Sittings` keeps the books between: the negotiating table every open negotiation plays on
(:class:`~ecsim.model.negotiation.NegotiationTable`), where each open issue sits, how many seats each
government's delegations fill (a government whose delegations are all busy is absent from a new table,
§7.4), and when the national legislatures seized of an issue decide (``national_lag`` steps later, §7.7).
Nothing here draws but the table's protocol, from the model's ``process`` stream.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from ecsim.model import igf, selectors
from ecsim.model.constituencies import CONSTITUENCIES
from ecsim.model.negotiation import NegotiationTable, Outcome, legislate
from ecsim.model.population import Population
from ecsim.model.venues import Seat, Venue
from ecsim.model.weightings import mean

if TYPE_CHECKING:
    from ecsim.model.ledger import IssueLedger
    from ecsim.model.venues import Agendas


def session_interval(venue: Venue, interval: int) -> int:
    """Months between the sessions of ``venue`` (ODD §7.6c): ``interval`` for a forum where governments alone
    decide together (the central, a multilateral or a new forum: diplomats meet in sessions, between which
    delegations consult their capitals); every month (1) for a table where firms, technical bodies or civil
    society decide, which works continuously."""
    return int(interval) if _governments_alone(venue) else 1


@functools.cache
def _governments_alone(venue: Venue) -> bool:
    """Whether only governments decide at ``venue``, together (asked at every opening: kept per venue)."""
    government = CONSTITUENCIES["government"].name
    table = selectors.selectors()
    return venue.decision_rule != "unilateral" and all(table[n].constituency == government for n in venue.deciders)


class Sittings:
    """The open negotiations of a run: at the table (:attr:`table`) or before the national legislatures."""

    def __init__(self, population: Population, p: dict[str, Any], rng: np.random.Generator) -> None:
        self.table = NegotiationTable(
            p["acceptance_tolerance"],
            p["concession_rate"],
            protocol=p["negotiation_protocol"],
            confidence_bound=p["confidence_bound"],
            rng=rng,
            red_lines=p["outside_option"] > 0.0,
        )
        self.seats: dict[int, Seat] = {}  # issues on a table or before legislatures, by id
        self.load = np.zeros(population.delegation.size, dtype=np.int64)  # each government's seats taken
        self._delegation = population.delegation
        self._governments = population.slices["government"]
        self._legislating: dict[int, tuple[int, int]] = {}  # issues before legislatures: (step of decision, cost)
        self._p = p

    def overloaded(self, venue: Venue) -> np.ndarray | None:
        """The governments whose delegations are all busy, at a ``venue`` that takes delegations (else None)."""
        return self.load >= self._delegation if venue.decision_rule != "unilateral" else None

    def delegates(self, seat: Seat) -> np.ndarray:
        """The governments deciding at ``seat`` (local indices): their delegations are taken while it lasts."""
        block = self._governments
        lo, hi = seat.deciders.searchsorted([block.start, block.stop])
        return seat.deciders[lo:hi] - block.start

    def open(self, seat: Seat, now: int, reservation: np.ndarray | None, sessions: int) -> int:
        """Open the negotiation at ``seat``: at the table, or before the legislatures (legislating at home).

        Its governments' delegations are taken (legislating at home takes none).  At the table, the deciders'
        red-line distances are ``reservation`` (None: no red lines), and the issue's ``sessions`` at the IGF
        while it waited narrow their disagreement (ODD §7.8b).  Returns what drafting costs this step: the
        consulted heard once (a venue that consults every round pays them with each round instead).
        """
        p, key = self._p, seat.issue.id
        if seat.venue.decision_rule != "unilateral":
            self.load[self.delegates(seat)] += 1
        consulted_each_round = seat.consulted.size if seat.venue.consult_every_round else 0
        cost_per_round = int(seat.deciders.size + consulted_each_round)
        if seat.rule == "unilateral":
            self._legislating[key] = (now + p["national_lag"], cost_per_round)
        else:
            self.table.open(
                key=key,
                rule=seat.rule,
                positions=seat.positions[seat.deciders],
                weights=seat.weights,
                anchor=mean(seat.positions[seat.consulted]) if seat.consulted.size else float("nan"),
                consultation_weight=p["consultation_weight"],
                deadline=p["negotiation_deadline"],
                cost_per_round=cost_per_round,
                reservation=reservation,
                opened=now,
                interval=session_interval(seat.venue, p["session_interval"]),
                narrowed=igf.learned(p["igf_learning"], sessions) if sessions else 0.0,  # discussed at the IGF
            )
        return int(seat.consulted.size) - consulted_each_round

    def legislatures(self, now: int) -> tuple[int, list[Outcome]]:
        """The legislatures sit until they decide: (what sitting costs this step, the decisions due at ``now``)."""
        cost, decided = 0, []
        for key, (due, per_step) in list(self._legislating.items()):
            cost += per_step
            if due == now:
                del self._legislating[key]
                seat = self.seats[key]
                decided.append(legislate(key, seat.positions[seat.deciders], self._p["national_lag"] + 1))
        return cost, decided

    def close(self, outcome: Outcome, agendas: Agendas, ledger: IssueLedger) -> Seat:
        """The negotiation of ``outcome`` ends: its seat, its place on its venue's agenda and its delegations are
        freed, and the last vote at a table is recorded in ``ledger`` (for, against, absent)."""
        seat = self.seats.pop(outcome.key)
        agendas[seat.venue.name].n_open -= 1
        if seat.venue.decision_rule != "unilateral":
            self.load[self.delegates(seat)] -= 1
            votes_for = int(np.count_nonzero(outcome.supporters))
            ledger.vote(seat.issue, votes_for, int(seat.deciders.size) - votes_for, seat.absent)
        return seat
