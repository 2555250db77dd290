"""Norm adoption: from an adopted proposal to a norm in force (seed 1f, 1g, 2a).

An adopted proposal becomes a :class:`Norm` through three mechanisms:

1. **Binding** (:func:`bind`): the firms causing the issue's harm are bound; where
   firms decide (an industry code), only the signatories.
2. **Ratification** (:func:`ratify`): where governments decide, only those that
   signed ratify, so the norm covers only their jurisdictions (its jurisdictional
   coverage κ) and only they enforce it; elsewhere the regime's scope dimension
   says where the norm binds (the market reach of its firms, the governments that
   opt in, or, as an ablation, everywhere).  Governments that ratify or legislate
   also bind their own conduct, which no private code does; it matters with state
   harm on (:mod:`ecsim.model.state_harm`).
3. **Enforcement** (:func:`enforce`): civil-society monitors and the venue's
   enforcer (an enforcement kind, :mod:`ecsim.model.enforcement`) may detect a
   defection; detection, sanction and the reputation a firm would lose make a
   defection costly (:mod:`ecsim.model.compliance`); under a state backstop the
   covering governments' law backs every norm too.

Its quality falls where technical complexity meets no technical expertise at the
table (less what the IGF's discussions of the issue taught, :mod:`ecsim.model.igf`) and, with
fit for purpose on (``fit_weight`` > 0), where the table is not fit for the issue's category
(:mod:`ecsim.model.fit`); its legitimacy is one minus the mean
distance of its stringency from the positions of the stakeholders the issue affects.  With
legitimacy or overreach on (:mod:`ecsim.model.legitimacy`), a signatory ratifies only with a chance
that rises with the norm's legitimacy in its eyes and falls with its venue's lost standing, and a
bound firm's felt obligation offsets part of what defecting saves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ecsim.model import legitimacy as legit
from ecsim.model.enforcement import ENFORCEMENTS
from ecsim.model.issues import Issue
from ecsim.model.negotiation import Outcome
from ecsim.model.population import Population
from ecsim.model.regimes import Regime
from ecsim.model.state_harm import states_bound
from ecsim.model.venues import Seat
from ecsim.model.weightings import mean

if TYPE_CHECKING:
    from ecsim.model.bindings import Bindings
    from ecsim.model.peer import PeerEnforcement


@dataclass(eq=False)
class Norm:
    """An adopted norm: what it asks, whom it binds, how it is enforced."""

    issue: Issue
    stringency: float
    quality: float  # (1 - complexity x (1 - expertise) x (1 - learned at the IGF)) x (1 - fit_weight x (1 - fit))
    fit: float  # fit for purpose of the table that wrote it (ecsim.model.fit)
    reach: float  # share of cross-border harm national law reaches (1 unless legislated nationally)
    kappa: float  # jurisdictional coverage: share of the issue's jurisdictions bound
    states_bound: float  # share of the issue's jurisdictions whose government the norm binds (ecsim.model.state_harm)
    state_share: float  # share of the issue's harm its governments cause (0 with state harm off)
    bound: np.ndarray  # firms bound (local company index)
    weights: np.ndarray  # each bound firm's share of the issue's harm
    gain: np.ndarray  # what defecting saves each bound firm per step
    reputation: np.ndarray  # what a detected defection costs each bound firm in reputation
    detection: float  # chance a defection is detected by monitors or the enforcer
    sanction: float  # severity of the enforcer's (or the peers') sanction
    by_peers: bool  # the bound firms enforce it among themselves (the norms game)
    legitimacy: float
    overreach: bool  # adopted by a venue outside its remit
    standing: float = 1.0  # its venue's legitimacy stock once it was adopted (ecsim.model.legitimacy)
    obligation: np.ndarray | float = 0.0  # share of each bound firm's gain its felt obligation offsets
    refused: int = 0  # governments that signed or accepted it but did not ratify (ecsim.model.legitimacy)

    @property
    def coverage(self) -> float:
        """Harm-weighted share of the issue's harm the norm binds: the firms' part and, with state harm on, the
        states' part (ecsim.model.state_harm)."""
        firms = self.kappa * float(self.weights.sum())
        if not self.state_share:  # state harm off: all harm is the firms'
            return firms
        return (1.0 - self.state_share) * firms + self.state_share * self.states_bound


