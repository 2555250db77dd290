"""The institutional design dimensions a regime is made of, declared once.

A regime (:mod:`ecsim.model.regimes`) is a point in this space: one value per
dimension.  (A private norm's ``scope`` is where it binds; the
word ``coverage`` belongs to the metric, the share of harm that norms bind.)  The dimensions are
independent: any value of one combines with any
value of the others, so two regimes can be compared one dimension at a time and
the gap between them decomposed into the dimensions that carry it.  Each is also
a model parameter (``EnhancedCooperationModel(consultation="relevant")``; the
default ``"regime"`` keeps the regime's own value) and so an experiment factor.

This module is data only (it sits below :mod:`ecsim.params`, which offers the
values as parameter choices); the model implements each value.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Dimension:
    """One design dimension: its values and what each means, and where it comes from."""

    name: str
    description: str
    values: MappingProxyType  # value -> meaning
    source: str

    def __init__(self, name: str, description: str, values: dict[str, str], source: str) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "values", MappingProxyType(dict(values)))
        object.__setattr__(self, "source", source)


#: Every design dimension, by name, in the order regimes list their coordinates.
DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension(
            "routing",
            "which kind of venue takes each category of issue",
            {
                "single_forum": "one intergovernmental forum of all governments takes every issue",
                "by_issue": "each category goes to the constituency that leads on it: national issues to national "
                "legislatures, international ones to a multilateral forum of the governments concerned, critical "
                "resources to Internet institutions with governments, corporate harm to industry self-regulation, "
                "technical matters to the technical community",
                "private_only": "only self-regulation: corporate harm and international issues to industry, critical "
                "resources and technical matters to the technical community; governments act only nationally",
                "national_only": "national legislatures only (technical matters to the technical community)",
            },
            "seed 1b, 1c, 1f, 1g, 2a (Tunis Agenda §69-71)",
        ),
        Dimension(
            "capacity",
            "how many negotiations a regime can hold at once",
            {
                "shared": "one negotiating budget for the whole regime: at most `negotiation_budget` negotiations open "
                "at once across all its venues, queued issues taken in order of arrival (equal resources)",
                "per_venue": "each venue has its own agenda of `agenda_capacity` negotiations, so a regime with more "
                "venues has more capacity",
            },
            "modelling choice: a fair comparison holds resources equal (docs/ODD.md §7.5)",
        ),
        Dimension(
            "reporting",
            "whether venues publish annual performance reports that escalate the sanctions of weak norms",
            {
                "annual": "every venue of enhanced cooperation (not national legislatures) reports once a year",
                "none": "no venue reports",
            },
            "seed 1e (Tunis §71: 'relevant organisations shall be requested to provide annual performance reports')",
        ),
        Dimension(
            "enforcement",
            "what backs a norm besides civil-society monitoring",
            {
                "by_venue": "each venue's own: state law where governments decide, peer sanctions for industry codes, "
                "interoperability for technical norms",
                "state_backstop": "as by_venue, and every norm of a venue without governments is also enforced by the "
                "state law of the jurisdictions it covers (co-regulation, the shadow of hierarchy)",
            },
            "seed 1f, 2a; Héritier & Lehmkuhl 2008 (the shadow of hierarchy)",
        ),
        Dimension(
            "scope",
            "where a norm from a venue without governments binds (where governments decide, only those that sign)",
            {
                "market_reach": "where the firms it binds do business: a firm reaches a jurisdiction with a chance "
                "equal to its size relative to the largest firm, so a code of small firms covers little",
                "opt_in": "in the jurisdictions whose governments accept it (the norm lies within their acceptance "
                "tolerance)",
                "everywhere": "in every jurisdiction of the issue, with no state's consent (the earlier model's rule; "
                "kept as an ablation)",
            },
            "seed 1f (law and norms bind states that consent), 1g; modelling choice (docs/ODD.md §7.8)",
        ),
        Dimension(
            "consultation",
            "who, besides the deciders, gives input, and at which stage",
            {
                "everyone_every_round": "every company, CSO and technical body, at every round",
                "relevant": "the issue's relevant stakeholders (affected governments and CSOs, causing firms, relevant "
                "technical bodies), once, at drafting",
                "experts": "the relevant technical bodies only, once, at drafting",
                "none": "nobody",
            },
            "seed 1e ('relevant stakeholders ... at the relevant stage'), 1g",
        ),
    )
}

#: The parameter value meaning "the regime's own value of this dimension".
OWN = "regime"


def regime_dimensions() -> list[dict[str, Any]]:
    """Every dimension's values with their meaning and source (one dict per dimension and value)."""
    return [
        {"dimension": d.name, "value": value, "meaning": meaning, "source": d.source}
        for d in DIMENSIONS.values()
        for value, meaning in d.values.items()
    ]
