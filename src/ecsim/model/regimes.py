"""Regimes: points in the space of institutional design dimensions, written as data.

A :class:`Regime` routes each issue category to a venue (:class:`~ecsim.model.venues.Venue`)
and says how much its venues can negotiate at once, where its private norms bind and
what backs them.  The dimensions (:mod:`ecsim.dimensions`: routing, capacity,
reporting, enforcement, scope, consultation) are independent: the built-in regimes
are points of that space (:data:`REGIMES`, :func:`from_dimensions`), and
:meth:`Regime.with_dimensions` moves a regime along one dimension at a time.  Users
may also write a regime as a dict of venues and pass it to the model (its routing,
reporting and consultation are then "custom"); the engine never needs to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from ecsim.dimensions import DIMENSIONS
from ecsim.model.venues import (
    CENTRAL_FORUM,
    INDUSTRY_SELF_REGULATION,
    INTERNET_INSTITUTIONS,
    MULTILATERAL_FORUM,
    NATIONAL,
    PUBLIC_POLICY,
    TECHNICAL_COMMUNITY,
    VENUE_RULES,
    RegimeError,
    Venue,
)
from ecsim.params import CATEGORIES

__all__ = [
    "BASELINE",
    "CENTRAL_FORUM",
    "INDUSTRY_SELF_REGULATION",
    "INTERNET_INSTITUTIONS",
    "MULTILATERAL_FORUM",
    "NATIONAL",
    "PUBLIC_POLICY",
    "REGIMES",
    "TECHNICAL_COMMUNITY",
    "VENUE_RULES",
    "Regime",
    "RegimeError",
    "Venue",
    "from_dimensions",
    "resolve_regime",
]

#: The regime every other is measured against: harm reduction = 1 - cumulative harm / the baseline's, same seed.
BASELINE = "no_cooperation"


@dataclass(frozen=True)
class Regime:
    """A point in the space of design dimensions (:mod:`ecsim.dimensions`): a routing of every issue
    category to a venue, plus how much it can negotiate at once, where its private norms bind and what
    backs them (seed 1g: 'flexible in accordance with the issue').

    ``dimensions`` holds its coordinates; a regime written as a dict of venues has ``routing="custom"``
    (and custom reporting and consultation: its venues say).
    """

    name: str
    routes: Mapping[str, Venue]
    description: str = ""
    source: str = ""
    capacity: str = "shared"
    scope: str = "market_reach"
    enforcement: str = "by_venue"
    routing: str = "custom"
    venues: tuple[Venue, ...] = field(init=False)

    def __post_init__(self) -> None:
        missing = [c for c in CATEGORIES if c not in self.routes]
        unknown = [c for c in self.routes if c not in CATEGORIES]
        if unknown:
            raise RegimeError(
                f"regime {self.name!r}: unknown category {unknown[0]!r}; expected {', '.join(CATEGORIES)}"
            )
        if missing:
            raise RegimeError(f"regime {self.name!r}: no venue for category {missing[0]!r}")
        for dimension in ("capacity", "scope", "enforcement"):
            value = getattr(self, dimension)
            if value not in DIMENSIONS[dimension].values:
                allowed = ", ".join(DIMENSIONS[dimension].values)
                raise RegimeError(f"regime {self.name!r}: {dimension}={value!r} is not one of {allowed}")
        by_name: dict[str, Venue] = {}
        for venue in self.routes.values():
            if not isinstance(venue, Venue):
                raise RegimeError(f"regime {self.name!r}: routes must map categories to Venue objects")
            if by_name.setdefault(venue.name, venue) != venue:
                raise RegimeError(f"regime {self.name!r}: two different venues are named {venue.name!r}")
        object.__setattr__(self, "routes", MappingProxyType({c: self.routes[c] for c in CATEGORIES}))
        object.__setattr__(self, "venues", tuple(by_name.values()))

    def __reduce__(self) -> tuple:
        """Pickle support (the routes are a read-only proxy): needed to ship regimes to workers."""
        fields = (self.description, self.source, self.capacity, self.scope, self.enforcement, self.routing)
        return (Regime, (self.name, dict(self.routes), *fields))

    @property
    def dimensions(self) -> dict[str, str]:
        """The regime's coordinates on every design dimension (``custom`` where its venues decide)."""
        cooperating = [v for v in self.venues if v.shared_agenda]
        reporting = {v.reports for v in cooperating}
        consultation = {_consultation_of(v) for v in cooperating}
        return {
            "routing": self.routing,
            "capacity": self.capacity,
            "reporting": ("annual" if True in reporting else "none") if len(reporting) <= 1 else "custom",
            "enforcement": self.enforcement,
            "scope": self.scope,
            "consultation": consultation.pop()
            if len(consultation) == 1
            else ("none" if not consultation else "custom"),
        }

    def with_dimensions(self, **changes: str) -> Regime:
        """This regime with some dimensions set to other values (the others kept): a neighbour in the design space.

        The new regime is named after this one and the changes, e.g. ``flexible[consultation=relevant]``.
        """
        for name, value in changes.items():
            if name not in DIMENSIONS:
                raise RegimeError(f"{name!r} is not a design dimension: expected one of {', '.join(DIMENSIONS)}")
            if value not in DIMENSIONS[name].values:
                allowed = ", ".join(DIMENSIONS[name].values)
                raise RegimeError(f"{name}={value!r} is not allowed: expected one of {allowed}")
        changes = {k: v for k, v in changes.items() if self.dimensions[k] != v}
        if not changes:
            return self
        if "routing" in changes and changes["routing"] not in ROUTINGS:
            raise RegimeError(f"routing={changes['routing']!r}: expected one of {', '.join(ROUTINGS)}")
        if self.routing == "custom" and "routing" not in changes:
            routes = {
                c: _shaped(v, changes.get("consultation"), changes.get("reporting")) for c, v in self.routes.items()
            }
        else:
            coordinates = {**self.dimensions, **changes}
            routes = _routes(coordinates["routing"], coordinates["consultation"], coordinates["reporting"])
        name = self.name + "[" + ",".join(f"{k}={v}" for k, v in changes.items()) + "]"
        return Regime(
            name,
            routes,
            description=self.description,
            source=self.source,
            capacity=changes.get("capacity", self.capacity),
            scope=changes.get("scope", self.scope),
            enforcement=changes.get("enforcement", self.enforcement),
            routing=changes.get("routing", self.routing),
        )

    def describe(self) -> dict:
        """A JSON-ready description of the regime (for manifests and hashes)."""

        def venue(v: Venue) -> dict:
            d = {k: getattr(v, k) for k in v.__dataclass_fields__}
            return {
                k: sorted(x) if isinstance(x, frozenset) else list(x) if isinstance(x, tuple) else x
                for k, x in d.items()
            }

        return {
            "name": self.name,
            "dimensions": self.dimensions,
            "routes": {c: venue(v) for c, v in self.routes.items()},
        }


