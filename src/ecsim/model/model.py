"""EnhancedCooperationModel: stakeholders negotiate norms on issues under a regime.

One step is one month; ``step()`` runs the schedule of docs/ODD.md §3, one named call per stage.  This module
only orchestrates: each mechanism lives in its own module (the table in docs/ARCHITECTURE.md); those with a
switch (on by default; 0 turns it off) act only when it is on.

1. ``raise_issues``: the regime routes new issues to their venues (seed 1g), contested ones to the national
   legislatures until their remit is agreed (:mod:`~ecsim.model.remit`; seed 1f); failed issues return, at
   another forum where there is one (``raise_again``, :mod:`~ecsim.model.returns`; seed 1f, 1g);
2. ``fill_agendas``: venues seat queued issues while their agendas have room (``open_negotiation``;
   :mod:`~ecsim.model.venues`, :mod:`~ecsim.model.sittings`);
3. ``negotiate``: every open negotiation plays a round (:mod:`~ecsim.model.negotiation`, red lines in
   :mod:`~ecsim.model.deadlock`; seed 2a); adopted norms bind firms (``bring_into_force``; :mod:`~ecsim.model.norms`,
   :mod:`~ecsim.model.legitimacy`; seed 1b, 1e, 1f, 1g), failed issues are set to return (``set_to_return``);
4. ``comply``: bound firms comply or defect (:mod:`~ecsim.model.compliance`); peers play the norms game
   (:mod:`~ecsim.model.peer`);
5. ``review``: reports escalate, relax and renew norms, which age (:mod:`~ecsim.model.reports`,
   :mod:`~ecsim.model.revision`; seed 1d, 1e, 2a);
6. ``discuss``: once a year the IGF discusses the open public-policy issues (:mod:`~ecsim.model.igf`; seed 1a, 2a);
7. ``account``: harm and the step's metrics (:mod:`~ecsim.model.accounting`), collected by a Mesa DataCollector
   (:mod:`~ecsim.model.collector`).
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
from ecsim.model.agents import create_agents
from ecsim.model.bindings import Bindings
from ecsim.model.collector import StepMetrics
from ecsim.model.issues import Issue, draw_issues, issue_positions
from ecsim.model.ledger import IssueLedger
from ecsim.model.metrics import METRICS
from ecsim.model.negotiation import Outcome
from ecsim.model.peer import PeerEnforcement
from ecsim.model.population import draw_population
from ecsim.model.regimes import Regime, Venue, resolve_regime
from ecsim.model.sittings import Sittings
from ecsim.model.state_harm import state_shares
from ecsim.params import validate
from ecsim.rng import SeedLike, Substreams, root_sequence, stream, stream_sequence


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
        self.seed_sequence = seed = root_sequence(rng)
        super().__init__(rng=stream_sequence(seed, "process"))
        p = self.params
        self.population = draw_population(stream(seed, "population"), p)
        create_agents(self, self.population)  # views onto the population's rows
        self.issues: list[Issue] = draw_issues(stream(seed, "issues"), self.population, p)
        self.ledger = IssueLedger(self.issues, state_shares(self.issues, p["state_harm_share"]))
        self.bindings = Bindings()
        self.peers = PeerEnforcement(self.population.boldness, self.population.vengefulness, self.ledger.sanction, p)
        self.sittings = Sittings(self.population, p, self.rng)
        self.table, self._seats, self._load = self.sittings.table, self.sittings.seats, self.sittings.load
        self.agendas = venues.Agendas(p["negotiation_budget"], p["agenda_capacity"])
        for venue in self.regime.venues:
            self.agendas.add(venue, self.regime.capacity)
        self._venues = {v.name: v for v in self.regime.venues}  # every venue an issue can be routed to, by name
        self._position_streams = Substreams(stream_sequence(seed, "issue_positions"))
        # the switched mechanisms (docs/ODD.md §7): each inert while its switch is off
        self.returns = returns.Returns.of(p)
        self.remit = remit.dispute(seed, self.issues, self.regime, p, self.ledger, self.agendas)
        self.blocs = deadlock.blocs(seed, self.population.state, p["bloc_cohesion"], p["bloc_source"])
        self.standing = legitimacy.Standing()  # each venue's legitimacy stock (moves only with overreach on)
        self._ratification_streams = legitimacy.streams(seed, p)
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
    def _start_step(self) -> int:
        now = self.steps  # Mesa 3.3 counts the step before calling step()
        if now > self.params["steps"]:
            self.steps -= 1
            raise RuntimeError(f"the run has reached steps={self.params['steps']}; build a model with more steps")
        self._step_cost = 0
        return now

    def raise_issues(self, now: int) -> None:
        """1. Route the issues raised this step to their venues (seed 1g); contested ones, while the remit
        dispute lasts, to the national legislatures (seed 1f); then failed issues due back return."""
        dispute = self.remit
        for issue in self.ledger.raised(now):
            if dispute is not None and dispute.handles(issue):  # seated at once, before the legislatures
                self._seats[issue.id] = self.open_negotiation(
                    issue, dispute.hold(issue, self.ledger, self.agendas), now
                )
                continue
            venue = self.regime.routes[issue.category]
            self.ledger.route(issue, venue.name, venue.reports)
            self.agendas[venue.name].queue.append(issue)
        if dispute is not None:
            dispute.classify(now, self.ledger, self.regime, self.agendas, self._seats)
        if self.returns.on:
            self.raise_again(now)

    def raise_again(self, now: int) -> None:
        """1b. Failed issues due back are queued again, where the regime lets them go elsewhere at another forum."""
        for issue in self.returns.due(now):
            failed = self._venues[self.ledger.venue[issue.id]]
            venue = returns.shop(self.regime, issue.category, failed, self.ledger.tried.get(issue.id, ()))
            self.ledger.reraise(issue, venue.name, venue.reports)
            self.agendas[venue.name].queue.append(issue)

    def fill_agendas(self, now: int) -> None:
        """2. Queued issues go onto their venue's table while its agenda has room; their stakeholders are seated."""
        for agenda in dict.fromkeys(self.agendas.values()):  # each agenda once, in the regime's venue order
            while (issue := agenda.next()) is not None:
                venue = self._venues[self.ledger.venue[issue.id]]  # where it was routed (or shopped) to
                self._seats[issue.id] = self.open_negotiation(issue, venue, now)

    def open_negotiation(self, issue: Issue, venue: Venue, now: int) -> venues.Seat:
        """Seat ``issue`` at ``venue`` and put it on the negotiating table (or before the legislatures)."""
        overloaded = self.sittings.overloaded(venue)
        seat = venues.seat(issue, venue, self._positions(issue), self.population, self.params, overloaded)
        red_lines = self._reservation(seat) if self.table.red_lines and seat.rule != "unilateral" else None
        self._step_cost += self.sittings.open(seat, now, red_lines, int(self.ledger.igf_discussed[issue.id]))
        self.ledger.start(issue, seat.participants, int(seat.deciders.size), seat.participation, seat.absent, seat.fit)
        return seat

    def _positions(self, issue: Issue) -> np.ndarray:
        """Every stakeholder's position on ``issue``: a returning issue's are drawn afresh (:mod:`ecsim.model.returns`),
        on a contested issue the governments' follow their blocs (:mod:`ecsim.model.deadlock`)."""
        attempt = int(self.ledger.returns[issue.id])
        draws = returns.draws(self.seed_sequence, issue.id, attempt) if attempt else self._position_streams[issue.id]
        blocs = deadlock.correlation(self.blocs, issue.category)
        return issue_positions(draws, self.population, issue, self.params["preference_spread"], blocs)

    def _reservation(self, seat: venues.Seat) -> np.ndarray:
        """Each decider's red-line distance at ``seat`` (:func:`ecsim.model.deadlock.reservation`; ODD §7.6a)."""
        governments = self.population.slices["government"]
        return deadlock.reservation(seat, governments, self.params["outside_option"], self.params["national_reach"])

    def _delegates(self, seat: venues.Seat) -> np.ndarray:
        """The governments deciding at ``seat`` (local indices), whose delegations it takes (:class:`Sittings`)."""
        return self.sittings.delegates(seat)

    def negotiate(self, now: int) -> None:
        """3. One round at every table; adopted proposals become norms, failed ones are recorded."""
        legislating, decided = self.sittings.legislatures(now)  # national legislatures sit until they decide
        self._step_cost += self.table.cost_in_session(now) + legislating
        for outcome in self.table.play_round(now) + decided:
            seat = self.sittings.close(outcome, self.agendas, self.ledger)
            interim = self.remit is not None and outcome.key in self.remit.national  # the dispute is not settled
            if outcome.adopted:
                self.bring_into_force(self._adopt(seat, outcome), now, outcome, interim)
            elif interim:
                self.ledger.await_classification(seat.issue, outcome.rounds)
            else:
                self.ledger.fail(seat.issue, outcome.rounds, outcome.deadlocked)
                if self.returns.on:
                    self.set_to_return(seat, now)

    def _adopt(self, seat: venues.Seat, outcome: Outcome) -> norms.Norm:
        """The norm adopted at ``seat``, with what the IGF taught and its legitimacy (:mod:`ecsim.model.legitimacy`)."""
        p, i = self.params, seat.issue.id
        share = float(self.ledger.state_share[i])
        learned = igf.learned(p["igf_learning"], int(self.ledger.igf_discussed[i]))
        terms = legitimacy.terms(seat, self.standing, self._ratification_streams, p)
        return norms.adopt(seat, outcome, self.population, self.regime, p, share, learned, **terms)

    def set_to_return(self, seat: venues.Seat, now: int) -> None:
        """A failed issue returns later; governments create a forum for a category that keeps failing (seed 1f)."""
        issue = seat.issue
        regime = self.returns.fail(issue, seat.venue, now, int(self.ledger.returns[issue.id]), self.regime)
        if regime is not self.regime:  # a new forum, now the category's venue
            self.regime = regime
            forum = regime.routes[issue.category]
            self._venues[forum.name] = forum
            self.agendas.add(forum, regime.capacity)

    def bring_into_force(self, norm: norms.Norm, now: int, outcome: Outcome, interim: bool = False) -> None:
        """Record an adopted norm and bind its firms (a peer-enforced norm's firms join the norms game).

        ``interim``: a national law on a contested issue, in force while the issue stays open (ODD §7.4a).  A norm
        on an issue with an interim law in force replaces the law: its bindings are retired first.
        """
        if interim:
            self.ledger.enact_interim(norm, now, outcome.rounds)
        else:
            if self.remit is not None:
                self.remit.replace_interim(norm.issue, self.ledger, self.bindings, self.peers, self.regime)
            self.ledger.adopt(norm, now, outcome.rounds)
        norms.add_bindings(norm, self.bindings, self.peers, self.ledger.sanction, self.params["compliance_noise"])

    def comply(self, now: int) -> None:
        """4. Every bound firm decides whether to comply; a generation of the norms game ends every few steps."""
        p = self.params
        compliance.decide(self.bindings, self.population.boldness, self.rng, p["learning_rate"], self.peers)
        if now % p["imitation_interval"] == 0 and self.peers.evolve(self.bindings, self.rng):
            self.peers.refresh_pressure(self.bindings)
            self.bindings.refresh_margins(self.ledger.sanction, p["compliance_noise"])

    def review(self, now: int) -> None:
        """5. In report years, reporting venues escalate the sanctions of weak norms (seed 1d, 1e, 2a); with their
        switches on they relax costly norms and renew aged ones, and norms age (:mod:`ecsim.model.revision`)."""
        p = self.params
        if now % p["report_interval"] == 0:
            self._step_cost += reports.review(self.ledger, self.bindings, p, now)
        if p["norm_obsolescence"] > 0.0:
            revision.age(self.ledger, now, p["norm_obsolescence"])

    def discuss(self, now: int) -> None:
        """6. Once a year the IGF, where the regime has one, discusses every open public-policy issue (seed 1a, 2a):
        it decides nothing, but narrows disagreement and spreads knowledge (:mod:`ecsim.model.igf`, ODD §7.8b)."""
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
