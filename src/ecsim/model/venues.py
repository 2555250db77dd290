"""Venues: the negotiating tables (data), their agendas at run time, and who is seated for an issue.

A :class:`Venue` is a negotiating table: who decides (and with what weights and
rule), who is consulted, what it may legitimately decide (its remit), whether
it shares a limited agenda, which enforcement backs its norms, and whether it
publishes performance reports (seed 1e, 1g, 2a).  A venue names its deciders and consulted
stakeholders with selectors (:mod:`ecsim.model.selectors`).  When an issue reaches
its table, :func:`seat` turns those into stakeholders, decision weights (a
*weighting*, :mod:`ecsim.model.weightings`), the best technical expertise
present, the share of the issue's relevant stakeholders at the table (seed 1e), and
the table's fit for the issue (:mod:`ecsim.model.fit`: who decides, and which relevant
stakeholders are heard at drafting).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecsim.model import selectors
from ecsim.model.enforcement import ENFORCEMENTS
from ecsim.model.fit import table_fit
from ecsim.model.issues import Issue
from ecsim.model.population import Population
from ecsim.model.weightings import WEIGHTINGS
from ecsim.params import CATEGORIES, DECISION_RULES

# ------------------------------------------------------------------------------- venues (data)
#: ``"parameter"`` means: the model's ``decision_rule`` parameter.  ``"unilateral"``
#: means each decider acts alone for its own jurisdiction (national legislation).
VENUE_RULES: tuple[str, ...] = (*DECISION_RULES, "unilateral", "parameter")
PUBLIC_POLICY: frozenset[str] = frozenset(CATEGORIES) - {"technical_operational"}


class RegimeError(ValueError):
    """A regime or venue definition is malformed."""


@dataclass(frozen=True)
class Venue:
    """A negotiating table (see the module docstring for the selectors)."""

    name: str
    deciders: tuple[str, ...]
    decision_rule: str
    remit: frozenset[str]
    enforcement: str
    consulted: tuple[str, ...] = ()
    weighting: str = "equal"
    consult_every_round: bool = False
    shared_agenda: bool = True
    reports: bool = False
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        def check(what: str, values: tuple[str, ...] | frozenset[str], allowed: tuple[str, ...]) -> None:
            for v in values:
                if v not in allowed:
                    raise RegimeError(f"venue {self.name!r}: {what} {v!r} is not one of {', '.join(allowed)}")

        object.__setattr__(self, "deciders", tuple(self.deciders))
        object.__setattr__(self, "consulted", tuple(self.consulted))
        object.__setattr__(self, "remit", frozenset(self.remit))
        if not self.deciders:
            raise RegimeError(f"venue {self.name!r}: needs at least one decider selector")
        names = tuple(selectors.selectors())
        check("decider", self.deciders, names)
        check("consulted", self.consulted, names)
        check("remit category", self.remit, CATEGORIES)
        check("decision_rule", (self.decision_rule,), VENUE_RULES)
        check("enforcement", (self.enforcement,), tuple(ENFORCEMENTS))
        check("weighting", (self.weighting,), tuple(WEIGHTINGS))


# The venue kinds the built-in routings use (ecsim.model.regimes.ROUTINGS); a regime's consultation and
# reporting shape them (their consulted and reports fields here are the unshaped defaults).
NATIONAL = Venue(
    name="national_legislatures",
    deciders=("affected_governments",),
    decision_rule="unilateral",
    remit=PUBLIC_POLICY,
    enforcement="state_law",
    shared_agenda=False,
    description="Each affected government legislates alone for its own jurisdiction.",
    source="seed 1b, 1f (national public policy is the exclusive realm of states)",
)
CENTRAL_FORUM = Venue(
    name="central_forum",
    deciders=("governments",),
    decision_rule="parameter",
    remit=frozenset({"international", "critical_resources", "corporate_harm"}),
    enforcement="state_law",
    description="One homogeneous intergovernmental forum of all governments.",
    source="seed 1g ('a centralised or homogenous model ... will not suffice')",
)
MULTILATERAL_FORUM = Venue(
    name="multilateral_forum",
    deciders=("affected_governments",),
    decision_rule="parameter",
    remit=frozenset({"international", "critical_resources"}),
    enforcement="state_law",
    description="The appropriate forum of the governments concerned, on an equal footing.",
    source="seed 1b, 1f (Tunis §69); seed 2a point 1",
)
INTERNET_INSTITUTIONS = Venue(
    name="internet_institutions",
    deciders=("technical", "affected_governments"),
    decision_rule="qualified_majority",
    weighting="constituency",
    remit=frozenset({"critical_resources"}),
    enforcement="interoperability",
    description="Internet institutions with relevant international organisations develop principles.",
    source="seed 1c (Tunis §70); seed 2a point 2",
)
INDUSTRY_SELF_REGULATION = Venue(
    name="industry_self_regulation",
    deciders=("causing_companies",),
    decision_rule="market_share_majority",
    weighting="market_share",
    remit=frozenset({"corporate_harm"}),
    enforcement="industry_sanction",
    description="The firms that cause the harm agree a code.",
    source="seed 1g, 2a point 3 (self-regulation by the private sector first)",
)
TECHNICAL_COMMUNITY = Venue(
    name="technical_community",
    deciders=("relevant_technical",),
    decision_rule="qualified_majority",
    remit=frozenset({"technical_operational", "critical_resources"}),
    enforcement="interoperability",
    description="Standards bodies and operators settle day-to-day technical and operational matters.",
    source="seed 1b (technical matters are exempt from enhanced cooperation), 1c",
)


# ------------------------------------------------------------------------------- agendas
class Agenda:
    """A queue of issues and the negotiations open from it, up to ``capacity`` (None: no limit).

    Under ``capacity="shared"`` every venue of enhanced cooperation of a regime draws on one agenda (one
    negotiating budget, issues taken in order of arrival); under ``"per_venue"`` each venue has its own.
    """

    def __init__(self, capacity: int | None) -> None:
        self.capacity = capacity
        self.queue: deque[Issue] = deque()
        self.n_open = 0

    def next(self) -> Issue | None:
        """The next queued issue if there is room for another negotiation (it then counts as open)."""
        if not self.queue or (self.capacity is not None and self.n_open >= self.capacity):
            return None
        self.n_open += 1
        return self.queue.popleft()


class Agendas(dict[str, Agenda]):
    """Each venue's agenda, by venue name, in the order the venues were added (the order agendas fill in).

    Venues of enhanced cooperation draw on one negotiating budget (``negotiation_budget``) under capacity
    ``"shared"``, or each on its own (``agenda_capacity``) under ``"per_venue"``; legislatures have no limit.
    """

    def __init__(self, budget: int, capacity: int) -> None:
        super().__init__()
        self._shared = Agenda(budget)
        self._capacity = capacity

    def add(self, venue: Venue, capacity: str) -> None:
        """Give ``venue`` its agenda under the regime's ``capacity`` dimension."""
        if not venue.shared_agenda:
            self[venue.name] = Agenda(None)
        else:
            self[venue.name] = self._shared if capacity == "shared" else Agenda(self._capacity)


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
    fit: float  # fit for purpose of the table for the issue (ecsim.model.fit), in [0, 1]
    governments_decide: bool  # then only the governments that sign ratify (jurisdictional coverage)
    firms_decide: bool  # then only the firms that sign are bound
    absent: int = 0  # governments that should decide here but whose delegations are all busy elsewhere

    @property
    def participants(self) -> int:
        return int(self.deciders.size + self.consulted.size)


