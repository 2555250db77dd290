"""The stakeholders as Mesa agents (seed 1c, 1e, 1g, 2a).

Agents are the public face of the model: inspect them with Mesa's AgentSet
(``model.agents_by_type[Company].agg("market_share", max)``,
``model.agents.groupby("constituency")``) or read one agent's attributes.
Each agent is a *view* onto one row of :class:`ecsim.model.population.Population`,
the single source of truth that the model's vectorised step updates; agents
hold no copy of their state, so what an agent reports is always current.
"""

from __future__ import annotations

import itertools
import weakref
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import mesa

from ecsim.data import State, group_names, state_records

if TYPE_CHECKING:
    from ecsim.model.bindings import Bindings
    from ecsim.model.population import Population


class _World(Protocol):
    """What agents read from their model (the arrays they are views onto)."""

    population: Population
    bindings: Bindings


class _IdCounters(weakref.WeakKeyDictionary):
    """Mesa 3.3's per-model ``unique_id`` counters, holding each model weakly.

    Mesa 3.3 keeps them in the class attribute ``mesa.Agent._ids``, a plain
    dictionary keyed by the model, so every model ever built stays in memory
    with all its agents and arrays (Mesa issue 3179, fixed upstream in PR 3180
    for Mesa 3.4): a long sweep grows by about a megabyte per run until the
    out-of-memory killer stops it.  Same ids (from 1 in each model), but a
    finished model is freed.  Mesa 3.4 and later number agents in the model and
    never read this attribute.
    """

    def __init__(self) -> None:
        super().__init__()
        self._last: tuple[weakref.ref, itertools.count] | None = None  # the model agents were last created for

    def __getitem__(self, model: Any) -> itertools.count:
        last = self._last
        if last is not None and last[0]() is model:  # a model creates its agents one after another
            return last[1]
        try:
            counter = super().__getitem__(model)
        except KeyError:
            counter = self[model] = itertools.count(1)
        self._last = (weakref.ref(model), counter)
        return counter


#: The agent class of each constituency (a :class:`Stakeholder` subclass registers itself by its ``constituency``).
AGENT_CLASSES: dict[str, type[Stakeholder]] = {}


class Stakeholder(mesa.Agent):
    """A stakeholder: one row (``index``, global) of the population arrays."""

    constituency: ClassVar[str] = ""
    model: _World  # type: ignore[assignment]  # an EnhancedCooperationModel
    _ids: ClassVar[_IdCounters] = _IdCounters()  # not mesa.Agent's: see _IdCounters

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.constituency:
            AGENT_CLASSES[cls.constituency] = cls

    def __init__(self, model: Any, index: int) -> None:
        super().__init__(model)
        self.index = int(index)

    @property
    def local_index(self) -> int:
        """Row of this agent in its constituency's own arrays."""
        return self.index - self.model.population.slices[self.constituency].start

    @property
    def stringency_preference(self) -> float:
        """The stringency of norm this stakeholder usually prefers (0-1)."""
        return float(self.model.population.preference[self.index])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(unique_id={self.unique_id}, index={self.index})"


#: A government beyond the 193 UN member states (``n_governments`` > 193): no code, no group, no membership.
HYPOTHETICAL = State(iso3="", iso2="", name="", group="", memberships=frozenset(), cctld="", rir="")