def from_dimensions(name: str, description: str = "", source: str = "", **coordinates: str) -> Regime:
    """The regime at ``coordinates`` (one value per design dimension; see ``ecsim.regime_dimensions()``)."""
    missing = [d for d in DIMENSIONS if d not in coordinates]
    if missing:
        raise RegimeError(f"regime {name!r}: no value for dimension {missing[0]!r}")
    base = Regime(name, _routes("national_only", "none", "none"), routing="national_only")
    regime = base.with_dimensions(**coordinates)
    return Regime(
        name,
        dict(regime.routes),
        description=description,
        source=source,
        capacity=regime.capacity,
        scope=regime.scope,
        enforcement=regime.enforcement,
        routing=regime.routing,
    )


# --- the regime space: routings of venue kinds, shaped by consultation and reporting ------------

#: Which venue kind takes each category, per value of the ``routing`` dimension.
ROUTINGS: dict[str, dict[str, Venue]] = {
    "single_forum": dict.fromkeys(CATEGORIES, CENTRAL_FORUM),
    "by_issue": {
        "national": NATIONAL,
        "international": MULTILATERAL_FORUM,
        "critical_resources": INTERNET_INSTITUTIONS,
        "corporate_harm": INDUSTRY_SELF_REGULATION,
        "technical_operational": TECHNICAL_COMMUNITY,
    },
    "private_only": {
        "national": NATIONAL,
        "international": INDUSTRY_SELF_REGULATION,
        "critical_resources": TECHNICAL_COMMUNITY,
        "corporate_harm": INDUSTRY_SELF_REGULATION,
        "technical_operational": TECHNICAL_COMMUNITY,
    },
    "national_only": {**dict.fromkeys(CATEGORIES, NATIONAL), "technical_operational": TECHNICAL_COMMUNITY},
}
#: Who a venue of enhanced cooperation consults, and how often, per value of ``consultation``.
CONSULTATIONS: dict[str, tuple[tuple[str, ...], bool]] = {
    "everyone_every_round": (("governments", "companies", "cso", "technical"), True),
    "relevant": (("affected_governments", "causing_companies", "affected_cso", "relevant_technical"), False),
    "experts": (("relevant_technical",), False),
    "none": ((), False),
}


