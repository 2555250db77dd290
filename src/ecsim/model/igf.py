"""The IGF as a learning forum (seed 1a, 2a): it decides nothing, and its discussions make later decisions easier.

The source text insists that enhanced cooperation "is distinct from the Internet Governance
Forum" (seed 1a, 2a) and calls the IGF "the learning forum" beside the governance fora that
develop norms (seed 2a).  Tunis Agenda §72 gives it the mandate to "discuss public policy issues"
(a) and to "facilitate the exchange of information and best practices" using "the expertise of
the academic, scientific and technical communities" (d); §77, "no involvement in day-to-day or
technical operations of the Internet".

So the model's IGF is not a venue.  Once a year (every :data:`SESSION_INTERVAL` steps) it
discusses every open public-policy issue, queued or under negotiation (:func:`agenda`), and each
discussion does two things, both by the share ``igf_learning`` (on by default; 0
switches the IGF off and restores the model without it bit for bit):

- it *narrows disagreement*: the positions of those who negotiate the issue move that share of
  the way to their table's decision-weighted mean, so the centre of the table stays where it was
  and its spread shrinks (one step of DeGroot 1974 averaging; the table does it,
  :meth:`ecsim.model.negotiation.NegotiationTable.narrow`).  An issue discussed before its
  negotiation opens is narrowed when it opens, by every session so far (:func:`learned`);
- it *spreads knowledge*: the share :func:`learned` of the knowledge gap behind the
  technical-complexity penalty on the norm's quality closes (:func:`ecsim.model.norms.quality`).

Where the IGF exists is derived from the regime (:func:`present`), not declared: it accompanies
enhanced cooperation on public policy.  docs/ODD.md §7.8b describes the mechanism and its choices.
"""

from __future__ import annotations

import numpy as np

from ecsim.model.ledger import IssueLedger
from ecsim.model.regimes import Regime
from ecsim.model.venues import PUBLIC_POLICY

#: Steps between two sessions of the IGF: it meets once a year (as it has since 2006).
SESSION_INTERVAL = 12

#: What the IGF discusses: public-policy issues (Tunis §72(a)), never day-to-day technical and
#: operational matters (Tunis §77; seed 1b).
DISCUSSED: frozenset[str] = PUBLIC_POLICY

#: The outcomes of an issue the IGF can still discuss usefully: raised and not yet decided.
_OPEN: frozenset[str] = frozenset({"queued", "negotiating"})


def present(regime: Regime) -> bool:
    """Whether ``regime`` has an IGF: it routes some public-policy issue to a venue of enhanced cooperation.

    The learning forum and the governance fora come together (seed 2a: "If the IGF is only the
    learning forum, we need a governance forum"; the Tunis Agenda creates both, §69-72).  The
    baseline, national legislatures and operators only, has neither, so it is the same world
    whether the IGF is switched on or off and every regime's harm reduction moves by the IGF's
    value in that regime alone.
    """
    return any(venue.shared_agenda for category, venue in regime.routes.items() if category in DISCUSSED)


def meets(now: int, learning: float, regime: Regime) -> bool:
    """Whether the IGF holds a session in step ``now`` (switched on, present, and a year since the last)."""
    return learning > 0.0 and now % SESSION_INTERVAL == 0 and present(regime)


def agenda(ledger: IssueLedger) -> np.ndarray:
    """The ids of the issues a session discusses: every open public-policy issue (queued or being decided).

    Every one, not a selection: the IGF takes no decisions and has no agenda limit of the kind a
    negotiating forum has (its annual meeting holds many parallel sessions), and at the model's scale
    (some 2 to 13 open public-policy issues at a session at the defaults) a cap would hardly bind.
    """
    return np.array(
        [
            issue.id
            for issue, outcome in zip(ledger.issues[: ledger.arrived], ledger.outcome, strict=False)
            if outcome in _OPEN and issue.category in DISCUSSED
        ],
        dtype=np.int64,
    )


def learned(learning: float, sessions: int) -> float:
    """The share of disagreement (and of the knowledge gap) that ``sessions`` discussions closed.

    Each session closes the share ``learning`` of what is left: ``1 - (1 - learning) ** sessions``,
    exactly 0.0 without a session or with the IGF off.
    """
    return 1.0 - (1.0 - learning) ** sessions
