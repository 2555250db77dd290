"""EnhancedCooperationModel: stakeholders negotiate norms on issues under a regime.

One step is one month.  Each step (ODD §3, "process overview"):

1. newly raised issues are routed by the regime to their venue (seed 1g);
2. each venue moves queued issues onto its table up to ``agenda_capacity``;
3. every open negotiation plays one round; adopted proposals become norms
   that bind firms (seed 1f, 1g, 2a), failed ones are recorded;
4. every bound firm decides whether to comply (:mod:`ecsim.model.compliance`);
5. harm is accounted: each issue's harm rate times one minus the reduction its
   norm achieves through stringency, quality, reach and compliance;
6. in report years, reporting venues reopen badly complied-with norms for
   revision with stronger enforcement (seed 1d, 1e, 2a);
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
from ecsim.model.negotiation import Negotiation
from ecsim.model.population import CONSTITUENCIES, draw_population
from ecsim.model.regimes import Regime, Venue, resolve_regime
from ecsim.params import validate
from ecsim.rng import SeedLike, root_sequence, stream, stream_sequence

#: Per-step outputs, in the order of ``metrics()``'s columns (after ``step``).
METRICS: tuple[str, ...] = (
    "harm",
    "cumulative_harm",
    "issues_arrived",
    "issues_open",
    "issues_resolved",
    "issues_failed",
    "norms_in_force",
    "time_to_agreement",
    "coverage",
    "compliance",
    "participation",
    "legitimacy",
    "overreach",
    "negotiation_cost",
)

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


@dataclass(eq=False)
class OpenIssue:
    """An issue on a venue's table: the negotiation plus what adoption needs."""

    issue: Issue
    venue: Venue
    negotiation: Negotiation
    positions: np.ndarray  # every stakeholder's position on the issue (global index)
    expertise: float  # best technical expertise at the table (0 if none)
    revision: bool


