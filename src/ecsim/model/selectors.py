"""Stakeholder selectors: who sits at a venue's table for a given issue, named once.

A venue names its deciders and consulted stakeholders with selectors.  Each
constituency (:mod:`ecsim.model.constituencies`) contributes two:

=======================  ====================================================
``governments``          every government
``affected_governments`` the governments of the issue's jurisdictions
``companies``            every company
``causing_companies``    the companies whose conduct causes the issue's harm
``cso``                  every civil-society organisation
``affected_cso``         the CSOs that raise or follow the issue
``technical``            every technical organisation
``relevant_technical``   the technical bodies with expertise on the issue
=======================  ====================================================

The involved ones are an issue's *relevant stakeholders* (seed 1e: "relevant
stakeholders at the relevant stage"), whose share at the table is the venue's
participation.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ecsim.model.constituencies import CONSTITUENCIES, Constituency

if TYPE_CHECKING:
    from ecsim.model.issues import Issue
    from ecsim.model.population import Population


@dataclass(frozen=True)
class Selector:
    """A name for some members of one constituency: all of them, or those an issue lists in ``field``."""

    name: str
    constituency: str
    field: str | None = None  # Issue attribute with the members' local indices; None: everyone


def selectors() -> dict[str, Selector]:
    """Every selector, by name, derived from the declared constituencies."""
    return _selectors(tuple(CONSTITUENCIES.values()))


@functools.cache
def _selectors(constituencies: tuple[Constituency, ...]) -> dict[str, Selector]:
    found: dict[str, Selector] = {}
    for c in constituencies:
        found[c.everyone] = Selector(c.everyone, c.name)
        if c.involved is not None:
            found[c.involved] = Selector(c.involved, c.name, c.issue_field)
    return found


def relevant() -> tuple[str, ...]:
    """The selectors of an issue's relevant stakeholders (affected, causing, expert: seed 1e)."""
    return tuple(c.involved for c in CONSTITUENCIES.values() if c.involved is not None)


def mask(names: tuple[str, ...], issue: Issue, population: Population) -> np.ndarray:
    """Boolean mask over the global index of the stakeholders ``names`` select for ``issue``."""
    table = selectors()
    chosen = np.zeros(population.size, dtype=bool)
    for name in names:
        selector = table[name]
        block = population.slices[selector.constituency]
        if selector.field is None:
            chosen[block] = True
        else:
            chosen[getattr(issue, selector.field) + block.start] = True
    return chosen
