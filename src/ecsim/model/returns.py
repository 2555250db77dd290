"""Failed issues return; forum shopping and new fora (seed 1f, 1g).

A failed negotiation does not make a public-policy problem go away: its harm goes on, and those who
raised it raise it again.  The source text says where: governments "should pursue the development and
enforcement of international law and norms at the appropriate forums if they exist or alternatively
they must create new forums that are appropriate" (seed 1f), and the model of cooperation "should be
flexible in accordance with the issue being brought to the table" (seed 1g).  The literature on regime
complexes calls moving an issue to another forum with a say over it *forum shopping* (Raustiala & Victor
2004; Alter & Meunier 2009; Keohane & Victor 2011): it needs overlapping fora, so a regime of one forum
cannot shop.

With ``return_delay`` > 0 (the default; 0 switches the mechanism off and restores the model without it
bit for bit):

- *a failed issue returns* ``return_delay`` steps after it failed, at most ``max_returns`` times, and is
  queued like a new issue (:class:`Returns`).  It is renegotiated on fresh positions (the model draws them
  from the ``returns`` stream, keyed by the issue and its attempt): circumstances moved while it waited;
  on the same positions the deterministic concession protocol would replay the same failure;
- *it goes to another forum where the regime has one* (:func:`shop`): the best-fitting other venue of
  enhanced cooperation whose remit takes its category, one not tried yet first; else back where it failed;
- *governments create a new forum* (:func:`forum_needed`, :func:`with_new_forum`) for a cross-border
  public-policy category on which ``forum_failures`` negotiations have failed and no venue of enhanced
  cooperation in the regime fits (:func:`fits`): a forum of the affected governments, as seed 1f says.

docs/ODD.md §7.6b describes the mechanism, the alternatives rejected and its measured ablation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np

from ecsim.model import selectors
from ecsim.model.fit import fit_of
from ecsim.model.issues import CATEGORY_PROFILE, Issue
from ecsim.model.regimes import MULTILATERAL_FORUM, PUBLIC_POLICY, Regime, Venue
from ecsim.rng import stream

#: A venue fits a category when the declared fit of its deciders reaches this: between "marginal" (0.4:
#: affected or regulated, little knowledge to add) and "contributes" (0.6) on the scale of ecsim.model.fit.
FORUM_FIT = 0.5

#: The categories governments may create a forum for: international public policy, the cross-border
#: public-policy issues (seed 1f); national public policy stays with the states (seed 1b, 1f).
FORUM_CATEGORIES: frozenset[str] = frozenset(c for c in PUBLIC_POLICY if CATEGORY_PROFILE[c]["cross_border"])


class Returns:
    """The failed issues waiting to be raised again, by the step they return in, and failures per category."""

    def __init__(self, delay: int, limit: int, forum_after: int) -> None:
        self.delay = delay  # steps from a failure to the issue's return (0: failed issues never return)
        self.limit = limit  # returns an issue may make at most
        self.forum_after = forum_after  # failures of a category after which governments may create a forum
        self.failures: Counter[str] = Counter()
        self._due: dict[int, list[Issue]] = {}

    @classmethod
    def of(cls, p: dict[str, Any]) -> Returns:
        """The returns of a run with parameters ``p`` (``return_delay``, ``max_returns``, ``forum_failures``)."""
        return cls(p["return_delay"], p["max_returns"], p["forum_failures"])

    @property
    def on(self) -> bool:
        """Whether failed issues return at all (``return_delay`` > 0)."""
        return self.delay > 0

    def schedule(self, issue: Issue, now: int, returned: int) -> int | None:
        """Note that ``issue`` failed at step ``now`` after ``returned`` returns; the step it returns in, or None."""
        self.failures[issue.category] += 1
        if returned >= self.limit:
            return None
        self._due.setdefault(now + self.delay, []).append(issue)
        return now + self.delay

    def due(self, now: int) -> list[Issue]:
        """The failed issues that return in step ``now``, in the order they failed."""
        return self._due.pop(now, [])

    def fail(self, issue: Issue, failed: Venue, now: int, returned: int, regime: Regime) -> Regime:
        """``issue`` failed at venue ``failed`` in step ``now`` after ``returned`` returns: set it to return.

        Returns ``regime``, or, when governments create a forum for the issue's category (:func:`forum_needed`), the
        regime with the new forum (:func:`with_new_forum`).
        """
        self.schedule(issue, now, returned)
        if not forum_needed(regime, issue.category, self.failures[issue.category], self.forum_after):
            return regime
        return with_new_forum(regime, issue.category, failed)


def draws(seed: np.random.SeedSequence, issue_id: int, attempt: int) -> np.random.Generator:
    """The positions' stream of a returning issue's ``attempt`` (>= 1): fresh positions, circumstances moved."""
    return stream(seed, "returns", issue_id, attempt)


def venue_fit(venue: Venue, category: str) -> float:
    """The declared fit of ``venue`` for ``category``: the mean fit of the kinds of decider it seats.

    Declared, not realised: a forum is chosen before a table is seated, so it is ranked on who decides
    there, each kind of decider counted once (ecsim.model.fit.table_fit gives the realised table's fit).
    """
    table = selectors.selectors()
    kinds = dict.fromkeys(table[name].constituency for name in venue.deciders)
    return sum(fit_of(kind, category) for kind in kinds) / len(kinds)


def fits(venue: Venue, category: str) -> bool:
    """Whether ``venue`` is a fitting forum of enhanced cooperation for ``category`` (in its remit, fit enough)."""
    return venue.shared_agenda and category in venue.remit and venue_fit(venue, category) >= FORUM_FIT


def shop(regime: Regime, category: str, failed: Venue, tried: Iterable[str]) -> Venue:
    """Where a returning issue of ``category`` that failed at ``failed`` goes: forum shopping (seed 1g).

    Another venue of enhanced cooperation of ``regime`` whose remit takes the category, the venues not
    ``tried`` yet first, then the best declared fit (ties: the regime's order of venues); without one (a
    regime of a single forum, or a category only one venue takes), back to ``failed``.  National
    legislatures are no forum to shop for: they are not enhanced cooperation.
    """
    tried = set(tried)
    others = [v for v in regime.venues if v.shared_agenda and category in v.remit and v.name != failed.name]
    if not others:
        return failed
    return min(others, key=lambda v: (v.name in tried, -venue_fit(v, category)))


def cooperates(regime: Regime) -> bool:
    """Whether ``regime`` has enhanced cooperation on public policy (no_cooperation has none: it stays put)."""
    return any(venue.shared_agenda for category, venue in regime.routes.items() if category in PUBLIC_POLICY)


def forum_needed(regime: Regime, category: str, failures: int, after: int) -> bool:
    """Whether governments create a new forum for ``category`` (seed 1f: "create new forums that are appropriate").

    When ``failures`` of its negotiations reached ``after``, it is international public policy
    (:data:`FORUM_CATEGORIES`), governments are fit to decide it, the regime cooperates, and no venue of
    enhanced cooperation in the regime fits it.
    """
    return (
        failures >= after
        and category in FORUM_CATEGORIES
        and fit_of("government", category) >= FORUM_FIT
        and cooperates(regime)
        and not any(fits(v, category) for v in regime.venues)
    )


def new_forum(category: str, failed: Venue) -> Venue:
    """A forum of the governments an issue of ``category`` concerns, on an equal footing (seed 1b, 1f).

    It decides by the ``decision_rule`` parameter and is backed by state law, like the multilateral forum;
    it consults and reports as the regime's venue that failed did (the regime's consultation and reporting).
    """
    shaped = failed if failed.shared_agenda else MULTILATERAL_FORUM
    return replace(
        MULTILATERAL_FORUM,
        name=f"new_forum_{category}",
        remit=frozenset({category}),
        consulted=shaped.consulted,
        consult_every_round=shaped.consult_every_round,
        reports=shaped.reports,
        description=f"A forum governments created for {category} issues after negotiations on them kept failing.",
        source="seed 1f ('they must create new forums that are appropriate'); docs/ODD.md §7.6b",
    )


def with_new_forum(regime: Regime, category: str, failed: Venue) -> Regime:
    """``regime`` with ``category`` routed to a new forum (:func:`new_forum`); its name and dimensions kept."""
    return replace(regime, routes={**regime.routes, category: new_forum(category, failed)})
