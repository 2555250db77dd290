"""EnhancedCooperationModel: stakeholders negotiate norms on issues under a regime.

One step is one month; ``step()`` runs the schedule of docs/ODD.md §3, each stage a
named mechanism in its own module:

1. newly raised issues are routed by the regime to their venue (seed 1g); with the remit dispute
   on, a contested international issue goes to the national legislatures until the governments
   agree it is international, and then to its venue (:mod:`~ecsim.model.remit`; seed 1f); failed
   issues return, at another forum where the regime has one (:mod:`~ecsim.model.returns`; seed
   1f, 1g); both switched off by default;
2. each venue moves queued issues onto its table up to ``agenda_capacity`` and seats
   their stakeholders (:mod:`~ecsim.model.venues`);
3. every open negotiation plays one round (:mod:`~ecsim.model.negotiation`); adopted
   proposals become norms that bind firms (:mod:`~ecsim.model.norms`; seed 1f, 1g, 2a),
   failed ones are recorded (:mod:`~ecsim.model.ledger`), with the last vote at the table;
   with red lines on, a negotiation that no proposal can pass within them is deadlocked and
   fails in its first round (:mod:`~ecsim.model.deadlock`; seed 2a; switched off by default);
   failed ones are set to return when returns are on; a category that keeps failing where no
   forum fits gets a new one (seed 1f); with legitimacy or overreach on, a venue deciding
   outside its remit loses standing, and signatories ratify as far as the norm is legitimate
   in their eyes (:mod:`~ecsim.model.legitimacy`; seed 1b, 1e, 1f; switched off by default);
4. every bound firm decides whether to comply (:mod:`~ecsim.model.compliance`; with legitimacy
   on, its felt obligation to a legitimate norm offsets part of what defecting saves); peers
   enforce industry codes by the norms game (:mod:`~ecsim.model.peer`);
5. in report years, reporting venues escalate the sanctions of badly complied-with
   norms (:mod:`~ecsim.model.reports`; seed 1d, 1e, 2a); with its switches on (off by
   default), they also relax norms that cost more than they remove and renew their aged
   norms, while every norm's effect ages as technology moves (:mod:`~ecsim.model.revision`;
   seed 1d, 1e);
6. once a year the IGF, the learning forum, discusses the open public-policy issues
   (:mod:`~ecsim.model.igf`; seed 1a, 2a; switched off by default);
7. harm is accounted and the step's metrics computed (:mod:`~ecsim.model.accounting`)
   and collected by a Mesa DataCollector.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np
import pandas as pd

from ecsim.dimensions import DIMENSIONS, OWN
from ecsim.model import (
    accounting,
    compliance,
    deadlock,
    igf,
    legitimacy,
    norms,
    remit,
    reports,
    returns,
    revision,
    venues,
)
from ecsim.model.agents import AGENT_CLASSES
from ecsim.model.bindings import Bindings
from ecsim.model.issues import Issue, draw_issues, issue_positions
from ecsim.model.ledger import IssueLedger
from ecsim.model.metrics import METRICS
from ecsim.model.negotiation import NegotiationTable, Outcome, legislate
from ecsim.model.peer import PeerEnforcement
from ecsim.model.population import draw_population
from ecsim.model.regimes import Regime, Venue, resolve_regime
from ecsim.model.state_harm import state_shares
from ecsim.model.weightings import mean
from ecsim.params import validate
from ecsim.rng import SeedLike, Substreams, root_sequence, stream, stream_sequence


class StepMetrics(mesa.DataCollector):
    """Mesa's DataCollector, reading each step's metrics from the dict the model computed.

    The model computes all metrics at once (vectorised) into ``model.current_metrics``;
    this collector stores them without Mesa's per-reporter deepcopy (the values are
    plain numbers).  It stays a ``mesa.DataCollector``, so ``batch_run``, SolaraViz and
    ``get_model_vars_dataframe`` work as usual; agent reporters fall back to Mesa's code.
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(model_reporters={name: (lambda m, name=name: m.current_metrics[name]) for name in names})

    def collect(self, model: mesa.Model) -> None:
        if self.agent_reporters or self.agenttype_reporters or self.tables:
            super().collect(model)
            return
        current = model.current_metrics
        for name, values in self.model_vars.items():
            values.append(current[name])


