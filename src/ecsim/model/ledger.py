"""The issue ledger: what happened to every issue, one array per field (a struct of arrays).

One source of truth for the issue log (:meth:`IssueLedger.log`) and for the
metrics: the model writes each issue's route, negotiation and norm here as they
happen, and keeps running totals beside the arrays so that a step's metrics need
no pass over all issues (a test checks the totals against the log).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecsim.model.issues import Issue

if TYPE_CHECKING:
    from ecsim.model.norms import Norm

#: Outcomes of an issue, in the order it passes through them.
OUTCOMES: tuple[str, ...] = ("pending", "queued", "negotiating", "adopted", "failed")


@dataclass
class Totals:
    """Running totals over issues (the metrics' numerators and denominators)."""

    started: int = 0
    resolved: int = 0
    failed: int = 0
    deadlocks: int = 0  # failed negotiations that were deadlocked: no proposal within the red lines (ODD §7.6a)
    overreach: int = 0
    time_to_agreement: int = 0
    participation: float = 0.0
    legitimacy: float = 0.0
    fit: float = 0.0  # summed over adopted norms
    absent: int = 0  # government seats left empty: their delegations were busy at other tables
    igf_discussions: int = 0  # discussions of issues at sessions of the IGF (issue-sessions)
    returns: int = 0  # failed issues raised again (ecsim.model.returns)


class IssueLedger:
    """Per-issue state of a run (index: issue id)."""

    def __init__(self, issues: list[Issue], state_share: np.ndarray | None = None) -> None:
        """``state_share``: each issue's share of harm caused by its governments (ecsim.model.state_harm; None: 0)."""
        n = len(issues)
        self.issues = issues
        self.arrival = np.array([i.arrival for i in issues], dtype=np.int64)
        self.harm_rate = np.array([i.harm_rate for i in issues])
        self.state_share = np.zeros(n) if state_share is None else np.asarray(state_share, dtype=np.float64)
        self.states_cause_harm = bool(self.state_share.any())  # off: harm is the firms' alone, as without states
        self.arrived = 0  # issues raised so far (a prefix: issues are in arrival order)
        self.now = 0  # the step being played (set when its issues are raised, stage 1): when routes and tables happen
        self.venue = [""] * n
        self.first_venue = [""] * n  # where the issue was first routed (a returning one may go elsewhere)
        self.returns = np.zeros(n, dtype=np.int64)  # times the issue was raised again after failing
        # When the issue last joined its venue's queue (raised, classified or returned) and when its negotiation last
        # opened (-1: not yet).  Records only (ecsim.validation reads them): no metric uses them.
        self.queued_at = np.full(n, -1, dtype=np.int64)
        self.opened_at = np.full(n, -1, dtype=np.int64)
        self.tried: dict[int, list[str]] = {}  # venues a returning issue was routed to, in order
        self.outcome = ["pending"] * n
        self.reporting = np.zeros(n, dtype=bool)  # whether the issue's venue publishes performance reports
        self.participants = np.zeros(n, dtype=np.int64)
        self.deciders = np.zeros(n, dtype=np.int64)
        self.participation = np.full(n, np.nan)
        self.seated = np.zeros(n, dtype=bool)  # whether the issue has been at a table (or before the legislatures)
        self.fit = np.full(n, np.nan)  # fit for purpose of the table the issue was seated at (ecsim.model.fit)
        self.absent = np.zeros(n, dtype=np.int64)
        self.igf_discussed = np.zeros(n, dtype=np.int64)  # IGF sessions that discussed the issue (ecsim.model.igf)
        self.rounds = np.zeros(n, dtype=np.int64)
        self.deadlocked = np.zeros(n, dtype=bool)  # its negotiation failed deadlocked (ecsim.model.deadlock)
        # The last vote at its negotiating table (-1: no vote taken, e.g. national legislation or still open).
        self.votes_for = np.full(n, -1, dtype=np.int64)
        self.votes_against = np.full(n, -1, dtype=np.int64)
        self.abstentions = np.full(n, -1, dtype=np.int64)
        self.agreed_at = np.full(n, -1, dtype=np.int64)
        self.overreach = np.zeros(n, dtype=bool)
        self.standing = np.full(n, np.nan)  # the venue's legitimacy stock once the norm was adopted (model.legitimacy)
        self.refused = np.zeros(n, dtype=np.int64)  # governments that signed or accepted the norm but did not ratify
        # The norm in force on the issue (NaN / 0 while there is none).
        self.stringency = np.full(n, np.nan)
        self.quality = np.full(n, np.nan)
        self.sanction = np.full(n, np.nan)  # escalated in place by performance reports; read by peer enforcement
        self.detection = np.full(n, np.nan)
        self.coverage = np.zeros(n)
        self.states_bound = np.zeros(n)  # share of the issue's jurisdictions whose government the norm binds
        self.effect = np.zeros(
            n
        )  # stringency x quality x reach (x what it kept as technology moved: ecsim.model.revision)
        self.effect_renewed = np.zeros(n)  # the effect when adopted or last renewed (before it ages)
        self.renewed_at = np.full(n, -1, dtype=np.int64)  # step of adoption or last renewal (-1 without a norm)
        self.renewals = np.zeros(n, dtype=np.int64)  # reports that renewed the norm (norm_obsolescence > 0)
        self.relaxations = np.zeros(n, dtype=np.int64)  # reports that relaxed its stringency (report_relaxation > 0)
        self.legitimacy = np.full(n, np.nan)
        self.revisions = np.zeros(n, dtype=np.int64)
        # The remit dispute (ecsim.model.remit): whether the issue's classification is contested, when the
        # governments agreed it international, and whether a national law was in force while it was disputed.
        self.contested = np.zeros(n, dtype=bool)
        self.classified_at = np.full(n, -1, dtype=np.int64)
        self.interim_law = np.zeros(n, dtype=bool)
        self.enacted = 0  # norms brought into force so far, interim laws included (keys the metrics' caches)
        self.totals = Totals()

    def __len__(self) -> int:
        return len(self.issues)

    def raised(self, now: int) -> list[Issue]:
        """The issues raised at step ``now`` (those not yet routed, up to ``now``); marks them arrived."""
        end = int(self.arrival.searchsorted(now, side="right"))
        new, self.arrived, self.now = self.issues[self.arrived : end], end, now
        return new

    def route(self, issue: Issue, venue: str, reporting: bool) -> None:
        if not self.first_venue[issue.id]:
            self.first_venue[issue.id] = venue
        self.venue[issue.id] = venue
        self.queued_at[issue.id] = self.now
        self.reporting[issue.id] = reporting
        self.outcome[issue.id] = "queued"

    def start(
        self,
        issue: Issue,
        participants: int,
        deciders: int,
        participation: float,
        absent: int = 0,
        fit: float = float("nan"),
    ) -> None:
        """The issue's negotiation opens with these participants (relevant stakeholders' share ``participation``;
        ``absent`` governments could not send a delegation; ``fit``: the table's fit for the issue)."""
        i, t = issue.id, self.totals
        if self.seated[i]:  # at a table again (returned, or moved after its remit dispute): counted at the latest
            t.started -= 1
            t.participation -= self.participation[i]
        self.seated[i] = True
        self.opened_at[i] = self.now
        self.outcome[i] = "negotiating"
        self.participants[i] = participants
        self.deciders[i] = deciders
        self.participation[i] = participation
        self.fit[i] = fit
        self.absent[i] += absent  # empty seats at every table the issue was negotiated at
        t.started += 1
        t.participation += participation
        t.absent += absent

    def discuss(self, ids: np.ndarray) -> None:
        """A session of the IGF discussed the issues ``ids`` (each before it was decided)."""
        self.igf_discussed[ids] += 1
        self.totals.igf_discussions += int(ids.size)

    def adopt(self, norm: Norm, now: int, rounds: int) -> None:
        """A norm is adopted on the issue at step ``now`` after ``rounds`` rounds."""
        i, t = norm.issue.id, self.totals
        self.agreed_at[i] = now
        self.outcome[i] = "adopted"
        self.rounds[i] = rounds
        self.overreach[i] = norm.overreach
        self.standing[i] = norm.standing
        self.refused[i] = norm.refused
        t.resolved += 1
        t.time_to_agreement += now - norm.issue.arrival + 1
        t.overreach += int(norm.overreach)
        t.legitimacy += norm.legitimacy
        t.fit += norm.fit
        self._in_force(norm, now)

    def _in_force(self, norm: Norm, now: int) -> None:
        """The norm on the issue is ``norm`` from step ``now`` (what harm accounting and compliance read)."""
        i = norm.issue.id
        self.enacted += 1
        self.sanction[i] = norm.sanction
        self.legitimacy[i] = norm.legitimacy
        self.stringency[i] = norm.stringency
        self.quality[i] = norm.quality
        self.detection[i] = norm.detection
        self.coverage[i] = norm.coverage
        self.states_bound[i] = norm.states_bound
        self.effect[i] = norm.stringency * norm.quality * norm.reach
        self.effect_renewed[i] = self.effect[i]
        self.renewed_at[i] = now

    def enact_interim(self, norm: Norm, now: int, rounds: int) -> None:
        """National legislatures passed ``norm`` on a contested issue: in force, but the issue stays open.

        It is not counted as resolved: the issue awaits its classification and then its venue's decision
        (ecsim.model.remit); an international norm adopted there replaces the interim law.
        """
        i = norm.issue.id
        self.interim_law[i] = True
        self.outcome[i] = "queued"
        self.rounds[i] = rounds
        self._in_force(norm, now)

    def await_classification(self, issue: Issue, rounds: int) -> None:
        """No national legislature legislated on a contested issue: it waits, open, for its classification."""
        self.outcome[issue.id] = "queued"
        self.rounds[issue.id] = rounds

    def fail(self, issue: Issue, rounds: int, deadlocked: bool = False) -> None:
        """The issue's negotiation ended without a norm (``deadlocked``: no proposal within the red lines)."""
        self.outcome[issue.id] = "failed"
        self.rounds[issue.id] = rounds
        self.totals.failed += 1
        if deadlocked:
            self.deadlocked[issue.id] = True
            self.totals.deadlocks += 1

    def vote(self, issue: Issue, votes_for: int, votes_against: int, abstentions: int) -> None:
        """The final vote at the issue's negotiating table: deciders for and against, empty seats abstaining."""
        i = issue.id
        self.votes_for[i], self.votes_against[i], self.abstentions[i] = votes_for, votes_against, abstentions

    def reraise(self, issue: Issue, venue: str, reporting: bool) -> None:
        """The failed ``issue`` is raised again and routed to ``venue`` (ecsim.model.returns): it is open again."""
        i = issue.id
        self.tried.setdefault(i, [self.venue[i]]).append(venue)
        self.returns[i] += 1
        self.deadlocked[i] = False  # open again: its last failure is history (the metric `deadlocks` keeps it)
        self.votes_for[i] = self.votes_against[i] = self.abstentions[i] = -1  # no vote at its new table yet
        self.totals.failed -= 1
        self.totals.returns += 1
        self.route(issue, venue, reporting)

    def log(self) -> pd.DataFrame:
        """One row per issue raised so far: where it went and what came of it."""
        k = self.arrived
        issues = self.issues[:k]
        agreed = self.agreed_at[:k]
        return pd.DataFrame(
            {
                "id": np.arange(k),
                "arrival": self.arrival[:k],
                "category": [i.category for i in issues],
                "harm_rate": self.harm_rate[:k],
                "complexity": [i.complexity for i in issues],
                "novelty": [i.novelty for i in issues],
                "shock": [i.shock for i in issues],
                "venue": self.venue[:k],
                "first_venue": self.first_venue[:k],
                "returns": self.returns[:k],
                "queued_at": self.queued_at[:k],
                "opened_at": self.opened_at[:k],
                "deciders": self.deciders[:k],
                "participants": self.participants[:k],
                "participation": self.participation[:k],
                "fit": self.fit[:k],
                "absent": self.absent[:k],
                "igf_discussed": self.igf_discussed[:k],
                "rounds": self.rounds[:k],
                "outcome": self.outcome[:k],
                "deadlocked": self.deadlocked[:k],
                "votes_for": self.votes_for[:k],
                "votes_against": self.votes_against[:k],
                "abstentions": self.abstentions[:k],
                "agreed_at": np.where(agreed >= 0, agreed, -1),
                "time_to_agreement": np.where(agreed >= 0, agreed - self.arrival[:k] + 1, np.nan),
                "stringency": self.stringency[:k],
                "quality": self.quality[:k],
                "sanction": self.sanction[:k],
                "detection": self.detection[:k],
                "coverage": self.coverage[:k],
                "state_share": self.state_share[:k],
                "states_bound": self.states_bound[:k],
                "legitimacy": self.legitimacy[:k],
                "overreach": self.overreach[:k],
                "standing": self.standing[:k],
                "refused": self.refused[:k],
                "revisions": self.revisions[:k],
                "contested": self.contested[:k],
                "classified_at": self.classified_at[:k],
                "interim_law": self.interim_law[:k],
                "relaxations": self.relaxations[:k],
                "renewals": self.renewals[:k],
            }
        )