def seat(
    issue: Issue,
    venue: Venue,
    positions: np.ndarray,
    pop: Population,
    p: dict[str, Any],
    overloaded: np.ndarray | None = None,
) -> Seat:
    """Seat ``issue`` at ``venue``: deciders and weights, the consulted, expertise, participation and fit.

    ``overloaded`` (per government) marks the governments whose delegations are all busy at other
    tables: they are absent from this one (neither deciding nor consulted); ``absent`` counts those that
    would have decided.
    """
    decides = selectors.mask(venue.deciders, issue, pop)
    consults = selectors.mask(venue.consulted, issue, pop) & ~decides if venue.consulted else decides & False
    absent = 0
    if overloaded is not None:  # an overloaded government can neither decide nor be consulted here
        block = pop.slices["government"]
        absent = int(np.count_nonzero(decides[block] & overloaded))
        decides[block] &= ~overloaded
        consults[block] &= ~overloaded
    deciders, consulted = decides.nonzero()[0], consults.nonzero()[0]
    at_table = decides | consults
    experts = (at_table[pop.slices["technical"]]).nonzero()[0]
    relevant = selectors.involved(issue, pop)  # disjoint blocks, each without repeats
    n_relevant = sum(r.size for r in relevant.values())
    relevant_at_table = sum(np.count_nonzero(at_table[r]) for r in relevant.values())
    heard = [c for c, r in relevant.items() if np.count_nonzero(consults[r])] if consulted.size else []  # at drafting
    weights = WEIGHTINGS[venue.weighting](decides, deciders, pop)
    return Seat(
        issue=issue,
        venue=venue,
        rule=p["decision_rule"] if venue.decision_rule == "parameter" else venue.decision_rule,
        positions=positions,
        deciders=deciders,
        weights=weights,
        consulted=consulted,
        expertise=float(pop.expertise[experts].max()) if experts.size else 0.0,
        participation=relevant_at_table / max(n_relevant, 1),
        fit=table_fit(issue.category, deciders, weights, heard, pop, p["consultation_weight"]),
        governments_decide=bool(decides[pop.slices["government"]].any()),
        firms_decide=bool(decides[pop.slices["company"]].any()),
        absent=absent,
    )