class Government(Stakeholder):
    """A state: one vote in multilateral fora (seed 1b), law and enforcement at home (seed 1f).

    Each government is a UN member state (``ecsim.data``; which one: ``Population.state``): its codes, name,
    regional group and memberships are views onto the state table, like its other attributes onto the
    population's arrays.
    """

    constituency = "government"

    @property
    def enforcement_capacity(self) -> float:
        """Chance that this state detects a breach of law in its jurisdiction."""
        return float(self.model.population.enforcement_capacity[self.local_index])

    @property
    def state(self) -> State:
        """Its row of the state table (:func:`ecsim.data.state_records`); empty for a hypothetical state."""
        row = int(self.model.population.state[self.local_index])
        return state_records()[row] if row >= 0 else HYPOTHETICAL

    @property
    def iso3(self) -> str:
        """ISO 3166-1 alpha-3 code, e.g. ``"NAM"``."""
        return self.state.iso3

    @property
    def name(self) -> str:
        """The UN's short name of the state."""
        return self.state.name

    @property
    def group(self) -> str:
        """The code of its UN regional group (``ecsim.data.regional_groups()``), e.g. ``"african"``."""
        return self.state.group

    @property
    def group_name(self) -> str:
        """The name of its UN regional group, e.g. ``"African Group"``."""
        return group_names().get(self.group, "")

    @property
    def memberships(self) -> frozenset[str]:
        """The organisations of ``ecsim.data.MEMBERSHIPS`` it belongs to, e.g. ``{"oecd", "eu", "coe"}``."""
        return self.state.memberships

    def member_of(self, organisation: str) -> bool:
        """Whether it is a member of ``organisation`` (a key of ``ecsim.data.MEMBERSHIPS``)."""
        return organisation in self.state.memberships

    @property
    def cctld(self) -> str:
        """Its country-code top-level domain, e.g. ``".na"``."""
        return self.state.cctld


class Company(Stakeholder):
    """A firm: causes harm in proportion to size and intensity (seed 1g); decides to comply."""

    constituency = "company"

    @property
    def market_share(self) -> float:
        return float(self.model.population.market_share[self.local_index])

    @property
    def harm_intensity(self) -> float:
        return float(self.model.population.harm_intensity[self.local_index])

    @property
    def boldness(self) -> float:
        """Learned propensity to defect from norms (adapts during the run)."""
        return float(self.model.population.boldness[self.local_index])

    @property
    def vengefulness(self) -> float:
        """Propensity to punish a peer's defection from a self-regulatory norm (evolves; norms game)."""
        return float(self.model.population.vengefulness[self.local_index])

    @property
    def norms_bound(self) -> int:
        """Number of norms in force that bind this firm."""
        return int((self.model.bindings.firm == self.local_index).sum())

    @property
    def compliance(self) -> float:
        """Share of the norms binding this firm that it complies with now (NaN if none)."""
        mine = self.model.bindings.firm == self.local_index
        return float(self.model.bindings.complying[mine].mean()) if mine.any() else float("nan")


class CivilSocietyOrg(Stakeholder):
    """An NGO, academic or users' group: raises issues, gives input, monitors, names and shames (seed 2a)."""

    constituency = "cso"

    @property
    def monitoring_effort(self) -> float:
        return float(self.model.population.monitoring_effort[self.local_index])


class TechnicalOrg(Stakeholder):
    """ICANN, ISOC, an RIR, a standards body or a ccTLD registry (seed 1c): brings technical expertise."""

    constituency = "technical"

    @property
    def expertise(self) -> float:
        return float(self.model.population.expertise[self.local_index])

    @property
    def name(self) -> str:
        """The body's name (``"ICANN"``, ``".de registry (Germany)"``) with technical_community="named"; else ""."""
        community = self.model.population.technical
        return community.names[self.local_index] if community is not None else ""

    @property
    def kind(self) -> str:
        """What kind of body it is (``ecsim.data.TECHNICAL_KINDS``: ``"icann"``, ``"rir"``, ...), or "" if stylised."""
        community = self.model.population.technical
        return community.kinds[self.local_index] if community is not None else ""


def create_agents(model: mesa.Model, population: Population) -> None:
    """One agent per stakeholder of ``population``, of its constituency's class, each a view onto its row.

    What Mesa's ``Agent.create_agents`` does, without its throwaway AgentSet.
    """
    for constituency, block in population.slices.items():
        agent_class = AGENT_CLASSES[constituency]
        for index in range(block.start, block.stop):
            agent_class(model, index)
