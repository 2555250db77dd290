"""The stakeholder constituencies, declared once (seed 1c, 1e, 1g, 2a).

Every other list of constituencies derives from :data:`CONSTITUENCIES`: the order of
the population's index space, the agents the model creates (the :class:`Stakeholder`
subclass whose ``constituency`` names the declaration), the selectors venues use to
seat stakeholders at a table, and the relevant stakeholders of an issue.

A new stakeholder type takes three files: its size parameter (:mod:`ecsim.params`),
its declaration here (:func:`declare`), and its agent class (:mod:`ecsim.model.agents`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Constituency:
    """One kind of stakeholder.

    Attributes:
        name: the constituency's name (agents' ``constituency`` attribute).
        size: the parameter that says how many the population holds.
        everyone: the selector naming all its members, e.g. ``"governments"``.
        involved: the selector naming the members an issue involves (``None``: none),
            e.g. ``"affected_governments"``; they count among the issue's relevant
            stakeholders (seed 1e).
        issue_field: the :class:`~ecsim.model.issues.Issue` attribute listing them.
        preference_mean: mean usual stringency preference (Beta, ODD §7 "preferences").
        source: where the constituency comes from.
    """

    name: str
    size: str
    everyone: str
    involved: str | None
    issue_field: str | None
    preference_mean: float
    source: str = ""


#: Constituencies by name, in the order of the population's index space.
CONSTITUENCIES: dict[str, Constituency] = {}


def declare(constituency: Constituency) -> Constituency:
    """Add a constituency (it takes the next block of the index space)."""
    if constituency.name in CONSTITUENCIES:
        raise ValueError(f"constituency {constituency.name!r} is declared already")
    CONSTITUENCIES[constituency.name] = constituency
    return constituency


for _c in (
    Constituency(
        "government",
        "n_governments",
        "governments",
        "affected_governments",
        "jurisdictions",
        0.6,
        "seed 1b (states, on an equal footing), 1f",
    ),
    Constituency(
        "company",
        "n_companies",
        "companies",
        "causing_companies",
        "causers",
        0.3,
        "seed 1g (the private sector, with the greatest capacity for harm)",
    ),
    Constituency("cso", "n_cso", "cso", "affected_cso", "affected_cso", 0.8, "seed 2a (civil society)"),
    Constituency(
        "technical",
        "n_technical",
        "technical",
        "relevant_technical",
        "relevant_technical",
        0.5,
        "seed 1c (ICANN, ISOC, RIRs, standards bodies)",
    ),
):
    declare(_c)

#: Beta concentration (a + b) of usual preferences around each constituency's mean.
PREFERENCE_CONCENTRATION = 12.0