def ratify(
    seat: Seat,
    signed: np.ndarray,
    bound: np.ndarray,
    stringency: float,
    pop: Population,
    scope: str,
    p: dict[str, Any],
    consent: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """(jurisdictional coverage κ, the governments that enforce the norm) (local government indices).

    Where governments decide, the signatories ratify: the norm covers their jurisdictions.  Otherwise the
    regime's ``scope`` says where it binds (:mod:`ecsim.dimensions`): ``market_reach``, the chance that at
    least one bound firm does business in a jurisdiction (a firm reaches one with a chance equal to its size
    relative to the largest firm); ``opt_in``, the jurisdictions whose governments accept the norm (it lies
    within ``acceptance_tolerance`` of their position); ``everywhere``, all of the issue's jurisdictions.
    ``consent`` (per jurisdiction; None: all): which of the governments that signed or accept the norm
    ratify it (:mod:`ecsim.model.legitimacy`); a government legislating alone never refuses its own law.
    """
    jurisdictions = seat.issue.jurisdictions
    government = pop.slices["government"].start
    if seat.governments_decide:
        ratified = signed[jurisdictions + government]
        if consent is not None and seat.rule != "unilateral":
            ratified &= consent
        return (mean(ratified) if jurisdictions.size else 0.0), jurisdictions[ratified]
    if scope == "everywhere":
        return 1.0, jurisdictions
    if scope == "market_reach":
        return 1.0 - float(np.prod(1.0 - pop.company_visibility()[bound])), jurisdictions
    accepts = np.abs(seat.positions[jurisdictions + government] - stringency) <= p["acceptance_tolerance"]
    if consent is not None:
        accepts &= consent
    return (mean(accepts) if jurisdictions.size else 0.0), jurisdictions[accepts]


def bind(seat: Seat, signed: np.ndarray, pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """(the firms the norm binds, their shares of the issue's harm)."""
    issue = seat.issue
    if not seat.firms_decide:
        return issue.causers, issue.harm_weights
    signatory = signed[issue.causers + pop.slices["company"].start]
    return issue.causers[signatory], issue.harm_weights[signatory]


def enforce(
    seat: Seat, enforcers: np.ndarray, pop: Population, enforcement: str, p: dict[str, Any]
) -> tuple[float, float, float]:
    """(detection by monitors or the enforcer, detection by civil society alone, sanction).

    Under ``enforcement="state_backstop"`` a norm of a venue that is not backed by state law is also
    enforced by the state law of the governments it covers: both may detect, and the harsher sanction applies.
    """
    kind = ENFORCEMENTS[seat.venue.enforcement]
    capacity = pop.enforcement_capacity[enforcers]
    detection_enforcer, sanction = kind.enforcer(capacity, p)
    if enforcement == "state_backstop" and kind.name != "state_law":
        detection_state, sanction_state = ENFORCEMENTS["state_law"].enforcer(capacity, p)
        detection_enforcer = 1.0 - (1.0 - detection_enforcer) * (1.0 - detection_state)
        sanction = max(sanction, sanction_state)
    effort = pop.monitoring_effort[seat.issue.affected_cso].sum()
    detection_cso = p["monitoring_capacity"] * (1.0 - np.exp(-effort))
    detection = 1.0 - (1.0 - detection_cso) * (1.0 - detection_enforcer)
    return detection, detection_cso, sanction


def legitimacy(seat: Seat, stringency: float, pop: Population) -> float:
    """1 - the mean distance of the norm from the positions of the stakeholders the issue affects."""
    issue, s = seat.issue, pop.slices
    affected = np.concatenate(
        [
            issue.jurisdictions + s["government"].start,
            issue.causers + s["company"].start,
            issue.affected_cso + s["cso"].start,
        ]
    )
    return 1.0 - float(np.add.reduce(np.abs(seat.positions[affected] - stringency))) / affected.size


def quality(complexity: float, expertise: float, fit: float, fit_weight: float, learned: float = 0.0) -> float:
    """How much of the harm a complied-with norm of stringency 1 removes, in [0, 1].

    Technical complexity without expertise at the table lowers it (pattern 2, ODD §7.8), less the share
    ``learned`` of that knowledge gap that the IGF's discussions of the issue closed (ODD §7.8b: the
    effective expertise is ``expertise + learned x (1 - expertise)``); and, by ``fit_weight``, a table unfit
    for the issue lowers it (ODD §7.8a).  ``fit_weight = 0`` and ``learned = 0`` give exactly the quality
    of the model without fit and without the IGF (the products with 1.0 are exact): the ablations.
    """
    return (1.0 - complexity * (1.0 - expertise) * (1.0 - learned)) * (1.0 - fit_weight * (1.0 - fit))


def accept(
    seat: Seat,
    signed: np.ndarray,
    bound: np.ndarray,
    stringency: float,
    pop: Population,
    regime: Regime,
    p: dict[str, Any],
    standing: float,
    draws: np.ndarray,
) -> tuple[float, np.ndarray, np.ndarray | float, int]:
    """Ratification and felt obligation with legitimacy or overreach on (:mod:`ecsim.model.legitimacy`).

    ``standing``: the venue's legitimacy stock once the norm is adopted; ``draws``: one uniform per
    jurisdiction.  Returns (κ, the enforcers, each bound firm's felt obligation, the governments that
    signed or accept the norm but refuse to ratify it).
    """
    weight, government = p["legitimacy_weight"], pop.slices["government"].start
    jurisdictions = seat.issue.jurisdictions
    overreach = legit.overreaches(seat.issue.category, seat.venue.remit)
    chance = legit.ratification_chance(
        seat.positions[jurisdictions + government], stringency, standing, weight, overreach
    )
    kappa, enforcers = ratify(seat, signed, bound, stringency, pop, regime.scope, p, legit.consents(draws, chance))
    willing = ratify(seat, signed, bound, stringency, pop, regime.scope, p)[1]
    firms = seat.positions[bound + pop.slices["company"].start]
    obligation = legit.obligation(firms, stringency, standing, weight) if weight > 0.0 else 0.0
    return kappa, enforcers, obligation, int(willing.size - enforcers.size)


def adopt(
    seat: Seat,
    outcome: Outcome,
    pop: Population,
    regime: Regime,
    p: dict[str, Any],
    state_share: float = 0.0,
    learned: float = 0.0,
    standing: float = 1.0,
    draws: np.ndarray | None = None,
) -> Norm:
    """The norm an adopted proposal becomes (binding, ratification, enforcement) under ``regime``.

    ``state_share``: the share of the issue's harm its governments cause (:mod:`ecsim.model.state_harm`).
    ``learned``: the share of the knowledge gap on the issue that the IGF's discussions closed (ODD §7.8b).
    ``standing`` and ``draws`` (None with legitimacy and overreach off): see :func:`accept`.
    """
    issue, stringency = seat.issue, outcome.proposal
    signed = np.zeros(pop.size, dtype=bool)
    signed[seat.deciders[outcome.supporters]] = True
    bound, weights = bind(seat, signed, pop)
    obligation, refused = 0.0, 0
    if draws is None:
        kappa, enforcers = ratify(seat, signed, bound, stringency, pop, regime.scope, p)
    else:
        kappa, enforcers, obligation, refused = accept(seat, signed, bound, stringency, pop, regime, p, standing, draws)
    detection, detection_cso, sanction = enforce(seat, enforcers, pop, regime.enforcement, p)
    return Norm(
        issue=issue,
        stringency=stringency,
        quality=quality(issue.complexity, seat.expertise, seat.fit, p["fit_weight"], learned),
        fit=seat.fit,
        reach=p["national_reach"] if seat.rule == "unilateral" and issue.cross_border else 1.0,
        kappa=kappa,
        states_bound=states_bound(seat.governments_decide, kappa),
        state_share=state_share,
        bound=bound,
        weights=weights,
        gain=stringency * p["compliance_cost"] * pop.cost_factor[bound],
        reputation=detection_cso * p["reputation_cost"] * pop.company_visibility()[bound],
        detection=detection,
        sanction=sanction,
        by_peers=ENFORCEMENTS[seat.venue.enforcement].by_peers,
        legitimacy=legitimacy(seat, stringency, pop),
        overreach=legit.overreaches(issue.category, seat.venue.remit),
        standing=standing,
        obligation=obligation,
        refused=refused,
    )


def add_bindings(norm: Norm, bindings: Bindings, peers: PeerEnforcement, sanction: np.ndarray, noise: float) -> None:
    """Bind ``norm``'s firms: its rows join ``bindings`` (a peer-enforced norm's firms join the norms game, ``peers``),
    and their compliance margins are computed (``sanction``: each issue's current sanction; ``noise``: the
    ``compliance_noise``)."""
    first = len(bindings)
    bindings.add(
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
        peers.bind(norm.bound)
        peers.refresh_pressure(bindings, start=first)
    bindings.refresh_margins(sanction, noise, start=first)
