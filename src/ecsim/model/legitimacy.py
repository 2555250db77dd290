"""Legitimacy and overreach (seed 1b, 1e, 1f): a norm is kept and ratified as far as those it binds accept it.

The source text asks that enhanced cooperation involve "*relevant* stakeholders in accordance with
the issue at hand" (seed 1e) and that governments first "agree on what is within the exclusive realm
of 'national public policy'" and what is "within the remit of 'international public policy'"
(seed 1f), day-to-day technical and operational matters being exempt from government-to-government
cooperation (seed 1b).  A venue's remit is the model's record of that agreement; deciding outside it
is *overreach*.  Without this module legitimacy and overreach are outputs only (ODD §7.8, §7.12).

Two switches, both on by default (0 turns each off), make them act (docs/ODD.md §7.8c):

- ``legitimacy_weight`` (λ): those a norm binds keep it and ratify it the more, the more legitimate it
  is in their eyes (Tyler 1990; Franck 1990's "compliance pull"; Epstein 2002, where legitimacy lowers
  the grievance that drives defiance).  The legitimacy of a norm in the eyes of stakeholder j is
  :func:`felt`: the venue's standing times one minus the distance of the norm from j's position as
  drawn.  A bound firm's felt obligation offsets the share λ x its legitimacy of what defecting saves
  it (:func:`obligation`, in the compliance margin once per binding); a government that signed (or,
  under the ``opt_in`` scope, accepts) ratifies with chance 1 - λ x (1 - its legitimacy).
- ``overreach_backlash`` (β): each venue has a legitimacy stock, its *standing*, 1 at the start
  (:class:`Standing`).  Every norm it adopts outside its remit multiplies it by 1 - β, and it does not
  recover.  Each affected government refuses to ratify an overreaching norm with chance 1 - the
  standing after it (β for a venue's first overreach); with λ > 0, the lost standing also lowers the
  legitimacy, and so the compliance and ratification, of every later norm of the venue (Franck 1990:
  a rule made by an institution acting beyond its competence lacks "adherence"; Hurd 1999).

Ratification draws come from their own stream, one child per issue (``rng`` stream ``ratification``),
so the same issue's governments draw the same numbers in every regime, and the model with both
switches off draws nothing new and is the previous model bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ecsim.rng import Substreams, stream_sequence

if TYPE_CHECKING:
    from ecsim.model.venues import Seat


def active(p: dict[str, Any]) -> bool:
    """Whether legitimacy or overreach acts in a run with parameters ``p`` (either switch on)."""
    return p["legitimacy_weight"] > 0.0 or p["overreach_backlash"] > 0.0


def streams(seed: np.random.SeedSequence, p: dict[str, Any]) -> Substreams | None:
    """The ratification draws, one child stream per issue, drawn only while the mechanism acts (else None)."""
    return Substreams(stream_sequence(seed, "ratification")) if active(p) else None


def overreaches(category: str, remit: frozenset[str]) -> bool:
    """Whether deciding an issue of ``category`` is outside a venue's ``remit`` (seed 1b, 1f)."""
    return category not in remit


@dataclass
class Standing:
    """Each venue's legitimacy stock (its standing), by venue name: 1 until it first overreaches."""

    stock: dict[str, float] = field(default_factory=dict)

    def of(self, venue: str) -> float:
        """The standing of ``venue`` now."""
        return self.stock.get(venue, 1.0)

    def adopt(self, venue: str, overreach: bool, backlash: float) -> float:
        """``venue`` adopts a norm: an overreaching one costs it the share ``backlash`` of its standing.

        Returns the standing the norm carries (after its own overreach).  Nothing recovers it.
        """
        standing = self.of(venue)
        if overreach and backlash > 0.0:
            standing *= 1.0 - backlash
            self.stock[venue] = standing
        return standing


def felt(positions: np.ndarray, stringency: float, standing: float) -> np.ndarray:
    """The legitimacy of a norm of ``stringency`` in the eyes of stakeholders at ``positions``, in [0, 1].

    The venue's ``standing`` times one minus the distance of the norm from each one's position (as drawn,
    before concession: what they wanted, as in the norm's legitimacy, ODD §7.8).
    """
    return standing * (1.0 - np.abs(positions - stringency))


def obligation(positions: np.ndarray, stringency: float, standing: float, weight: float) -> np.ndarray:
    """The share of what defecting saves each bound firm that its felt obligation offsets: λ x legitimacy."""
    return weight * felt(positions, stringency, standing)


def ratification_chance(
    positions: np.ndarray, stringency: float, standing: float, weight: float, overreach: bool
) -> np.ndarray:
    """Each government's chance to ratify a norm it signed or accepts.

    ``1 - weight x (1 - legitimacy)``, times the venue's ``standing`` if the norm overreaches (an affected
    government refuses a norm decided outside the venue's remit with chance ``1 - standing``).  Exactly 1
    with ``weight = 0`` and no overreach: every signatory ratifies, as without the mechanism.
    """
    chance = 1.0 - weight * (1.0 - felt(positions, stringency, standing))
    return chance * standing if overreach else chance


def consents(draws: np.ndarray, chance: np.ndarray) -> np.ndarray:
    """Which governments ratify: their uniform ``draws`` fall below their ``chance``."""
    return draws < chance


def terms(seat: Seat, standing: Standing, streams: Substreams | None, p: dict[str, Any]) -> dict[str, Any]:
    """What adopting the norm at ``seat`` needs from this mechanism: the standing it carries, the ratification draws.

    The venue's standing first pays for the norm's own overreach (:meth:`Standing.adopt`); each of the
    issue's jurisdictions draws one uniform from the issue's child of the ``ratification`` stream.  With
    both switches off (``streams`` is None) it is empty: nothing is drawn and no standing moves.
    """
    if streams is None:
        return {}
    venue, issue = seat.venue, seat.issue
    carried = standing.adopt(venue.name, overreaches(issue.category, venue.remit), p["overreach_backlash"])
    return {"standing": carried, "draws": streams[issue.id].random(issue.jurisdictions.size)}
