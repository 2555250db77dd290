"""The remit dispute (seed 1f): governments must agree that an issue is international before they cooperate on it.

The source text puts a step before government-to-government enhanced cooperation: "governments need
to agree on what is within the exclusive realm of 'national public policy' ... Governments also need
to agree on what is within the remit of 'international public policy' ... Once this is done, the
governments of the world should pursue the development and enforcement of international law and
norms at the appropriate forums" (seed 1f).  Without this mechanism every issue arrives with its
category and the regime routes it at once.  With it (``contested_share`` > 0):

- each international issue is *contested* with the chance ``contested_share``, drawn once per issue
  from its own stream (``remit``), so every regime on a seed faces the same contested issues;
- the governments agree its classification as international at one of their annual meetings (the
  first after the issue is raised, then once a year), each meeting with the chance
  ``classification_chance``; the step of agreement is drawn with the contested flag, so it does not
  depend on the regime either (never agreed within the run: it stays national);
- where the regime's venue for international issues is one at which governments decide together
  (:func:`disputes`: the central or the multilateral forum), a contested issue is handled nationally
  until then: the national legislatures of its jurisdictions legislate on it (docs/ODD.md §7.7), and a
  law they pass is in force as an *interim* law.  Once the classification is agreed and the
  legislatures have decided, the issue goes to the back of the queue of the regime's venue; an
  international norm adopted there replaces the interim law, which otherwise stays in force.

Regimes in which governments do not cooperate on international issues (the baseline, national
legislatures only; self-regulation) handle the issue as before, so switching the dispute on leaves the
baseline of harm reduction alone.  docs/ODD.md §7.4a describes the mechanism and its choices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ecsim.model.issues import Issue
from ecsim.model.regimes import Regime
from ecsim.model.venues import NATIONAL, Agenda, Venue
from ecsim.rng import stream

if TYPE_CHECKING:
    from ecsim.model.bindings import Bindings
    from ecsim.model.ledger import IssueLedger
    from ecsim.model.peer import PeerEnforcement

#: Steps between two annual meetings at which the governments may agree contested classifications.
MEETING_INTERVAL = 12

#: The category whose classification is contested: seed 1f is about what is "within the remit of
#: 'international public policy'".
CONTESTED_CATEGORY = "international"

#: Those who decide on a venue where governments decide together.
_GOVERNMENTS = frozenset({"governments", "affected_governments"})


def disputes(regime: Regime) -> bool:
    """Whether ``regime`` needs the classification: governments decide its international issues together.

    True for the central forum and the multilateral forum; false where international issues go to
    national legislatures (the baseline) or to a venue where governments do not decide (self-regulation).
    """
    venue = regime.routes[CONTESTED_CATEGORY]
    return venue.decision_rule != "unilateral" and not _GOVERNMENTS.isdisjoint(venue.deciders)


def first_meeting(arrival: np.ndarray) -> np.ndarray:
    """The first annual meeting strictly after each arrival step (meetings are the multiples of 12)."""
    return (np.asarray(arrival) // MEETING_INTERVAL + 1) * MEETING_INTERVAL


def draw_classification(
    rng: np.random.Generator, issues: list[Issue], share: float, chance: float, steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """(whether each issue is contested, the step at which its classification is agreed; -1: never in the run).

    One uniform and one geometric draw per issue, whatever its category, so the draws of one issue
    do not depend on the others' categories, and a higher ``share`` contests a superset of the issues.
    """
    n = len(issues)
    u = rng.random(n)
    meetings = rng.geometric(chance, n) if chance > 0.0 else np.zeros(n, dtype=np.int64)
    meetings = np.minimum(meetings, steps // MEETING_INTERVAL + 2)  # later than the run is never (and no overflow)
    international = np.array([issue.category == CONTESTED_CATEGORY for issue in issues], dtype=bool)
    contested = international & (u < share)
    arrival = np.array([issue.arrival for issue in issues], dtype=np.int64)
    agreed = first_meeting(arrival) + MEETING_INTERVAL * (meetings - 1)
    agreed = np.where(contested & (meetings > 0) & (agreed <= steps), agreed, -1)
    return contested, agreed.astype(np.int64)


@dataclass
class RemitDispute:
    """The contested issues of a run, their agreed classifications, and those still handled nationally."""

    contested: np.ndarray  # bool per issue
    agreed: np.ndarray  # step at which the classification is agreed (-1: not contested, or never in the run)
    active: bool  # the regime needs the classification (:func:`disputes`)
    national: dict[int, Issue] = field(default_factory=dict)  # contested issues handled nationally, by id

    @classmethod
    def draw(cls, rng: np.random.Generator, issues: list[Issue], regime: Regime, p: dict[str, Any]) -> RemitDispute:
        """The dispute of a run: its contested issues and their classifications, drawn from ``rng``."""
        contested, agreed = draw_classification(
            rng, issues, p["contested_share"], p["classification_chance"], p["steps"]
        )
        return cls(contested, agreed, disputes(regime))

    def handles(self, issue: Issue) -> bool:
        """Whether ``issue`` is handled nationally while its classification is disputed."""
        return self.active and bool(self.contested[issue.id])

    def agreed_now(self, now: int, arrived: int) -> np.ndarray:
        """The ids of the arrived issues whose classification the governments agree at step ``now``."""
        if now % MEETING_INTERVAL:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(self.agreed[:arrived] == now)

    def ready(self, now: int, deciding: Mapping[int, object]) -> list[Issue]:
        """The issues handled nationally that now go to the international venue (in order of arrival).

        Ready: the classification is agreed, and no legislature is still deciding the issue (``deciding``
        holds the issues at a table or before legislatures).  They leave :attr:`national`.
        """
        out = [issue for i, issue in self.national.items() if 0 <= self.agreed[i] <= now and i not in deciding]
        for issue in out:
            del self.national[issue.id]
        return out

    def hold(self, issue: Issue, ledger: IssueLedger, agendas: dict[str, Agenda]) -> Venue:
        """Route contested ``issue`` to the national legislatures of its jurisdictions: the venue to seat it at now."""
        ledger.route(issue, NATIONAL.name, NATIONAL.reports)
        agendas[NATIONAL.name].n_open += 1
        self.national[issue.id] = issue
        return NATIONAL

    def classify(
        self, now: int, ledger: IssueLedger, regime: Regime, agendas: dict[str, Agenda], deciding: Mapping[int, object]
    ) -> None:
        """Record the classifications agreed at ``now``; agreed issues the legislatures have decided join their venue's
        queue (:meth:`ready`).  An issue with an interim law in force goes without reports until a norm replaces it."""
        ledger.classified_at[self.agreed_now(now, ledger.arrived)] = now
        for issue in self.ready(now, deciding):
            venue = regime.routes[issue.category]
            ledger.route(issue, venue.name, venue.reports and not ledger.interim_law[issue.id])
            agendas[venue.name].queue.append(issue)

    def replace_interim(
        self, issue: Issue, ledger: IssueLedger, bindings: Bindings, peers: PeerEnforcement, regime: Regime
    ) -> None:
        """A norm adopted on ``issue`` replaces its interim law, if one is in force: the law's bindings are retired."""
        if ledger.interim_law[issue.id]:
            peers.retired(*bindings.retire(issue.id))
            ledger.reporting[issue.id] = regime.routes[issue.category].reports


def dispute(
    seed: np.random.SeedSequence,
    issues: list[Issue],
    regime: Regime,
    p: dict[str, Any],
    ledger: IssueLedger,
    agendas: dict[str, Agenda],
) -> RemitDispute | None:
    """The run's remit dispute, from its own stream (``remit``); None with ``contested_share`` = 0 (off).

    Marks the contested issues in ``ledger``; where the regime disputes, the national legislatures get an agenda
    (after the regime's venues', so the order in which agendas fill stays the regime's).
    """
    if not p["contested_share"] > 0.0:
        return None
    drawn = RemitDispute.draw(stream(seed, "remit"), issues, regime, p)
    ledger.contested[:] = drawn.contested
    if drawn.active:  # contested issues go to the national legislatures meanwhile
        agendas.setdefault(NATIONAL.name, Agenda(None))
    return drawn