class EnhancedCooperationModel(mesa.Model):
    """Enhanced cooperation on Internet public-policy issues (CIS input to the UN CSTD WGEC).

    Args:
        regime: ``"centralised"``, ``"flexible"``, ``"self_regulatory"``,
            ``"no_cooperation"``, a :class:`~ecsim.model.regimes.Regime`, or a
            mapping from issue category to :class:`~ecsim.model.regimes.Venue`.
        rng: the run's seed (a non-negative int or a SeedSequence; None draws
            fresh entropy, kept in ``model.seed_sequence`` so the run can be
            repeated).  Every draw derives from it.
        **params: any parameter of :func:`ecsim.parameters`; the rest take
            their defaults.  Unknown names and bad values raise
            :class:`~ecsim.params.ParameterError`.
    """

    def __init__(self, regime: str | Regime | Mapping[str, Venue] = "flexible", rng: SeedLike = None, **params: Any):
        self.params: dict[str, Any] = validate(params)
        changes = {name: self.params[name] for name in DIMENSIONS if self.params[name] != OWN}
        self.regime: Regime = resolve_regime(regime).with_dimensions(**changes)
        self.seed_sequence = root_sequence(rng)
        super().__init__(rng=stream_sequence(self.seed_sequence, "process"))
        p = self.params
        self.population = draw_population(stream(self.seed_sequence, "population"), p)
        for constituency, block in self.population.slices.items():  # agents: views onto the population's rows
            agent_class = AGENT_CLASSES[constituency]
            for index in range(block.start, block.stop):  # Agent.create_agents, without its throwaway AgentSet
                agent_class(self, index)
        self.issues: list[Issue] = draw_issues(stream(self.seed_sequence, "issues"), self.population, p)
        self.ledger = IssueLedger(self.issues, state_shares(self.issues, p["state_harm_share"]))
        self.bindings = Bindings()
        self.peers = PeerEnforcement(self.population.boldness, self.population.vengefulness, self.ledger.sanction, p)
        self.table = NegotiationTable(
            p["acceptance_tolerance"],
            p["concession_rate"],
            protocol=p["negotiation_protocol"],
            confidence_bound=p["confidence_bound"],
            rng=self.rng,
            red_lines=p["outside_option"] > 0.0,
        )
        self.agendas = self._agendas()
        self._venues = {v.name: v for v in self.regime.venues}  # every venue an issue can be routed to, by name
        self.returns = returns.Returns(p["return_delay"], p["max_returns"], p["forum_failures"])
        self.remit = self._remit_dispute() if p["contested_share"] > 0.0 else None
        self._load = np.zeros(self.population.delegation.size, dtype=np.int64)  # each government's seats taken
        self._seats: dict[int, venues.Seat] = {}  # issues on a table, by id
        self._legislating: dict[int, tuple[int, int]] = {}  # issues before legislatures: (step of decision, cost)
        self._position_streams = Substreams(stream_sequence(self.seed_sequence, "issue_positions"))
        self.blocs = self._blocs()
        self.standing = legitimacy.Standing()  # each venue's legitimacy stock (moves only with overreach on)
        self._ratification_streams = (  # drawn only with legitimacy or overreach on (ODD §7.8c)
            Substreams(stream_sequence(self.seed_sequence, "ratification")) if legitimacy.active(p) else None
        )
        self.cumulative_harm = 0.0
        self.cumulative_state_harm = 0.0  # the part of cumulative_harm that states cause (state harm, ODD §7.10a)
        self._accounts = accounting.Accounts()
        self._step_cost = 0
        self.current_metrics: dict[str, float] = {}
        self.account()
        self.datacollector = StepMetrics(METRICS)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ public API
    @property
    def hhi(self) -> float:
        """Herfindahl-Hirschman index of the firms' market shares (0-1)."""
        return self.population.hhi

    def step(self) -> None:
        """Advance one month: the schedule of docs/ODD.md §3."""
        now = self._start_step()
        self.raise_issues(now)
        self.fill_agendas(now)
        self.negotiate(now)
        self.comply(now)
        self.review(now)
        self.discuss(now)
        self.account()
        self.datacollector.collect(self)
        self.running = now < self.params["steps"]

    def run(self) -> EnhancedCooperationModel:
        """Step until ``steps``; returns the model for chaining."""
        while self.running:
            self.step()
        return self

    def metrics(self) -> pd.DataFrame:
        """The per-step metrics as a tidy DataFrame (one row per step, step 0 = start)."""
        df = self.datacollector.get_model_vars_dataframe()
        df.insert(0, "step", np.arange(len(df)))
        return df.reset_index(drop=True)

    def issue_log(self) -> pd.DataFrame:
        """One row per issue raised so far: where it went and what came of it."""
        return self.ledger.log()

    # ------------------------------------------------------------------ stages of a step
    def _agendas(self) -> dict[str, venues.Agenda]:
        """Each venue's agenda: one shared negotiating budget (capacity "shared") or one per venue."""
        self._shared_agenda = venues.Agenda(self.params["negotiation_budget"])
        return {v.name: self._agenda(v) for v in self.regime.venues}

    def _agenda(self, v: Venue) -> venues.Agenda:
        if not v.shared_agenda:
            return venues.Agenda(None)
        return (
            self._shared_agenda if self.regime.capacity == "shared" else venues.Agenda(self.params["agenda_capacity"])
        )

    def _blocs(self) -> deadlock.Blocs | None:
        """The governments' blocs (bloc cohesion on; ODD §7.6a), from their own streams; None when off."""
        if self.params["bloc_cohesion"] == 0.0:
            return None
        return deadlock.Blocs(
            stream(self.seed_sequence, "blocs"),
            self.population.delegation.size,
            self.params["bloc_cohesion"],
            Substreams(stream_sequence(self.seed_sequence, "bloc_positions")),
        )

    def _remit_dispute(self) -> remit.RemitDispute:
        """The contested issues and their classifications, from their own stream (the remit dispute, ODD §7.4a)."""
        dispute = remit.RemitDispute.draw(stream(self.seed_sequence, "remit"), self.issues, self.regime, self.params)
        self.ledger.contested[:] = dispute.contested
        if dispute.active:  # contested issues go to the national legislatures meanwhile
            self.agendas.setdefault(venues.NATIONAL.name, venues.Agenda(None))
        return dispute

    def _start_step(self) -> int:
        now = self.steps  # Mesa 3.3 counts the step before calling step()
        if now > self.params["steps"]:
            self.steps -= 1
            raise RuntimeError(f"the run has reached steps={self.params['steps']}; build a model with more steps")
        self._step_cost = 0
        return now

    def raise_issues(self, now: int) -> None:
        """1. Route the issues raised this step to their venues (seed 1g); contested ones, while the remit
        dispute lasts, to the national legislatures (seed 1f)."""
        dispute = self.remit
        for issue in self.ledger.raised(now):
            if dispute is not None and dispute.handles(issue):
                self._handle_nationally(issue, now)
                continue
            venue = self.regime.routes[issue.category]
            self.ledger.route(issue, venue.name, venue.reports)
            self.agendas[venue.name].queue.append(issue)
        if dispute is not None:
            self._classify(now)
        if self.returns.on:
            self.raise_again(now)

    def raise_again(self, now: int) -> None:
        """1b. Failed issues due back are queued again, where the regime lets them go elsewhere at another forum."""
        for issue in self.returns.due(now):
            failed = self._venues[self.ledger.venue[issue.id]]
            venue = returns.shop(self.regime, issue.category, failed, self.ledger.tried.get(issue.id, ()))
            self.ledger.reraise(issue, venue.name, venue.reports)
            self.agendas[venue.name].queue.append(issue)

    def _handle_nationally(self, issue: Issue, now: int) -> None:
        """A contested issue goes before the national legislatures of its jurisdictions (seated at once)."""
        national = venues.NATIONAL
        self.ledger.route(issue, national.name, national.reports)
        self.agendas[national.name].n_open += 1
        self._seats[issue.id] = self.open_negotiation(issue, national, now)
        self.remit.national[issue.id] = issue

    def _classify(self, now: int) -> None:
        """Record the classifications agreed this step; agreed issues the legislatures have decided go to their venue.

        An issue with an interim law in force is routed without reports until its venue's norm replaces it.
        """
        self.ledger.classified_at[self.remit.agreed_now(now, self.ledger.arrived)] = now
        for issue in self.remit.ready(now, self._seats):
            venue = self.regime.routes[issue.category]
            self.ledger.route(issue, venue.name, venue.reports and not self.ledger.interim_law[issue.id])
            self.agendas[venue.name].queue.append(issue)

    def fill_agendas(self, now: int) -> None:
        """2. Queued issues go onto their venue's table while its agenda has room; their stakeholders are seated."""
        for agenda in dict.fromkeys(self.agendas.values()):  # each agenda once, in the regime's venue order
            while (issue := agenda.next()) is not None:
                venue = self._venues[self.ledger.venue[issue.id]]  # where it was routed (or shopped) to
                self._seats[issue.id] = self.open_negotiation(issue, venue, now)

    def open_negotiation(self, issue: Issue, venue: Venue, now: int) -> venues.Seat:
        """Seat ``issue`` at ``venue`` and put it on the negotiating table (or before the legislatures)."""
        p = self.params
        attempt = int(self.ledger.returns[issue.id])  # a returning issue is negotiated on fresh positions
        draws = (
            stream(self.seed_sequence, "returns", issue.id, attempt) if attempt else self._position_streams[issue.id]
        )
        contested = self.blocs is not None and issue.category in deadlock.CONTESTED
        blocs = self.blocs.correlate if contested else None
        positions = issue_positions(draws, self.population, issue, p["preference_spread"], blocs)
        delegated = venue.decision_rule != "unilateral"  # legislating at home takes no delegation
        overloaded = self._load >= self.population.delegation if delegated else None
        seat = venues.seat(issue, venue, positions, self.population, p, overloaded)
        if delegated:
            self._load[self._delegates(seat)] += 1
        consulted_each_round = seat.consulted.size if venue.consult_every_round else 0
        cost_per_round = int(seat.deciders.size + consulted_each_round)
        if seat.rule == "unilateral":
            self._legislating[issue.id] = (now + p["national_lag"], cost_per_round)
        else:
            self.table.open(
                key=issue.id,
                rule=seat.rule,
                positions=positions[seat.deciders],
                weights=seat.weights,
                anchor=mean(positions[seat.consulted]) if seat.consulted.size else float("nan"),
                consultation_weight=p["consultation_weight"],
                deadline=p["negotiation_deadline"],
                cost_per_round=cost_per_round,
                reservation=self._reservation(seat) if self.table.red_lines else None,
            )
            if sessions := int(self.ledger.igf_discussed[issue.id]):  # discussed at the IGF while it waited
                self.table.narrow(np.array([issue.id]), igf.learned(p["igf_learning"], sessions))
        self._step_cost += int(seat.consulted.size) - consulted_each_round  # consulted once, at drafting
        self.ledger.start(issue, seat.participants, int(seat.deciders.size), seat.participation, seat.absent, seat.fit)
        return seat

    def _reservation(self, seat: venues.Seat) -> np.ndarray:
        """Each decider's red-line distance at ``seat`` (from its alternative's value; ODD §7.6a)."""
        block = self.population.slices["government"]
        reach = self.params["national_reach"] if seat.issue.cross_border else 1.0
        is_government = (seat.deciders >= block.start) & (seat.deciders < block.stop)
        positions = seat.positions[seat.deciders]
        return deadlock.reservation_distance(positions, is_government, self.params["outside_option"], reach)

    def _delegates(self, seat: venues.Seat) -> np.ndarray:
        """The governments deciding at ``seat`` (local indices): their delegations are taken while it lasts."""
        block = self.population.slices["government"]
        lo, hi = seat.deciders.searchsorted([block.start, block.stop])
        return seat.deciders[lo:hi] - block.start

    def negotiate(self, now: int) -> None:
        """3. One round at every table; adopted proposals become norms, failed ones are recorded."""
        self._step_cost += self.table.cost_per_round
        outcomes = self.table.play_round()
        for key, (due, cost) in list(self._legislating.items()):  # national legislatures sit until they decide
            seat = self._seats[key]
            self._step_cost += cost
            if due == now:
                del self._legislating[key]
                outcomes.append(legislate(key, seat.positions[seat.deciders], self.params["national_lag"] + 1))
        for outcome in outcomes:
            seat = self._seats.pop(outcome.key)
            self.agendas[seat.venue.name].n_open -= 1
            if seat.venue.decision_rule != "unilateral":
                self._load[self._delegates(seat)] -= 1
                votes_for = int(np.count_nonzero(outcome.supporters))
                self.ledger.vote(seat.issue, votes_for, int(seat.deciders.size) - votes_for, seat.absent)
            interim = self.remit is not None and outcome.key in self.remit.national  # the dispute is not settled
            if outcome.adopted:
                share = float(self.ledger.state_share[seat.issue.id])
                learned = igf.learned(self.params["igf_learning"], int(self.ledger.igf_discussed[outcome.key]))
                terms = legitimacy.terms(seat, self.standing, self._ratification_streams, self.params)
                norm = norms.adopt(seat, outcome, self.population, self.regime, self.params, share, learned, **terms)
                self.bring_into_force(norm, now, outcome, interim)
            elif interim:
                self.ledger.await_classification(seat.issue, outcome.rounds)
            else:
                self.ledger.fail(seat.issue, outcome.rounds, outcome.deadlocked)
                if self.returns.on:
                    self.set_to_return(seat, now)

    def set_to_return(self, seat: venues.Seat, now: int) -> None:
        """A failed issue returns later; governments create a forum for a category that keeps failing (seed 1f)."""
        issue = seat.issue
        self.returns.schedule(issue, now, int(self.ledger.returns[issue.id]))
        if returns.forum_needed(
            self.regime, issue.category, self.returns.failures[issue.category], self.returns.forum_after
        ):
            self.regime = returns.with_new_forum(self.regime, issue.category, seat.venue)
            forum = self.regime.routes[issue.category]
            self._venues[forum.name] = forum
            self.agendas[forum.name] = self._agenda(forum)

    def bring_into_force(self, norm: norms.Norm, now: int, outcome: Outcome, interim: bool = False) -> None:
        """Record an adopted norm and bind its firms (a peer-enforced norm's firms join the norms game).

        ``interim``: a national law on a contested issue, in force while the issue stays open (ODD §7.4a).  A norm
        on an issue with an interim law in force replaces the law: its bindings are retired first.
        """
        b, p, i = self.bindings, self.params, norm.issue.id
        if interim:
            self.ledger.enact_interim(norm, now, outcome.rounds)
        else:
            if self.remit is not None and self.ledger.interim_law[i]:
                self.peers.retired(*b.retire(i))
                self.ledger.reporting[i] = self.regime.routes[norm.issue.category].reports
            self.ledger.adopt(norm, now, outcome.rounds)
        first = len(b)
        b.add(
            norm.issue.id,
            norm.bound,
            norm.weights * norm.kappa,
            norm.gain,
            norm.reputation,
            norm.detection,
            norm.by_peers,
            norm.obligation,
        )
        if norm.by_peers:
            self.peers.bind(norm.bound)
            self.peers.refresh_pressure(b, start=first)
        b.refresh_margins(self.ledger.sanction, p["compliance_noise"], start=first)

    def comply(self, now: int) -> None:
        """4. Every bound firm decides whether to comply; a generation of the norms game ends every few steps."""
        p = self.params
        compliance.decide(self.bindings, self.population.boldness, self.rng, p["learning_rate"], self.peers)
        if now % p["imitation_interval"] == 0 and self.peers.evolve(self.bindings, self.rng):
            self.peers.refresh_pressure(self.bindings)
            self.bindings.refresh_margins(self.ledger.sanction, p["compliance_noise"])

    def review(self, now: int) -> None:
        """5. In report years, reporting venues escalate the sanctions of weak norms (seed 1d, 1e, 2a).

        With ``report_relaxation`` > 0 they also relax norms that cost more than the harm they remove is worth;
        with ``norm_obsolescence`` > 0 they renew their aged norms, and every norm's effect ages
        (:mod:`ecsim.model.revision`, docs/ODD.md §7.11a).
        """
        p = self.params
        if now % p["report_interval"] == 0:
            self._step_cost += reports.review(self.ledger, self.bindings, p, now)
        if p["norm_obsolescence"] > 0.0:
            revision.age(self.ledger, now, p["norm_obsolescence"])

    def discuss(self, now: int) -> None:
        """6. Once a year the IGF, where the regime has one, discusses every open public-policy issue (seed 1a, 2a).

        It decides nothing: its discussions narrow the disagreement at the issues' tables and spread the
        knowledge their norms' quality lacks (:mod:`ecsim.model.igf`, docs/ODD.md §7.8b).
        """
        if igf.meets(now, self.params["igf_learning"], self.regime):
            discussed = igf.agenda(self.ledger)
            self.ledger.discuss(discussed)
            self.table.narrow(discussed, self.params["igf_learning"])

    def account(self) -> None:
        """7. Harm and the step's metrics (read by the DataCollector's reporters)."""
        state_compliance = self.params["state_compliance"]
        harm = accounting.harm(self.ledger, self.bindings, state_compliance)
        self.cumulative_harm += harm
        self.cumulative_state_harm += accounting.state_harm(self.ledger, state_compliance)
        self.current_metrics = self._accounts.step_metrics(
            self.ledger,
            self.bindings,
            self.peers,
            self.population.boldness,
            harm,
            self.cumulative_harm,
            self._step_cost,
            self.cumulative_state_harm,
        )
