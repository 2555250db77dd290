"""EnhancedCooperationModel: stakeholders negotiate norms on issues under a regime.

One step is one month.  Each step (ODD §3, "process overview"):

1. newly raised issues are routed by the regime to their venue (seed 1g);
2. each venue moves queued issues onto its table up to ``agenda_capacity``;
3. every open negotiation plays one round; adopted proposals become norms
   that bind firms (seed 1f, 1g, 2a), failed ones are recorded;
4. every bound firm decides whether to comply (:mod:`ecsim.model.compliance`);
5. harm is accounted: each issue's harm rate times one minus the reduction its
   norm achieves through stringency, quality, reach and compliance;
6. in report years, reporting venues revise the enforcement of badly
   complied-with norms: their sanctions escalate (seed 1d, 1e, 2a);
7. the step's metrics are collected by a Mesa DataCollector.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np
import pandas as pd

from ecsim.model import compliance
from ecsim.model.agents import AGENT_CLASSES
from ecsim.model.issues import Issue, draw_issues, issue_positions
from ecsim.model.metrics import METRICS
from ecsim.model.negotiation import NegotiationTable, Outcome, legislate
from ecsim.model.peer import PeerEnforcement
from ecsim.model.population import CONSTITUENCIES, draw_population
from ecsim.model.regimes import Regime, Venue, resolve_regime
from ecsim.params import validate
from ecsim.rng import SeedLike, Substreams, root_sequence, stream, stream_sequence

_SELECTOR_CONSTITUENCY = {
    "governments": "government",
    "affected_governments": "government",
    "companies": "company",
    "causing_companies": "company",
    "cso": "cso",
    "affected_cso": "cso",
    "technical": "technical",
    "relevant_technical": "technical",
}
#: The relevant stakeholders of an issue (seed 1e): affected, causing, expert.
RELEVANT = ("affected_governments", "causing_companies", "affected_cso", "relevant_technical")
_SELECTOR_FIELD = {
    "affected_governments": "jurisdictions",
    "causing_companies": "causers",
    "affected_cso": "affected_cso",
    "relevant_technical": "relevant_technical",
}


def _mean(x: np.ndarray) -> float:
    """``float(x.mean())`` of a non-empty array, without ``ndarray.mean``'s Python overhead (same value)."""
    return float(np.add.reduce(x, dtype=np.float64)) / x.size


@dataclass(eq=False)
class OpenIssue:
    """An issue on a venue's table: who sits there and what adoption needs.

    The negotiation itself (positions, rounds) lives in the model's
    :class:`~ecsim.model.negotiation.NegotiationTable`, keyed by the issue's id.
    """

    issue: Issue
    venue: Venue
    deciders: np.ndarray  # global stakeholder indices, sorted (governments first)
    firms_decide: bool  # whether companies are among the deciders (then only signers are bound)
    rule: str
    positions: np.ndarray  # every stakeholder's position on the issue (global index)
    expertise: float  # best technical expertise at the table (0 if none)


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