class _Desk:
    """A venue's agenda at run time: the queue and the open negotiations."""

    def __init__(self, venue: Venue, capacity: int | None) -> None:
        self.venue = venue
        self.capacity = capacity  # None: no shared agenda (e.g. national legislatures)
        self.queue: deque[tuple[Issue, bool]] = deque()
        self.open: list[OpenIssue] = []


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
        self._participation = np.full(n, np.nan)
        self._rounds = np.zeros(n, dtype=np.int64)
        self._stringency = np.full(n, np.nan)
        self._quality = np.full(n, np.nan)
        self._coverage = np.zeros(n)
        self._effect = np.zeros(n)  # stringency x quality x reach of the norm in force
        self._legitimacy = np.full(n, np.nan)
        self._agreed_at = np.full(n, -1, dtype=np.int64)
        self._overreach = np.zeros(n, dtype=bool)
        self._revisions = np.zeros(n, dtype=np.int64)
        self._revising = np.zeros(n, dtype=bool)
        self.bindings = compliance.Bindings.empty()

        self._desks: dict[str, _Desk] = {
            v.name: _Desk(v, p["agenda_capacity"] if v.shared_agenda else None) for v in self.regime.venues
        }
        self._full = {c: np.arange(s.start, s.stop) for c, s in self.population.slices.items()}
        self._cumulative_harm = 0.0
        self._step_cost = 0
        self._current: dict[str, float] = {}
        self._record_metrics()
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, name=name: m._current[name]) for name in METRICS}
        )
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
            self._fill_agenda(desk)
            self._negotiate(desk, now)
        p = self.params
        compliance.decide(self.bindings, self.population.boldness, self.rng, p["compliance_noise"], p["learning_rate"])
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
                "venue": self._venue[:k],
                "participants": self._participants[:k],
                "participation": self._participation[:k],
                "rounds": self._rounds[:k],
                "outcome": self._outcome[:k],
                "agreed_at": np.where(agreed >= 0, agreed, -1),
                "time_to_agreement": np.where(agreed >= 0, agreed - self._arrival[:k] + 1, np.nan),
                "stringency": self._stringency[:k],
                "quality": self._quality[:k],
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
            self._outcome[issue.id] = "queued"
            self._desks[venue.name].queue.append((issue, False))
        self._n_arrived = end

    def _fill_agenda(self, desk: _Desk) -> None:
        while desk.queue and (desk.capacity is None or len(desk.open) < desk.capacity):
            issue, revision = desk.queue.popleft()
            desk.open.append(self._open_negotiation(issue, desk.venue, revision))
            if not revision:
                self._outcome[issue.id] = "negotiating"

    def _negotiate(self, desk: _Desk, now: int) -> None:
        still_open = []
        for item in desk.open:
            outcome = item.negotiation.round()
            self._step_cost += item.negotiation.per_round_cost
            if outcome is None:
                still_open.append(item)
            elif outcome == "adopted":
                self._adopt(item, now)
            else:
                self._fail(item)
        desk.open = still_open

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

    def _open_negotiation(self, issue: Issue, venue: Venue, revision: bool) -> OpenIssue:
        p, pop = self.params, self.population
        positions = issue_positions(
            stream(self.seed_sequence, "issue_positions", issue.id), pop, issue, p["preference_spread"]
        )
        decides = self._mask(venue.deciders, issue)
        consults = self._mask(venue.consulted, issue) & ~decides if venue.consulted else decides & False
        deciders, consulted = np.flatnonzero(decides), np.flatnonzero(consults)
        weights = np.ones(deciders.size)
        if venue.weighting == "market_share":
            firms = slice(*np.searchsorted(deciders, [pop.slices["company"].start, pop.slices["company"].stop]))
            share = pop.market_share[deciders[firms] - pop.slices["company"].start]
            if share.size:
                weights[:] = share.mean()
                weights[firms] = share
        tech = pop.slices["technical"]
        at_table = decides | consults
        experts = np.flatnonzero(at_table[tech])
        rule = p["decision_rule"] if venue.decision_rule == "parameter" else venue.decision_rule
        negotiation = Negotiation(
            issue_id=issue.id,
            rule=rule,
            deciders=deciders,
            weights=weights,
            positions=positions[deciders].copy(),
            anchor=float(positions[consulted].mean()) if consulted.size else float("nan"),
            consultation_weight=p["consultation_weight"],
            tolerance=p["acceptance_tolerance"],
            concession_rate=p["concession_rate"],
            deadline=p["negotiation_deadline"],
            lag=p["national_lag"],
            per_round_cost=int(deciders.size + (consulted.size if venue.consult_every_round else 0)),
        )
        self._step_cost += 0 if venue.consult_every_round else int(consulted.size)
        if not revision:
            relevant = self._mask(RELEVANT, issue)
            self._participants[issue.id] = deciders.size + consulted.size
            self._participation[issue.id] = np.count_nonzero(relevant & at_table) / max(np.count_nonzero(relevant), 1)
        return OpenIssue(
            issue=issue,
            venue=venue,
            negotiation=negotiation,
            positions=positions,
            expertise=float(pop.expertise[experts].max()) if experts.size else 0.0,
            revision=revision,
        )

    def _adopt(self, item: OpenIssue, now: int) -> None:
        """Turn an adopted proposal into a norm that binds firms (seed 1f, 1g, 2a)."""
        p, pop, issue, venue, neg = self.params, self.population, item.issue, item.venue, item.negotiation
        i = issue.id
        gov, firms = pop.slices["government"], pop.slices["company"]
        supports = np.zeros(pop.size, dtype=bool)
        supports[neg.deciders[neg.supporters]] = True
        jurisdictions = issue.jurisdictions
        # Jurisdictional coverage: where governments decide, only those that agree ratify.
        if neg.deciders[0] < gov.stop:  # deciders are sorted: governments come first
            ratified = supports[jurisdictions + gov.start]
            kappa = float(ratified.mean()) if jurisdictions.size else 0.0
            enforcers = jurisdictions[ratified]
        else:
            kappa, enforcers = 1.0, jurisdictions
        # Bound firms: where firms decide, only those that sign the code are bound.
        bound, weights = issue.causers, issue.harm_weights
        if np.any((neg.deciders >= firms.start) & (neg.deciders < firms.stop)):
            signed = supports[issue.causers + firms.start]
            bound, weights = issue.causers[signed], issue.harm_weights[signed]
        reach = p["national_reach"] if neg.rule == "unilateral" and issue.cross_border else 1.0
        quality = 1.0 - issue.complexity * (1.0 - item.expertise)
        stringency = neg.proposal

        detection_enf, severity = self._enforcement(venue.enforcement, enforcers)
        severity *= 1.0 + self._revisions[i] + (1 if item.revision else 0)
        effort = pop.monitoring_effort[issue.affected_cso].sum()
        detection_cso = p["monitoring_capacity"] * (1.0 - np.exp(-effort))
        k = bound.size
        new = compliance.Bindings(
            issue=np.full(k, i, dtype=np.int64),
            firm=bound,
            weight=weights * kappa,
            gain=stringency * p["compliance_cost"] * pop.cost_factor[bound],
            detection=np.full(k, 1.0 - (1.0 - detection_cso) * (1.0 - detection_enf)),
            severity=np.full(k, severity),
            reputation=detection_cso * p["reputation_cost"] * pop.company_visibility()[bound],
            complying=np.ones(k, dtype=bool),
        )
        if item.revision:
            self.bindings.drop_issue(i)
            self._revisions[i] += 1
            self._revising[i] = False
        else:
            self._agreed_at[i] = now
            self._outcome[i] = "adopted"
            self._rounds[i] = neg.rounds
            self._overreach[i] = issue.category not in venue.remit
        self.bindings.extend(new)
        affected = self._mask(RELEVANT[:3], issue)
        self._legitimacy[i] = 1.0 - float(np.abs(item.positions[affected] - stringency).mean())
        self._stringency[i] = stringency
        self._quality[i] = quality
        self._coverage[i] = kappa * float(weights.sum())
        self._effect[i] = stringency * quality * reach

    def _enforcement(self, kind: str, enforcers: np.ndarray) -> tuple[float, float]:
        """(chance the enforcer detects a defection, severity of its sanction)."""
        p = self.params
        if kind == "state_law":
            capacity = self.population.enforcement_capacity[enforcers]
            return (float(capacity.mean()) if capacity.size else 0.0), p["sanction_state"]
        if kind == "industry_sanction":
            return p["peer_detection"], p["sanction_industry"]
        if kind == "interoperability":
            return 1.0, p["sanction_industry"]
        return 0.0, 0.0  # reputation only

    def _fail(self, item: OpenIssue) -> None:
        i = item.issue.id
        if item.revision:
            self._revising[i] = False  # the old norm stays in force
            return
        self._outcome[i] = "failed"
        self._rounds[i] = item.negotiation.rounds

    def _performance_reports(self) -> None:
        """Reporting venues reopen badly complied-with norms (seed 1e: annual reports)."""
        if len(self.bindings) == 0:
            return
        b = self.bindings
        n = len(self.issues)
        weight = np.bincount(b.issue, b.weight, minlength=n)
        kept = np.bincount(b.issue, b.weight * b.complying, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = kept / weight
        weak = np.flatnonzero((weight > 0) & (rate < self.params["revision_threshold"]) & ~self._revising)
        for i in weak:
            desk = self._desks[self._venue[i]]
            if desk.venue.reports:
                self._revising[i] = True
                desk.queue.append((self.issues[i], True))

    # ------------------------------------------------------------------ metrics
    def _record_metrics(self) -> None:
        """Compute this step's metrics (read by the DataCollector's reporters)."""
        k = self._n_arrived
        b = self.bindings
        kept = b.weight * b.complying
        achieved = np.bincount(b.issue, kept, minlength=len(self.issues))[:k] if len(b) else np.zeros(k)
        harm_rate = self._harm_rate[:k]
        harm = float(np.dot(harm_rate, 1.0 - self._effect[:k] * achieved))
        self._cumulative_harm += harm
        outcome = self._outcome[:k]
        resolved = int((self._agreed_at[:k] >= 0).sum())
        failed = outcome.count("failed")
        agreed = self._agreed_at[:k] >= 0
        in_force = agreed
        total_harm = harm_rate.sum()
        bound_weight = b.weight.sum()
        started = ~np.isnan(self._participation[:k])
        self._current = {
            "harm": harm,
            "cumulative_harm": self._cumulative_harm,
            "issues_arrived": k,
            "issues_open": k - resolved - failed,
            "issues_resolved": resolved,
            "issues_failed": failed,
            "norms_in_force": int(in_force.sum()),
            "time_to_agreement": float((self._agreed_at[:k][agreed] - self._arrival[:k][agreed] + 1).mean())
            if agreed.any()
            else float("nan"),
            "coverage": float(np.dot(harm_rate, self._coverage[:k]) / total_harm) if total_harm > 0 else float("nan"),
            "compliance": float(kept.sum() / bound_weight) if bound_weight > 0 else float("nan"),
            "participation": float(self._participation[:k][started].mean()) if started.any() else float("nan"),
            "legitimacy": float(self._legitimacy[:k][in_force].mean()) if in_force.any() else float("nan"),
            "overreach": int(self._overreach[:k].sum()),
            "negotiation_cost": self._step_cost,
        }
