"""Every model parameter, declared once: type, default, range, unit, meaning, source.

Everything else is derived from this table: validation of the model's keyword
arguments, ``ecsim params``, the CLI's ``--set NAME=VALUE``, the parameter
table of docs/ODD.md, and (later) experiment factors and sensitivity problems.
A wrong name, type or value raises :class:`ParameterError` with one line that
names the parameter and what is allowed; nothing is ever clamped silently.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ecsim.dimensions import DIMENSIONS, OWN

#: Issue categories (seed 1b, 1c, 1f, 1g); order is the order of ``issue_mix``.
CATEGORIES: tuple[str, ...] = (
    "national",
    "international",
    "critical_resources",
    "corporate_harm",
    "technical_operational",
)


@dataclass(frozen=True)
class DecisionRule:
    """When a venue adopts a proposal: the share of the deciders' weight that must accept it.

    ``strict``: the share must exceed the threshold (a simple majority is more than half);
    ``unanimous``: every decider must accept, whatever its weight (consensus); ``forum``:
    a rule intergovernmental fora may use (the ``decision_rule`` parameter's choices).
    """

    name: str
    threshold: float
    description: str
    strict: bool = False
    unanimous: bool = False
    forum: bool = True


#: Every decision rule, by name: the one registry (venues, negotiation and the parameter read it).
DECISION_RULES: dict[str, DecisionRule] = {
    r.name: r
    for r in (
        DecisionRule("consensus", 1.0, "every decider accepts (no objection)", unanimous=True),
        DecisionRule("qualified_majority", 2.0 / 3.0, "at least two thirds of the deciders' weight accepts"),
        DecisionRule("simple_majority", 0.5, "more than half of the deciders' weight accepts", strict=True),
        DecisionRule(
            "market_share_majority",
            2.0 / 3.0,
            "firms holding at least two thirds of the market share at the table accept (industry codes)",
            forum=False,
        ),
    )
}
#: The rules of intergovernmental fora: the choices of the ``decision_rule`` parameter.
FORUM_RULES: tuple[str, ...] = tuple(name for name, rule in DECISION_RULES.items() if rule.forum)

#: How deciders move between rounds: the choices of ``negotiation_protocol``.  Each name is
#: implemented once in :data:`ecsim.model.negotiation.PROTOCOLS`, which refuses to load if one is missing.
NEGOTIATION_PROTOCOLS: tuple[str, ...] = ("concession", "bounded_confidence", "bargaining")


class ParameterError(ValueError):
    """A user's parameter is unknown, of the wrong type or out of range."""


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    ``kind`` is ``"int"``, ``"float"``, ``"choice"`` (one of ``choices``) or
    ``"mix"`` (a mapping from issue category to a non-negative weight).
    """

    name: str
    kind: str
    default: Any
    description: str
    unit: str
    source: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    #: What a sensitivity analysis explores: (low, high) for numbers, the choices it varies over for
    #: categorical parameters; None: the parameter is a structural choice or a size, not an uncertainty.
    plausible: tuple[Any, ...] | None = None
    #: For a mechanism's switch: the value that turns the mechanism off and restores the model without it
    #: (its ablation); None for every other parameter.  While the default is this value the mechanism is
    #: off, and sensitivity analyses leave the switch out (:func:`uncertain`): the studies measure the model
    #: as it runs by default, and ``plausible`` says where the mechanism acts once it is turned on.
    off: Any = None
    #: For a parameter that acts only through a mechanism with a switch: that switch's name.  While the switch
    #: is off by default the parameter does nothing, and sensitivity analyses leave it out too (:func:`uncertain`).
    switch: str | None = None

    @property
    def switched_off(self) -> bool:
        """A mechanism's switch whose default turns the mechanism off (a mechanism added but not yet on by default)."""
        return self.off is not None and self.default == self.off

    @property
    def inert(self) -> bool:
        """Whether the parameter does nothing at the defaults: its mechanism is off by default."""
        return self.switched_off or (self.switch is not None and PARAMETERS[self.switch].switched_off)

    @property
    def allowed(self) -> str:
        """Human-readable statement of the allowed values."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices or ())
        if self.kind == "mix":
            return (
                "non-negative weights for " + ", ".join(CATEGORIES) + " (at least one > 0), "
                "e.g. national:1,corporate_harm:2"
            )
        kind = "an integer" if self.kind == "int" else "a number"
        return f"{kind} in [{_fmt(self.min)}, {_fmt(self.max)}]"

    def validate(self, value: Any) -> Any:
        """Return ``value`` checked and normalised, or raise ParameterError."""
        if self.kind == "choice":
            if not isinstance(value, str) or value not in (self.choices or ()):
                hint = did_you_mean(value, self.choices or ()) if isinstance(value, str) else ""
                raise ParameterError(f"{self.name}={value!r} is not allowed: expected {self.allowed}{hint}")
            return value
        if self.kind == "mix":
            return _validate_mix(self, value)
        if isinstance(value, bool) or (not isinstance(value, int | float) and not _is_numpy_number(value)):
            raise ParameterError(f"{self.name}={value!r} has the wrong type: expected {self.allowed}")
        if self.kind == "int":
            if float(value) != int(value):
                raise ParameterError(f"{self.name}={value!r} has the wrong type: expected {self.allowed}")
            value = int(value)
        else:
            value = float(value)
            if math.isnan(value):
                raise ParameterError(f"{self.name}=nan is not allowed: expected {self.allowed}")
        assert self.min is not None and self.max is not None
        if not self.min <= value <= self.max:
            raise ParameterError(f"{self.name}={value!r} is out of range: expected {self.allowed}")
        return value

    def parse(self, text: str) -> Any:
        """Parse the command-line form of a value (``--set NAME=TEXT``) and validate it."""
        text = text.strip()
        if self.kind == "choice":
            return self.validate(text)
        if self.kind == "mix":
            weights: dict[str, float] = {}
            for part in filter(None, (p.strip() for p in text.split(","))):
                key, sep, number = part.partition(":")
                if not sep:
                    raise ParameterError(f"{self.name}={text!r} cannot be read: expected {self.allowed}")
                weights[key.strip()] = _number(self, number, text)
            return self.validate(weights)
        number = _number(self, text, text)
        if self.kind == "int" and number == int(number):
            number = int(number)
        return self.validate(number)


def _value(x: Any) -> str:
    """A switch's value as text: numbers with ``:g``, a choice as it is."""
    return x if isinstance(x, str) else f"{x:g}"


def _fmt(x: float | None) -> str:
    return "inf" if x == math.inf else f"{x:g}"


def _is_numpy_number(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "dtype") and value.dtype.kind in "iuf"


def _number(p: Parameter, text: str, whole: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ParameterError(f"{p.name}={whole!r} cannot be read: expected {p.allowed}") from None


def _validate_mix(p: Parameter, value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ParameterError(f"{p.name}={value!r} has the wrong type: expected {p.allowed}")
    unknown = [k for k in value if k not in CATEGORIES]
    if unknown:
        raise ParameterError(
            f"{p.name} has an unknown category {unknown[0]!r}: expected one of "
            + ", ".join(CATEGORIES)
            + did_you_mean(unknown[0], CATEGORIES)
        )
    mix: dict[str, float] = {}
    for category in CATEGORIES:
        w = value.get(category, 0.0)
        if isinstance(w, bool) or not (isinstance(w, int | float) or _is_numpy_number(w)) or not w >= 0:
            raise ParameterError(f"{p.name}[{category}]={w!r} is not allowed: expected {p.allowed}")
        if math.isinf(w):
            raise ParameterError(f"{p.name}[{category}]={w!r} is not allowed: expected {p.allowed}")
        mix[category] = float(w)
    if sum(mix.values()) <= 0:
        raise ParameterError(f"{p.name} has no positive weight: expected {p.allowed}")
    return mix


def _p(name: str, kind: str, default: Any, description: str, unit: str, source: str, **kw: Any) -> Parameter:
    return Parameter(name, kind, default, description, unit, source, **kw)


_SEED_1B = "seed 1b (Tunis §69: governments on an equal footing)"
#: Zipf's law for firm sizes: P(size > s) ~ s^-1.06 (Axtell 2001, US Census firms 1997, by employees), so
#: size ~ U^-c with c = 1/1.06, rounded to three decimals.
ZIPF_EXPONENT = 1.06
ZIPF_CONCENTRATION = round(1.0 / ZIPF_EXPONENT, 3)
_PARAMETERS: tuple[Parameter, ...] = (
    # --- horizon -----------------------------------------------------------
    _p(
        "steps",
        "int",
        240,
        "Length of a run (one step is one month; 240 = 20 years).",
        "steps",
        "ODD §2, Scales (one step is a month; a 20-year horizon)",
        min=1,
        max=100_000,
    ),
    # --- population (seed 1c, 1e, 1g, 2a) ------------------------------------
    _p(
        "n_governments",
        "int",
        193,
        "Number of governments (one vote each in multilateral fora).",
        "agents",
        _SEED_1B + "; 193 UN member states",
        min=1,
        max=10_000,
    ),
    _p(
        "n_companies",
        "int",
        500,
        "Number of companies (the private sector).",
        "agents",
        "seed 1g (the private sector's capacity for harm)",
        min=1,
        max=100_000,
    ),
    _p(
        "n_cso",
        "int",
        300,
        "Number of civil-society organisations (NGOs, academia, users' groups).",
        "agents",
        "seed 1e, 2a (all stakeholders in their respective roles)",
        min=0,
        max=100_000,
    ),
    _p(
        "n_technical",
        "int",
        30,
        "Number of technical organisations (ICANN, ISOC, RIRs, standards bodies).",
        "agents",
        "seed 1c (Internet institutions)",
        min=0,
        max=10_000,
    ),
    _p(
        "technical_community",
        "choice",
        "named",
        "Who the technical organisations are. named: the first ten are ICANN, its GAC, the five RIRs (AFRINIC, "
        "APNIC, ARIN, LACNIC, RIPE NCC), IETF, W3C and ISOC, the rest the ccTLD registries of real states (chosen "
        "like governments, by regional group; no draw), and an issue's relevant technical bodies are those whose "
        "remit covers its category and, for an RIR or a ccTLD registry, that serve one of its jurisdictions. "
        "stylised: the former stand-in, anonymous organisations of which a random few are relevant to each issue.",
        "-",
        "seed 1c (Internet institutions; Tunis §70); ecsim.data.technical_bodies (ICANN Bylaws, RFC 2026, RFC "
        "3935, W3C Process, ISOC mission, ICP-2 and the NRO's RIR service regions, RFC 1591, IANA root zone "
        "database); docs/ODD.md §7.1",
        choices=("named", "stylised"),
        off="stylised",
    ),
    _p(
        "market_concentration",
        "float",
        ZIPF_CONCENTRATION,
        "Tail of firm sizes: size ~ U^-c (Pareto with tail exponent 1/c); 0 = equal firms; the larger c, the more "
        "the few largest firms hold. The default is Zipf's law for firm sizes (tail exponent 1.06, c = 1/1.06); "
        "the plausible range spans exponents of about 0.96-1.19. Off: 0.6, the former stand-in.",
        "-",
        "seed 1g (harm from large corporations); Axtell 2001 (US firm sizes: Zipf, exponent 1.06); reported as "
        "HHI; docs/ODD.md §7.1",
        min=0.0,
        max=1.25,
        plausible=(ZIPF_CONCENTRATION - 0.1, ZIPF_CONCENTRATION + 0.1),
        off=0.6,
    ),
    _p(
        "enforcement_capacity",
        "float",
        0.5,
        "Mean enforcement capacity of governments (Beta-distributed).",
        "probability",
        "seed 1f (enforcement of law within a jurisdiction)",
        min=0.0,
        max=1.0,
        plausible=(0.2, 0.8),
    ),
    _p(
        "monitoring_capacity",
        "float",
        0.5,
        "Civil society's monitoring capacity: scales the chance that CSOs detect a defection.",
        "probability",
        "seed 2a (civil society in self-regulatory enforcement)",
        min=0.0,
        max=1.0,
        plausible=(0.1, 0.9),
    ),
    _p(
        "preference_spread",
        "float",
        0.15,
        "Spread of stakeholders' positions on one issue around their usual stringency preference.",
        "stringency",
        "ODD §7.3 (issue-level disagreement around stable preferences); seed 1d",
        min=0.0,
        max=1.0,
        plausible=(0.05, 0.3),
    ),
    # --- issues (seed 1b, 1f) -------------------------------------------------
    _p(
        "issue_rate",
        "float",
        1.0,
        "Mean number of new public-policy issues per step (Poisson).",
        "issues/step",
        "seed 1d ('responsive to innovation': issues keep arriving)",
        min=0.0,
        max=50.0,
        plausible=(0.5, 2.0),
    ),
    _p(
        "issue_mix",
        "mix",
        {
            "national": 0.2,
            "international": 0.25,
            "critical_resources": 0.1,
            "corporate_harm": 0.3,
            "technical_operational": 0.15,
        },
        "Relative frequency of each issue category among new issues.",
        "weights",
        "seed 1b, 1c, 1f, 1g (the categories of issues)",
    ),
    _p(
        "novelty",
        "float",
        0.3,
        "Mean novelty of issues; novel issues split opinions more widely.",
        "0-1",
        "seed 1d ('responsive to innovation')",
        min=0.0,
        max=1.0,
        plausible=(0.1, 0.6),
    ),
    _p(
        "shock_step",
        "int",
        0,
        "Step of an innovation shock, a burst of novel issues (0: no shock).",
        "step",
        "seed 1d ('responsive to innovation')",
        min=0,
        max=100_000,
    ),
    _p(
        "shock_issues",
        "float",
        0.0,
        "Mean number of extra issues raised at the shock (Poisson).",
        "issues",
        "seed 1d ('responsive to innovation')",
        min=0.0,
        max=10_000.0,
    ),
    _p(
        "shock_novelty",
        "float",
        0.9,
        "Mean novelty of the issues raised by the shock.",
        "0-1",
        "seed 1d ('responsive to innovation')",
        min=0.0,
        max=1.0,
    ),
    # --- venues and negotiation ----------------------------------------------
    _p(
        "decision_rule",
        "choice",
        "consensus",
        "Decision rule of intergovernmental venues (the centralised and multilateral fora).",
        "-",
        _SEED_1B,
        choices=FORUM_RULES,
        plausible=FORUM_RULES,
    ),
    _p(
        "agenda_capacity",
        "int",
        8,
        "Under capacity=per_venue: negotiations each venue can hold at once; further issues wait in its queue.",
        "issues",
        "seed 1g (a single homogeneous forum shares one agenda)",
        min=1,
        max=10_000,
    ),
    _p(
        "negotiation_budget",
        "int",
        16,
        "Under capacity=shared (the default): negotiations the whole regime can hold at once, across all its "
        "venues; further issues wait in one queue, in order of arrival. Equal for every regime: equal resources.",
        "issues",
        "modelling choice: regimes compared at equal negotiating capacity (docs/ODD.md §7.5)",
        min=1,
        max=10_000,
        plausible=(8, 32),
    ),
    _p(
        "delegation_capacity",
        "float",
        8.0,
        "Mean number of negotiations a government can staff at once; each government's is proportional to its "
        "enforcement capacity (a proxy for state capacity; at least 1). An overloaded government is absent from "
        "further tables until a seat frees. 10000 switches the limit off.",
        "negotiations",
        "Panke 2012 (small states' capacity in international negotiations); seed 1b (equal footing)",
        min=1.0,
        max=10_000.0,
        plausible=(2.0, 24.0),
    ),
    *(
        _p(
            name,
            "choice",
            OWN,
            f"Design dimension '{name}' ({d.description}): '{OWN}' keeps the regime's own value; any other value "
            "replaces it (see ecsim.regime_dimensions()).",
            "-",
            d.source,
            choices=(OWN, *d.values),
        )
        for name, d in DIMENSIONS.items()
    ),
    _p(
        "session_interval",
        "int",
        4,
        "Months between the negotiating sessions of a forum where governments alone decide together (the central, "
        "a multilateral or a new forum): a negotiation there plays one round a session, the first in the month it "
        "opens. Tables where firms, technical bodies or civil society decide work every month. 1 switches sessions "
        "off (every table plays a round every month).",
        "months",
        "UN Ad Hoc Committee on cybercrime (A/RES/74/247): six negotiating sessions and a concluding one, "
        "February 2022 to August 2024, about one every four months; Council of Europe PC-CY, 1997-2001 "
        "(the Budapest Convention); docs/ODD.md §7.6c",
        min=1,
        max=120,
        plausible=(2, 6),
        off=1,
    ),
    _p(
        "negotiation_deadline",
        "int",
        36,
        "Rounds after which an unfinished negotiation fails (a round is a month, or a session at a forum that "
        "meets in sessions: session_interval).",
        "rounds",
        "ODD §7.6, step 4 (a deadline ends a negotiation as a failure)",
        min=1,
        max=10_000,
        plausible=(12, 60),
    ),
    _p(
        "concession_rate",
        "float",
        0.15,
        "Share of the distance to the proposal a dissenting decider concedes each round.",
        "per round",
        "ODD §7.6 (monotonic concession); Zeuthen 1930",
        min=0.0,
        max=1.0,
        plausible=(0.05, 0.3),
    ),
    _p(
        "negotiation_protocol",
        "choice",
        "concession",
        "How deciders move between rounds: concession, bounded_confidence (Hegselmann-Krause) or bargaining "
        "(a recognised agenda-setter proposes, after Baron-Ferejohn).",
        "-",
        "ODD §7.6; Hegselmann & Krause 2002; Baron & Ferejohn 1989",
        choices=NEGOTIATION_PROTOCOLS,
    ),
    _p(
        "confidence_bound",
        "float",
        0.2,
        "Under bounded_confidence: a decider averages the positions within this distance of its own.",
        "stringency",
        "Hegselmann & Krause 2002",
        min=0.0,
        max=1.0,
        plausible=(0.05, 0.4),
    ),
    _p(
        "acceptance_tolerance",
        "float",
        0.1,
        "A decider accepts a proposal within this distance of its own position.",
        "stringency",
        "ODD §7.6, step 2 (acceptance)",
        min=0.0,
        max=1.0,
        plausible=(0.05, 0.2),
    ),
    _p(
        "consultation_weight",
        "float",
        0.2,
        "Pull of consulted stakeholders' mean position on the proposal; with fit_weight > 0 also the pull of the "
        "relevant ones heard on the table's fit for purpose (up to the best fit among them).",
        "0-1",
        "seed 1e, 2a (inputs from other stakeholder constituencies); docs/ODD.md §7.6, §7.8a",
        min=0.0,
        max=1.0,
        plausible=(0.0, 0.5),
    ),
    _p(
        "national_lag",
        "int",
        6,
        "Steps a national legislature deliberates before legislating alone (the law binds the step after).",
        "steps",
        "seed 1f (national public policy)",
        min=0,
        max=10_000,
        plausible=(1, 12),
    ),
    _p(
        "national_reach",
        "float",
        0.4,
        "Effectiveness of a national law on cross-border harm, relative to a law on a national issue.",
        "0-1",
        "seed 1f (cross-border taxation, investigations, hate speech)",
        min=0.0,
        max=1.0,
        plausible=(0.1, 0.8),
    ),
    # --- mechanisms with a switch (value `off` restores the model without them) ---
    _p(
        "fit_weight",
        "float",
        0.5,
        "How much a norm's quality depends on the fit for purpose of the table that wrote it (who decides, and "
        "which relevant stakeholders are heard): quality x (1 - fit_weight x (1 - fit)). 0 switches fit off.",
        "0-1",
        "seed 1e ('relevant stakeholders ... at the relevant stage'); Tunis §35 (respective roles); docs/ODD.md §7.8a",
        min=0.0,
        max=1.0,
        plausible=(0.25, 0.75),
        off=0.0,
    ),
    _p(
        "state_harm_share",
        "float",
        0.5,
        "Share of the harm of a national or international issue caused by the governments of its jurisdictions "
        "(half as much on critical resources, none on corporate harm and technical matters); only a norm that "
        "binds those governments (ratified or legislated by them) removes it. 0 switches state harm off.",
        "share",
        "seed 1g ('Besides the government, it is the private sector that has the greatest capacity for harm'), "
        "2a ('the greatest potential after government for harms'); docs/ODD.md §7.10a",
        min=0.0,
        max=1.0,
        plausible=(0.25, 0.75),
        off=0.0,
    ),
    _p(
        "state_compliance",
        "float",
        0.7,
        "With state harm on: the share of the states' harm a norm binding them removes that they do remove "
        "(states keep norms on their own conduct only in part; nobody sanctions them, so it is a rate, not a "
        "decision).",
        "share",
        "Henkin 1979 (most states keep most commitments); Hathaway 2002 (ratification often leaves practice "
        "unchanged); docs/ODD.md §7.10a",
        min=0.0,
        max=1.0,
        plausible=(0.4, 1.0),
        switch="state_harm_share",
    ),
    _p(
        "igf_learning",
        "float",
        0.175,
        "What one annual session of the IGF (present in every regime but no_cooperation) does to each open "
        "public-policy issue it discusses: the negotiators' positions move this share of the way to their "
        "table's decision-weighted mean, and this share of the knowledge gap behind the norm's "
        "technical-complexity penalty closes. 0 switches the IGF off.",
        "share per session",
        "seed 1a, 2a (the IGF, distinct from enhanced cooperation, as 'the learning forum'); Tunis §72(a), (d); "
        "DeGroot 1974 (averaging); docs/ODD.md §7.8b",
        min=0.0,
        max=1.0,
        plausible=(0.05, 0.3),
        off=0.0,
    ),
    _p(
        "outside_option",
        "float",
        0.75,
        "Strength of the deciders' best alternatives to an agreement (a government's: national law at its own "
        "position, worth national_reach of an agreement on a cross-border issue; anyone else's: the status quo, "
        "no norm). A decider accepts no proposal, and concedes to none, worth less than this share of its "
        "alternative; a negotiation in which no proposal can pass within those red lines is deadlocked and "
        "fails at once. 0 switches red lines off.",
        "share of the alternative's value",
        "seed 2a (the WGEC 'was unable to agree'), 1f; Fisher & Ury 1981 (BATNA); Raiffa 1982 (reservation "
        "value); Putnam 1988 (win-sets); docs/ODD.md §7.6a",
        min=0.0,
        max=1.0,
        plausible=(0.6, 0.9),
        off=0.0,
    ),
    _p(
        "bloc_cohesion",
        "float",
        0.5,
        "How much governments' positions on contested international issues (international, critical resources) "
        "move with their bloc: the share of each government's issue-specific shock that comes from the issue's "
        "shock on the sovereignty-first / multistakeholder axis, through the government's loading on it (its "
        "memberships and regional group), or from its declared bloc's shock (bloc_source). 0 switches blocs off.",
        "share of variance",
        "seed 1f, 2a (governments need to agree on international public policy); WCIT-12 (ITU 2012); Maurer & "
        "Morgus 2014; docs/ODD.md §7.6a",
        min=0.0,
        max=1.0,
        plausible=(0.25, 0.75),
        off=0.0,
    ),
    _p(
        "bloc_source",
        "choice",
        "memberships",
        "With bloc_cohesion > 0: where governments' blocs come from. memberships: one latent axis, "
        "sovereignty-first vs multistakeholder, each state's loading a score of its real memberships (OECD, EU, "
        "Council of Europe, BRICS, SCO) and UN regional group; declared: the stand-in the model had before, three "
        "declared blocs (light touch 35%, non-aligned 30%, state-led 35%) drawn at random.",
        "-",
        "ecsim.data (the 193 UN member states and their memberships); WCIT-12 signatories (ITU 2012); Maurer & "
        "Morgus 2014; docs/ODD.md §7.6a",
        choices=("memberships", "declared"),
    ),
    _p(
        "return_delay",
        "int",
        24,
        "Steps after which a failed issue is raised again and queued like a new one, at the best-fitting other "
        "forum of enhanced cooperation whose remit takes it where the regime has one (forum shopping), else where "
        "it failed; a cross-border public-policy category that keeps failing where no forum fits gets a new "
        "forum of its governments. 0 switches returns off: a failed issue stays failed.",
        "steps",
        "seed 1f ('at the appropriate forums if they exist or alternatively they must create new forums'), 1g "
        "('flexible in accordance with the issue'); Raustiala & Victor 2004, Alter & Meunier 2009 (forum "
        "shopping); docs/ODD.md §7.6b",
        min=0,
        max=10_000,
        plausible=(12, 36),
        off=0,
    ),
    _p(
        "max_returns",
        "int",
        2,
        "With returns on: how many times a failed issue is raised again at most (after that its failure is final).",
        "returns",
        "modelling choice (the WGEC itself met twice, 2013-14 and 2016-18, without agreement); docs/ODD.md §7.6b",
        min=1,
        max=1_000,
        plausible=(1, 4),
        switch="return_delay",
    ),
    _p(
        "forum_failures",
        "int",
        3,
        "With returns on: failed negotiations on a cross-border public-policy category after which, if no forum "
        "of enhanced cooperation in the regime fits it, its governments create a new forum for it (10000: never).",
        "failures",
        "seed 1f ('they must create new forums that are appropriate'); docs/ODD.md §7.6b",
        min=1,
        max=10_000,
        plausible=(2, 6),
        switch="return_delay",
    ),
    _p(
        "legitimacy_weight",
        "float",
        0.3,
        "How much a norm's legitimacy in the eyes of those it binds makes them keep and ratify it (legitimacy in "
        "one's eyes: the venue's standing x (1 - the norm's distance from one's position)): a bound firm's felt "
        "obligation offsets legitimacy_weight x its legitimacy of what defecting saves it, and a government that "
        "signed or accepts the norm ratifies it with chance 1 - legitimacy_weight x (1 - its legitimacy). 0 "
        "switches it off.",
        "0-1",
        "seed 1e ('relevant stakeholders ... at the relevant stage'); Tyler 1990; Franck 1990 (compliance pull); "
        "Epstein 2002 (legitimacy in the decision to defy); docs/ODD.md §7.8c",
        min=0.0,
        max=1.0,
        plausible=(0.1, 0.5),
        off=0.0,
    ),
    _p(
        "overreach_backlash",
        "float",
        0.055,
        "Share of its legitimacy stock (standing, 1 at the start; it does not recover) a venue loses with each "
        "norm it adopts outside its remit; each affected government refuses to ratify an overreaching norm with "
        "chance 1 - the venue's standing, and with legitimacy_weight > 0 the lost standing lowers compliance "
        "with the venue's later norms. 0 switches it off.",
        "share per norm",
        "seed 1b, 1f (national public policy is the exclusive realm of states; technical matters are exempt); "
        "Franck 1990 (adherence); Hurd 1999 (legitimacy and authority); docs/ODD.md §7.8c",
        min=0.0,
        max=1.0,
        plausible=(0.01, 0.1),
        off=0.0,
    ),
    _p(
        "contested_share",
        "float",
        0.4,
        "Chance that an international issue is contested between national and international public policy: "
        "where governments decide international issues together, it is handled by the national legislatures "
        "until the governments agree to classify it international, and only then goes to the regime's venue. "
        "Drawn once per issue. 0 switches the remit dispute off.",
        "share of international issues",
        "seed 1f (governments 'need to agree on' what is national and what is international public policy; "
        "'Once this is done' they pursue international law); seed 2a (the WGEC 'was unable to agree on a "
        "definition'); docs/ODD.md §7.4a",
        min=0.0,
        max=1.0,
        plausible=(0.2, 0.6),
        off=0.0,
    ),
    _p(
        "classification_chance",
        "float",
        0.25,
        "With the remit dispute on: the chance that the governments agree a contested issue's classification at "
        "one of their annual meetings (the first after the issue is raised, then once a year); the number of "
        "meetings it takes is geometric, 1 / classification_chance on average. 0: never agreed.",
        "chance per annual meeting",
        "seed 2a (the working group on enhanced cooperation 'was unable to agree on a definition'): agreement is "
        "slow; the value is an assumption; docs/ODD.md §7.4a",
        min=0.0,
        max=1.0,
        plausible=(0.1, 0.5),
        switch="contested_share",
    ),
    _p(
        "norm_obsolescence",
        "float",
        0.125,
        "Share of a norm's effectiveness (stringency x quality x reach) lost per year as technology moves, "
        "compounding monthly from its adoption or last renewal; in report steps every venue that reports renews its "
        "norms that have lost renewal_threshold of it (restores their effectiveness, at the cost of one round of "
        "their participants); norms of venues that do not report are never renewed. 0 switches ageing off.",
        "share per year",
        "seed 1d ('be responsive to innovation'), 1e (annual performance reports); Moses 2007 (law lags "
        "technology); docs/ODD.md §7.11a",
        min=0.0,
        max=1.0,
        plausible=(0.05, 0.2),
        off=0.0,
    ),
    _p(
        "renewal_threshold",
        "float",
        0.25,
        "With norm ageing on: a report renews a norm of its venue once the norm has lost at least this share of its "
        "effectiveness since its adoption or last renewal (0: every report renews every aged norm).",
        "share",
        "sunset and periodic-review clauses (a review every few years, not every year); docs/ODD.md §7.11a",
        min=0.0,
        max=1.0,
        plausible=(0.1, 0.5),
        switch="norm_obsolescence",
    ),
    _p(
        "report_relaxation",
        "float",
        0.2,
        "Share by which a performance report lowers the stringency of a reporting venue's norm whose firms' "
        "compliance cost this step exceeds the value of the harm it removes (harm_value); a norm whose sanction the "
        "report escalates is not relaxed. 0 switches relaxation off: reports only escalate.",
        "share per report",
        "seed 1d ('be responsive to innovation'), 1e (annual performance reports); Ostrom 1990 (rules that "
        "adapt); docs/ODD.md §7.11a",
        min=0.0,
        max=1.0,
        plausible=(0.1, 0.3),
        off=0.0,
    ),
    _p(
        "harm_value",
        "float",
        20.0,
        "With report relaxation on: the value of one unit of harm in cost units (the units of compliance_cost), by "
        "which a report compares a norm's compliance cost with the harm it removes.",
        "cost units per harm unit",
        "no empirical anchor; calibrated so that the median norm in force breaks about even at the defaults (its "
        "cost is some 17 times the harm it removes, 10th-90th percentile 5-110); docs/ODD.md §7.11a",
        min=0.0,
        max=1000.0,
        plausible=(10.0, 40.0),
        switch="report_relaxation",
    ),
    # --- compliance, enforcement, feedback -----------------------------------
    _p(
        "compliance_cost",
        "float",
        2.0,
        "Cost per step to a firm of complying with a norm of stringency 1.",
        "cost units",
        "ODD §7.9 (compliance cost against expected sanction); Becker 1968",
        min=0.0,
        max=100.0,
        plausible=(0.5, 4.0),
    ),
    _p(
        "sanction_state",
        "float",
        2.0,
        "Severity of a sanction under state law.",
        "cost units",
        "seed 1f (enforcement of international law)",
        min=0.0,
        max=100.0,
        plausible=(0.5, 4.0),
    ),
    _p(
        "sanction_industry",
        "float",
        1.0,
        "Severity of an industry (peer) sanction, and of exclusion under technical (interoperability) norms.",
        "cost units",
        "seed 2a (self-regulatory enforcement mechanisms); Axelrod 1986",
        min=0.0,
        max=100.0,
        plausible=(0.25, 3.0),
    ),
    _p(
        "peer_visibility",
        "float",
        0.15,
        "Chance that a firm bound by a self-regulatory norm sees a peer's defection from it (or a peer's tolerance "
        "of one).",
        "probability",
        "Axelrod 1986 (norms game: the chance of being seen, S)",
        min=0.0,
        max=1.0,
        plausible=(0.05, 0.4),
    ),
    _p(
        "punishment_cost",
        "float",
        0.25,
        "Cost to a firm of punishing a peer's defection, or a peer's tolerance of one (enforcement cost).",
        "cost units",
        "Axelrod 1986 (E and ME; 2/9 of the punishment there)",
        min=0.0,
        max=100.0,
        plausible=(0.0, 1.0),
    ),
    _p(
        "peer_game",
        "choice",
        "metanorms",
        "Peer enforcement of self-regulatory norms: the norms game, or the metanorms game (tolerating a defection "
        "is punished too).",
        "-",
        "Axelrod 1986; seed 2a (self-regulatory enforcement mechanisms)",
        choices=("metanorms", "norms"),
    ),
    _p(
        "imitation_interval",
        "int",
        12,
        "Steps between generations of the norms game: firms bound by self-regulatory norms imitate successful peers.",
        "steps",
        "Axelrod 1986 (evolution read as imitation)",
        min=1,
        max=10_000,
        plausible=(3, 24),
    ),
    _p(
        "strategy_mutation",
        "float",
        0.01,
        "Chance per generation that a club firm's boldness or vengefulness is redrawn at random (exploration).",
        "per trait per generation",
        "Axelrod 1986 (mutation 0.01 per bit)",
        min=0.0,
        max=1.0,
        plausible=(0.0, 0.05),
    ),
    _p(
        "reputation_cost",
        "float",
        1.0,
        "Reputation loss of the largest firm when civil society names and shames it (smaller firms lose less).",
        "cost units",
        "seed 1g, 2a; Epstein 2002",
        min=0.0,
        max=100.0,
        plausible=(0.0, 3.0),
    ),
    _p(
        "compliance_noise",
        "float",
        0.25,
        "Scale of idiosyncratic noise in compliance decisions (logit).",
        "cost units",
        "ODD §7.9 (bounded rationality: logit choice); McFadden 1974",
        min=0.01,
        max=100.0,
        plausible=(0.1, 0.5),
    ),
    _p(
        "learning_rate",
        "float",
        0.05,
        "How fast a firm's boldness (propensity to defect) adapts to being caught or not.",
        "per step",
        "Axelrod 1986 (adaptation of boldness)",
        min=0.0,
        max=1.0,
        plausible=(0.01, 0.1),
    ),
    _p(
        "report_interval",
        "int",
        12,
        "Steps between performance reports of reporting venues.",
        "steps",
        "seed 1e (annual performance reports)",
        min=1,
        max=10_000,
    ),
    _p(
        "revision_threshold",
        "float",
        0.5,
        "A norm whose compliance a performance report finds below this has its sanction escalated.",
        "share",
        "seed 1d, 1e (reports feed revision)",
        min=0.0,
        max=1.0,
        plausible=(0.3, 0.8),
    ),
)

PARAMETERS: dict[str, Parameter] = {p.name: p for p in _PARAMETERS}


def parameters() -> dict[str, Parameter]:
    """Every model parameter by name (a copy: safe to modify)."""
    return dict(PARAMETERS)


def defaults() -> dict[str, Any]:
    """The default value of every parameter."""
    return {name: (dict(p.default) if p.kind == "mix" else p.default) for name, p in PARAMETERS.items()}


def validate(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the full parameter set: defaults updated with checked ``overrides``."""
    values = defaults()
    for name, value in (overrides or {}).items():
        if name not in PARAMETERS:
            raise ParameterError(unknown_parameter(name))
        values[name] = PARAMETERS[name].validate(value)
    return values


def did_you_mean(name: object, names: Iterable[str]) -> str:
    """'; did you mean 'X'?' with the valid name nearest to ``name`` (difflib), or '' if none is close."""
    close = difflib.get_close_matches(str(name), list(names), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown_parameter(name: object) -> str:
    """The one-line message for a name that is not a parameter, with the nearest one."""
    hint = did_you_mean(name, PARAMETERS)
    return f"unknown parameter {name!r}: see `ecsim params` for the {len(PARAMETERS)} names{hint}"


def uncertain() -> dict[str, tuple[float, float] | tuple[str, ...]]:
    """The uncertain parameters and their plausible ranges (numeric) or choices (categorical).

    What sensitivity analyses explore; declared beside each parameter in this module.  A mechanism that is
    off by default (its switch's default is its ``off`` value) is left out, and so are the parameters that act
    only through it: turning it on is a change of the model, measured by its ablation, not an uncertainty of
    the model as it runs.
    """
    return {p.name: p.plausible for p in PARAMETERS.values() if p.plausible is not None and not p.inert}


def switches() -> dict[str, tuple[Any, Any]]:
    """Every mechanism's switch, in declaration order: ``(on, off)``, its value with the mechanism on and its off value.

    On is the default where the mechanism is on by default, else the centre of its plausible range (rounded
    for an integer): the value an ablation study turns the mechanism on at (``experiments/mechanism_ablation.py``).
    """
    out = {}
    for p in PARAMETERS.values():
        if p.off is None:
            continue
        if not p.switched_off:
            out[p.name] = (p.default, p.off)
            continue
        centre = (p.plausible[0] + p.plausible[1]) / 2
        out[p.name] = (round(centre) if p.kind == "int" else centre, p.off)
    return out


def table() -> str:
    """The parameter table as Markdown (printed by ``ecsim params``, included in docs/ODD.md)."""
    rows = [
        "| name | default | allowed | plausible (sensitivity) | unit | meaning | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in PARAMETERS.values():
        default = ", ".join(f"{k}:{v:g}" for k, v in p.default.items()) if p.kind == "mix" else p.default
        allowed = p.allowed if p.kind != "mix" else "weights ≥ 0 per category"
        if p.plausible is None:
            plausible = "—"
        elif p.kind == "choice":
            plausible = "all" if p.plausible == p.choices else ", ".join(p.plausible)
        else:
            plausible = f"{p.plausible[0]:g}–{p.plausible[1]:g}"
        if p.switched_off:
            plausible += f" when on (off = {_value(p.off)}: not varied)"
        elif p.inert:
            plausible += f" when {p.switch} is on (not varied while it is off)"
        rows.append(f"| `{p.name}` | {default} | {allowed} | {plausible} | {p.unit} | {p.description} | {p.source} |")
    return "\n".join(rows)