class _Desk:
    """A venue's agenda at run time: the queue and the number of open negotiations."""

    def __init__(self, venue: Venue, capacity: int | None) -> None:
        self.venue = venue
        self.capacity = capacity  # None: no shared agenda (e.g. national legislatures)
        self.queue: deque[Issue] = deque()
        self.n_open = 0


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
        self.regime: Regime = resolve_regime(regime)
        self.seed_sequence = root_sequence(rng)
        super().__init__(rng=stream_sequence(self.seed_sequence, "process"))
        p = self.params

        self.population = draw_population(stream(self.seed_sequence, "population"), p)
        for constituency in CONSTITUENCIES:
            s = self.population.slices[constituency]
            AGENT_CLASSES[constituency].create_agents(self, s.stop - s.start, index=np.arange(s.start, s.stop))
        self.issues: list[Issue] = draw_issues(stream(self.seed_sequence, "issues"), self.population, p)

        n = len(self.issues)
        self._arrival = np.array([i.arrival for i in self.issues], dtype=np.int64)
        self._harm_rate = np.array([i.harm_rate for i in self.issues])
        self._n_arrived = 0
        # Per-issue record (one source of truth for the issue log and the metrics).
        self._venue = [""] * n
        self._outcome = ["pending"] * n
        self._participants = np.zeros(n, dtype=np.int64)
        self._deciders = np.zeros(n, dtype=np.int64)
        self._participation = np.full(n, np.nan)
        self._rounds = np.zeros(n, dtype=np.int64)
        self._stringency = np.full(n, np.nan)
        self._quality = np.full(n, np.nan)
        self._sanction = np.full(n, np.nan)
        self._detection = np.full(n, np.nan)
        self._coverage = np.zeros(n)
        self._effect = np.zeros(n)  # stringency x quality x reach of the norm in force
        self._legitimacy = np.full(n, np.nan)
        self._agreed_at = np.full(n, -1, dtype=np.int64)
        self._overreach = np.zeros(n, dtype=bool)
        self._revisions = np.zeros(n, dtype=np.int64)
        self._reporting = np.zeros(n, dtype=bool)  # whether the issue's venue publishes reports
        self.bindings = compliance.Bindings.empty()
        self.peers = PeerEnforcement(self.population.boldness, self.population.vengefulness, self._sanction, p)
        self._table = NegotiationTable(
            p["acceptance_tolerance"],
            p["concession_rate"],
            protocol=p["negotiation_protocol"],
            confidence_bound=p["confidence_bound"],
            rng=self.rng,
        )
        self._open: dict[int, OpenIssue] = {}  # issues on a table, by id
        self._legislating: dict[int, tuple[int, int]] = {}  # issues before legislatures: (step of decision, cost)
        self._position_streams = Substreams(stream_sequence(self.seed_sequence, "issue_positions"))

        self._desks: dict[str, _Desk] = {
            v.name: _Desk(v, p["agenda_capacity"] if v.shared_agenda else None) for v in self.regime.venues
        }
        self._cumulative_harm = 0.0
        self._totals = dict.fromkeys(
            ("resolved", "failed", "started", "overreach", "time_to_agreement", "participation", "legitimacy"), 0
        )
        self._step_cost = 0
        self.current_metrics: dict[str, float] = {}
        self._record_metrics()
        self.datacollector = StepMetrics(METRICS)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ public API
    @property
    def hhi(self) -> float:
        """Herfindahl-Hirschman index of the firms' market shares (0-1)."""
        return self.population.hhi

    def step(self) -> None:
        """Advance one month."""
        now = self.steps  # Mesa 3.3 counts the step before calling this method
        if now > self.params["steps"]:
            self.steps -= 1
            raise RuntimeError(f"the run has reached steps={self.params['steps']}; build a model with more steps")
        self._step_cost = 0
        self._raise_issues(now)
        for desk in self._desks.values():
            self._fill_agenda(desk, now)
        self._negotiate(now)
        p = self.params
        compliance.decide(self.bindings, self.population.boldness, self.rng, p["learning_rate"], self.peers)
        if now % p["imitation_interval"] == 0 and self.peers.evolve(self.bindings, self.rng):
            self.peers.refresh_pressure(self.bindings)
            self.bindings.refresh_margins(self._sanction, p["compliance_noise"])
        if now % p["report_interval"] == 0:
            self._performance_reports()
        self._record_metrics()
        self.datacollector.collect(self)
        self.running = now < p["steps"]

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
        k = self._n_arrived
        issues = self.issues[:k]
        agreed = self._agreed_at[:k]
        return pd.DataFrame(
            {
                "id": np.arange(k),
                "arrival": self._arrival[:k],
                "category": [i.category for i in issues],
                "harm_rate": self._harm_rate[:k],
                "complexity": [i.complexity for i in issues],
                "novelty": [i.novelty for i in issues],
                "shock": [i.shock for i in issues],
                "venue": self._venue[:k],
                "deciders": self._deciders[:k],
                "participants": self._participants[:k],
                "participation": self._participation[:k],
                "rounds": self._rounds[:k],
                "outcome": self._outcome[:k],
                "agreed_at": np.where(agreed >= 0, agreed, -1),
                "time_to_agreement": np.where(agreed >= 0, agreed - self._arrival[:k] + 1, np.nan),
                "stringency": self._stringency[:k],
                "quality": self._quality[:k],
                "sanction": self._sanction[:k],
                "detection": self._detection[:k],
                "coverage": self._coverage[:k],
                "legitimacy": self._legitimacy[:k],
                "overreach": self._overreach[:k],
                "revisions": self._revisions[:k],
            }
        )

    # ------------------------------------------------------------------ stages of a step
    def _raise_issues(self, now: int) -> None:
        """Route the issues raised this step to their venues (seed 1g)."""
        end = int(np.searchsorted(self._arrival, now, side="right"))
        for issue in self.issues[self._n_arrived : end]:
            venue = self.regime.routes[issue.category]
            self._venue[issue.id] = venue.name
            self._reporting[issue.id] = venue.reports
            self._outcome[issue.id] = "queued"
            self._desks[venue.name].queue.append(issue)
        self._n_arrived = end

    def _fill_agenda(self, desk: _Desk, now: int) -> None:
        while desk.queue and (desk.capacity is None or desk.n_open < desk.capacity):
            issue = desk.queue.popleft()
            self._open[issue.id] = self._open_negotiation(issue, desk.venue, now)
            desk.n_open += 1
            self._outcome[issue.id] = "negotiating"

    def _negotiate(self, now: int) -> None:
        """One round at every table; adopted proposals become norms."""
        self._step_cost += self._table.cost_per_round
        outcomes = self._table.play_round()
        for key, (due, cost) in list(self._legislating.items()):  # national legislatures sit until they decide
            item = self._open[key]
            self._step_cost += cost
            if due == now:
                del self._legislating[key]
                outcomes.append(legislate(key, item.positions[item.deciders], self.params["national_lag"] + 1))
        for outcome in outcomes:
            item = self._open.pop(outcome.key)
            self._desks[item.venue.name].n_open -= 1
            if outcome.adopted:
                self._adopt(item, outcome, now)
            else:
                self._fail(item, outcome)

    # ------------------------------------------------------------------ negotiation
    def _mask(self, selectors: tuple[str, ...], issue: Issue) -> np.ndarray:
        """Boolean mask (global index) of the stakeholders the selectors name for ``issue``."""
        mask = np.zeros(self.population.size, dtype=bool)
        for selector in selectors:
            s = self.population.slices[_SELECTOR_CONSTITUENCY[selector]]
            if selector in _SELECTOR_FIELD:
                mask[getattr(issue, _SELECTOR_FIELD[selector]) + s.start] = True
            else:
                mask[s] = True
        return mask

    def _open_negotiation(self, issue: Issue, venue: Venue, now: int) -> OpenIssue:
        p, pop = self.params, self.population
        positions = issue_positions(self._position_streams[issue.id], pop, issue, p["preference_spread"])
        decides = self._mask(venue.deciders, issue)
        consults = self._mask(venue.consulted, issue) & ~decides if venue.consulted else decides & False
        deciders, consulted = np.flatnonzero(decides), np.flatnonzero(consults)
        weights = np.ones(deciders.size)
        if venue.weighting == "constituency":  # each constituency at the table holds an equal share of the vote
            for s in pop.slices.values():
                members = np.count_nonzero(decides[s])
                if members:
                    lo, hi = np.searchsorted(deciders, [s.start, s.stop])
                    weights[lo:hi] = 1.0 / members
        elif venue.weighting == "market_share":
            firms = slice(*np.searchsorted(deciders, [pop.slices["company"].start, pop.slices["company"].stop]))
            share = pop.market_share[deciders[firms] - pop.slices["company"].start]
            if share.size:
                weights[:] = _mean(share)
                weights[firms] = share
        tech = pop.slices["technical"]
        at_table = decides | consults
        experts = np.flatnonzero(at_table[tech])
        rule = p["decision_rule"] if venue.decision_rule == "parameter" else venue.decision_rule
        consulted_each_round = consulted.size if venue.consult_every_round else 0
        if rule == "unilateral":
            self._legislating[issue.id] = (now + p["national_lag"], int(deciders.size + consulted_each_round))
        else:
            self._table.open(
                key=issue.id,
                rule=rule,
                positions=positions[deciders],
                weights=weights,
                anchor=_mean(positions[consulted]) if consulted.size else float("nan"),
                consultation_weight=p["consultation_weight"],
                deadline=p["negotiation_deadline"],
                cost_per_round=int(deciders.size + consulted_each_round),
            )
        self._step_cost += int(consulted.size) - consulted_each_round  # consulted once, at drafting
        relevant = self._mask(RELEVANT, issue)
        self._participants[issue.id] = deciders.size + consulted.size
        self._deciders[issue.id] = deciders.size
        self._participation[issue.id] = np.count_nonzero(relevant & at_table) / max(np.count_nonzero(relevant), 1)
        self._totals["started"] += 1
        self._totals["participation"] += self._participation[issue.id]
        return OpenIssue(
            issue=issue,
            venue=venue,
            deciders=deciders,
            firms_decide=bool(decides[pop.slices["company"]].any()),
            rule=rule,
            positions=positions,
            expertise=float(pop.expertise[experts].max()) if experts.size else 0.0,
        )

    def _adopt(self, item: OpenIssue, outcome: Outcome, now: int) -> None:
        """Turn an adopted proposal into a norm that binds firms (seed 1f, 1g, 2a)."""
        p, pop, issue, venue = self.params, self.population, item.issue, item.venue
        i, stringency = issue.id, outcome.proposal
        signed = np.zeros(pop.size, dtype=bool)
        signed[item.deciders[outcome.supporters]] = True
        gov, firms = pop.slices["government"], pop.slices["company"]
        jurisdictions = issue.jurisdictions
        # Jurisdictional coverage: where governments decide, only those that agree ratify.
        if item.deciders[0] < gov.stop:  # deciders are sorted: governments come first
            ratified = signed[jurisdictions + gov.start]
            kappa = _mean(ratified) if jurisdictions.size else 0.0
            enforcers = jurisdictions[ratified]
        else:
            kappa, enforcers = 1.0, jurisdictions
        # Bound firms: where firms decide, only those that sign the code are bound.
        bound, weights = issue.causers, issue.harm_weights
        if item.firms_decide:
            bound_mask = signed[issue.causers + firms.start]
            bound, weights = issue.causers[bound_mask], issue.harm_weights[bound_mask]
        reach = p["national_reach"] if item.rule == "unilateral" and issue.cross_border else 1.0
        quality = 1.0 - issue.complexity * (1.0 - item.expertise)

        # Enforcement: civil-society monitors and the venue's enforcer may detect a defection;
        # under an industry sanction the bound firms themselves punish (the norms game, model.peer).
        detection_enforcer, sanction = self._enforcement(venue.enforcement, enforcers)
        detection_cso = p["monitoring_capacity"] * (1.0 - np.exp(-pop.monitoring_effort[issue.affected_cso].sum()))
        detection = 1.0 - (1.0 - detection_cso) * (1.0 - detection_enforcer)
        by_peers = venue.enforcement == "industry_sanction"
        gain = stringency * p["compliance_cost"] * pop.cost_factor[bound]
        reputation = detection_cso * p["reputation_cost"] * pop.company_visibility()[bound]
        affected = np.concatenate(
            [jurisdictions + gov.start, issue.causers + firms.start, issue.affected_cso + pop.slices["cso"].start]
        )
        legitimacy = 1.0 - float(np.add.reduce(np.abs(item.positions[affected] - stringency))) / affected.size
        t = self._totals
        self._agreed_at[i] = now
        self._outcome[i] = "adopted"
        self._rounds[i] = outcome.rounds
        self._overreach[i] = issue.category not in venue.remit
        t["resolved"] += 1
        t["time_to_agreement"] += now - issue.arrival + 1
        t["overreach"] += int(self._overreach[i])
        t["legitimacy"] += legitimacy
        b = self.bindings
        first = len(b)
        b.add(i, bound, weights * kappa, gain, reputation, detection, by_peers)
        self._sanction[i] = sanction
        if by_peers:
            self.peers.bind(bound)
            self.peers.refresh_pressure(b, start=first)
        b.refresh_margins(self._sanction, p["compliance_noise"], start=first)
        self._legitimacy[i] = legitimacy
        self._stringency[i] = stringency
        self._quality[i] = quality
        self._detection[i] = detection
        self._coverage[i] = kappa * float(weights.sum())
        self._effect[i] = stringency * quality * reach

    def _enforcement(self, kind: str, enforcers: np.ndarray) -> tuple[float, float]:
        """(chance the enforcer detects a defection, severity of its sanction)."""
        p = self.params
        if kind == "state_law":
            capacity = self.population.enforcement_capacity[enforcers]
            return (_mean(capacity) if capacity.size else 0.0), p["sanction_state"]
        if kind == "industry_sanction":
            return 0.0, p["sanction_industry"]  # the peers punish: their pressure is set per binding (model.peer)
        if kind == "interoperability":
            return 1.0, p["sanction_industry"]
        return 0.0, 0.0  # reputation only

    def _fail(self, item: OpenIssue, outcome: Outcome) -> None:
        i = item.issue.id
        self._outcome[i] = "failed"
        self._rounds[i] = outcome.rounds
        self._totals["failed"] += 1

    def _performance_reports(self) -> None:
        """Reporting venues revise the enforcement of badly complied-with norms (seed 1d, 1e, 2a).

        A norm whose harm-weighted compliance is below ``revision_threshold``
        has its sanction raised by one more base sanction (a graduated
        sanction); reviewing it costs one round of its venue's participants.
        """
        b = self.bindings
        if len(b) == 0:
            return
        n = len(self.issues)
        weight = np.bincount(b.issue, b.weight, minlength=n)
        kept = np.bincount(b.issue, b.weight * b.complying, minlength=n)
        weak = np.flatnonzero(self._reporting & (weight > 0) & (kept < self.params["revision_threshold"] * weight))
        if weak.size == 0:
            return
        base = self._sanction[weak] / (1 + self._revisions[weak])
        self._revisions[weak] += 1
        self._sanction[weak] += base
        self._step_cost += int(self._participants[weak].sum())
        b.refresh_margins(self._sanction, self.params["compliance_noise"])

    # ------------------------------------------------------------------ metrics
    def _record_metrics(self) -> None:
        """Compute this step's metrics (read by the DataCollector's reporters).

        Counts and means over issues come from running totals (``self._totals``)
        that ``_open_negotiation``, ``_adopt`` and ``_fail`` update beside the
        per-issue record; a test checks them against the issue log.
        """
        k, t, b = self._n_arrived, self._totals, self.bindings
        kept = b.weight * b.complying
        harm_rate = self._harm_rate[:k]
        if len(b):
            achieved = np.bincount(b.issue, kept, minlength=len(self.issues))[:k]
            harm = float(harm_rate @ (1.0 - self._effect[:k] * achieved))
        else:
            harm = float(np.add.reduce(harm_rate))
        self._cumulative_harm += harm
        total_harm = float(np.add.reduce(harm_rate))
        bound_weight = float(np.add.reduce(b.weight))
        resolved, failed = t["resolved"], t["failed"]
        nan = float("nan")
        self.current_metrics = {
            "harm": harm,
            "cumulative_harm": self._cumulative_harm,
            "issues_arrived": k,
            "issues_open": k - resolved - failed,
            "issues_resolved": resolved,
            "issues_failed": failed,
            "time_to_agreement": t["time_to_agreement"] / resolved if resolved else nan,
            "coverage": float(harm_rate @ self._coverage[:k]) / total_harm if total_harm > 0 else nan,
            "compliance": float(np.add.reduce(kept)) / bound_weight if bound_weight > 0 else nan,
            "participation": t["participation"] / t["started"] if t["started"] else nan,
            "legitimacy": t["legitimacy"] / resolved if resolved else nan,
            "overreach": t["overreach"],
            "negotiation_cost": self._step_cost,
            "boldness": float(np.add.reduce(self.population.boldness)) / max(self.population.boldness.size, 1),
            "vengefulness": self.peers.mean_vengefulness,
            "peer_punishments": self.peers.punishments + self.peers.meta_punishments,
        }
