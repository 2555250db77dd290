"""Venues and regimes, written as data.

A :class:`Venue` is a negotiating table: who decides (and with what weights and
rule), who is consulted, what it may legitimately decide (its remit), whether
it shares a limited agenda, which enforcement backs its norms, and whether it
publishes performance reports (seed 1e, 1g, 2a).  A :class:`Regime` routes each
issue category to a venue.  Users write a new regime as a dict of venues and
pass it to the model; the engine never needs to change.

Stakeholder *selectors* (:mod:`ecsim.model.selectors`) name who sits at a table for a
given issue; decision rules (:data:`ecsim.params.DECISION_RULES`), weightings
(:mod:`ecsim.model.weightings`) and enforcement kinds (:mod:`ecsim.model.enforcement`)
are each registered once, and a venue names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ecsim.model.enforcement import ENFORCEMENTS
from ecsim.model.selectors import selectors
from ecsim.model.weightings import WEIGHTINGS
from ecsim.params import CATEGORIES, DECISION_RULES

#: ``"parameter"`` means: the model's ``decision_rule`` parameter.  ``"unilateral"``
#: means each decider acts alone for its own jurisdiction (national legislation).
VENUE_RULES: tuple[str, ...] = (*DECISION_RULES, "unilateral", "parameter")
PUBLIC_POLICY: frozenset[str] = frozenset(CATEGORIES) - {"technical_operational"}
#: The regime every other is measured against: harm reduction = 1 - cumulative harm / the baseline's, same seed.
BASELINE = "no_cooperation"


class RegimeError(ValueError):
    """A regime or venue definition is malformed."""


@dataclass(frozen=True)
class Venue:
    """A negotiating table (see the module docstring for the selectors)."""

    name: str
    deciders: tuple[str, ...]
    decision_rule: str
    remit: frozenset[str]
    enforcement: str
    consulted: tuple[str, ...] = ()
    weighting: str = "equal"
    consult_every_round: bool = False
    shared_agenda: bool = True
    reports: bool = False
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        def check(what: str, values: tuple[str, ...] | frozenset[str], allowed: tuple[str, ...]) -> None:
            for v in values:
                if v not in allowed:
                    raise RegimeError(f"venue {self.name!r}: {what} {v!r} is not one of {', '.join(allowed)}")

        object.__setattr__(self, "deciders", tuple(self.deciders))
        object.__setattr__(self, "consulted", tuple(self.consulted))
        object.__setattr__(self, "remit", frozenset(self.remit))
        if not self.deciders:
            raise RegimeError(f"venue {self.name!r}: needs at least one decider selector")
        names = tuple(selectors())
        check("decider", self.deciders, names)
        check("consulted", self.consulted, names)
        check("remit category", self.remit, CATEGORIES)
        check("decision_rule", (self.decision_rule,), VENUE_RULES)
        check("enforcement", (self.enforcement,), tuple(ENFORCEMENTS))
        check("weighting", (self.weighting,), tuple(WEIGHTINGS))


@dataclass(frozen=True)
class Regime:
    """A routing of every issue category to a venue (seed 1g: 'flexible in accordance with the issue')."""

    name: str
    routes: Mapping[str, Venue]
    description: str = ""
    source: str = ""
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
        return (Regime, (self.name, dict(self.routes), self.description, self.source))

    def describe(self) -> dict:
        """A JSON-ready description of the routing (for manifests and hashes)."""

        def venue(v: Venue) -> dict:
            d = {k: getattr(v, k) for k in v.__dataclass_fields__}
            return {
                k: sorted(x) if isinstance(x, frozenset) else list(x) if isinstance(x, tuple) else x
                for k, x in d.items()
            }

        return {"name": self.name, "routes": {c: venue(v) for c, v in self.routes.items()}}


# --- the venues of the built-in regimes --------------------------------------------------

NATIONAL = Venue(
    name="national_legislatures",
    deciders=("affected_governments",),
    decision_rule="unilateral",
    remit=PUBLIC_POLICY,
    enforcement="state_law",
    shared_agenda=False,
    description="Each affected government legislates alone for its own jurisdiction.",
    source="seed 1b, 1f (national public policy is the exclusive realm of states)",
)
CENTRAL_FORUM = Venue(
    name="central_forum",
    deciders=("governments",),
    decision_rule="parameter",
    remit=frozenset({"international", "critical_resources", "corporate_harm"}),
    enforcement="state_law",
    consulted=("companies", "cso", "technical"),
    consult_every_round=True,
    description="One homogeneous intergovernmental forum: every issue, all stakeholders at all stages.",
    source="seed 1g ('a centralised or homogenous model ... will not suffice')",
)
MULTILATERAL_FORUM = Venue(
    name="multilateral_forum",
    deciders=("affected_governments",),
    decision_rule="parameter",
    remit=frozenset({"international", "critical_resources"}),
    enforcement="state_law",
    consulted=("affected_cso", "relevant_technical"),
    reports=True,
    description="The appropriate forum of the governments concerned, on an equal footing.",
    source="seed 1b, 1f (Tunis §69); seed 2a point 1",
)
INTERNET_INSTITUTIONS = Venue(
    name="internet_institutions",
    deciders=("technical", "affected_governments"),
    decision_rule="qualified_majority",
    weighting="constituency",
    remit=frozenset({"critical_resources"}),
    enforcement="interoperability",
    consulted=("causing_companies", "affected_cso"),
    reports=True,
    description="Internet institutions with relevant international organisations develop principles.",
    source="seed 1c (Tunis §70); seed 2a point 2",
)
INDUSTRY_SELF_REGULATION = Venue(
    name="industry_self_regulation",
    deciders=("causing_companies",),
    decision_rule="market_share_majority",
    weighting="market_share",
    remit=frozenset({"corporate_harm"}),
    enforcement="industry_sanction",
    consulted=("affected_cso", "affected_governments", "relevant_technical"),
    reports=True,
    description="The firms that cause the harm agree a code, with inputs from the other constituencies.",
    source="seed 1g, 2a point 3 (self-regulation by the private sector first)",
)
TECHNICAL_COMMUNITY = Venue(
    name="technical_community",
    deciders=("relevant_technical",),
    decision_rule="qualified_majority",
    remit=frozenset({"technical_operational", "critical_resources"}),
    enforcement="interoperability",
    consulted=("causing_companies",),
    description="Standards bodies and operators settle day-to-day technical and operational matters.",
    source="seed 1b (technical matters are exempt from enhanced cooperation), 1c",
)

# Self-regulation without the public's inputs and without reporting.
_INDUSTRY_ALONE = Venue(
    name="industry_self_regulation",
    deciders=("causing_companies",),
    decision_rule="market_share_majority",
    weighting="market_share",
    remit=frozenset({"corporate_harm"}),
    enforcement="industry_sanction",
    consulted=("relevant_technical",),
    description="Firms regulate themselves; governments act only nationally.",
    source="seed 1g, 2a point 3 (self-regulation), without the other constituencies' inputs",
)

REGIMES: dict[str, Regime] = {
    "centralised": Regime(
        "centralised",
        {c: CENTRAL_FORUM for c in CATEGORIES},
        description="One forum for every issue; governments decide; everyone consulted at every stage.",
        source="seed 1g (the model the source text rejects)",
    ),
    "flexible": Regime(
        "flexible",
        {
            "national": NATIONAL,
            "international": MULTILATERAL_FORUM,
            "critical_resources": INTERNET_INSTITUTIONS,
            "corporate_harm": INDUSTRY_SELF_REGULATION,
            "technical_operational": TECHNICAL_COMMUNITY,
        },
        description="Each category to the constituency that leads on it, relevant stakeholders consulted.",
        source="seed 1b-1g, 2a (the CIS reading of Tunis §69-71)",
    ),
    "self_regulatory": Regime(
        "self_regulatory",
        {
            "national": NATIONAL,
            "international": _INDUSTRY_ALONE,
            "critical_resources": TECHNICAL_COMMUNITY,
            "corporate_harm": _INDUSTRY_ALONE,
            "technical_operational": TECHNICAL_COMMUNITY,
        },
        description="Only self-regulation by the private sector and technical community; governments act nationally.",
        source="seed 1g, 2a (self-regulation alone)",
    ),
    BASELINE: Regime(
        BASELINE,
        {
            "national": NATIONAL,
            "international": NATIONAL,
            "critical_resources": NATIONAL,
            "corporate_harm": NATIONAL,
            "technical_operational": TECHNICAL_COMMUNITY,
        },
        description="Baseline: national policy only, the IGF as a learning forum; operators still run the network.",
        source="seed 1a, 2a (the IGF is distinct from enhanced cooperation)",
    ),
}


def resolve_regime(regime: str | Regime | Mapping[str, Venue]) -> Regime:
    """Accept a built-in regime's name, a Regime, or a mapping from category to Venue."""
    if isinstance(regime, Regime):
        return regime
    if isinstance(regime, str):
        if regime not in REGIMES:
            raise RegimeError(f"regime={regime!r} is not allowed: expected one of {', '.join(REGIMES)} or a Regime")
        return REGIMES[regime]
    if isinstance(regime, Mapping):
        return Regime("custom", regime)
    raise RegimeError(f"regime={regime!r} has the wrong type: expected a name, a Regime or a dict of venues")