def _consultation_of(venue: Venue) -> str:
    found = [
        k for k, (who, each) in CONSULTATIONS.items() if who == venue.consulted and each == venue.consult_every_round
    ]
    return found[0] if found else "custom"


def _shaped(venue: Venue, consultation: str | None, reporting: str | None) -> Venue:
    """A venue of enhanced cooperation with the consultation and reporting asked for (legislatures stay as they are)."""
    if not venue.shared_agenda:
        return venue
    changes: dict = {}
    if consultation is not None:
        changes["consulted"], changes["consult_every_round"] = CONSULTATIONS[consultation]
    if reporting is not None:
        changes["reports"] = reporting == "annual"
    return replace(venue, **changes)


def _routes(routing: str, consultation: str, reporting: str) -> dict[str, Venue]:
    shaped = {v.name: _shaped(v, consultation, reporting) for v in ROUTINGS[routing].values()}
    return {c: shaped[v.name] for c, v in ROUTINGS[routing].items()}


REGIMES: dict[str, Regime] = {
    "centralised": from_dimensions(
        "centralised",
        description="One forum for every issue; governments decide; everyone consulted at every stage.",
        source="seed 1g (the model the source text rejects)",
        routing="single_forum",
        capacity="shared",
        reporting="none",
        enforcement="by_venue",
        scope="market_reach",
        consultation="everyone_every_round",
    ),
    "flexible": from_dimensions(
        "flexible",
        description="Each category to the constituency that leads on it; relevant stakeholders consulted; "
        "annual performance reports.",
        source="seed 1b-1g, 2a (the CIS reading of Tunis §69-71)",
        routing="by_issue",
        capacity="shared",
        reporting="annual",
        enforcement="by_venue",
        scope="market_reach",
        consultation="relevant",
    ),
    "self_regulatory": from_dimensions(
        "self_regulatory",
        description="Only self-regulation by the private sector and technical community; governments act nationally.",
        source="seed 1g, 2a (self-regulation alone)",
        routing="private_only",
        capacity="shared",
        reporting="none",
        enforcement="by_venue",
        scope="market_reach",
        consultation="experts",
    ),
    BASELINE: from_dimensions(
        BASELINE,
        description="Baseline: national policy only, neither enhanced cooperation nor the IGF; operators still run "
        "the network.",
        source="seed 1a, 2a (enhanced cooperation is distinct from the IGF, 'the learning forum')",
        routing="national_only",
        capacity="shared",
        reporting="none",
        enforcement="by_venue",
        scope="market_reach",
        consultation="none",
    ),
}


def resolve_regime(regime: str | Regime | Mapping[str, Venue]) -> Regime:
    """Accept a built-in regime's name, a Regime, or a mapping from category to Venue."""
    if isinstance(regime, Regime):
        return regime
    if isinstance(regime, str):
        if regime not in REGIMES:
            import difflib

            close = difflib.get_close_matches(regime, list(REGIMES), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise RegimeError(f"regime={regime!r} is not allowed: expected one of {', '.join(REGIMES)}{hint}")
        return REGIMES[regime]
    if isinstance(regime, Mapping):
        return Regime("custom", regime)
    raise RegimeError(
        f"regime={regime!r} has the wrong type: expected a regime's name, a Regime or a dict from issue category "
        "to venue"
    )
