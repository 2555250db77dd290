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

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ecsim.model.constituencies import CONSTITUENCIES, Constituency
from ecsim.model.population import Population

if TYPE_CHECKING:
    from ecsim.model.issues import Issue


@dataclass(frozen=True)
class Selector:
    """A name for some members of one constituency: all of them, or those an issue lists in ``field``."""

    name: str
    constituency: str
    field: str | None = None  # Issue attribute with the members' local indices; None: everyone


_cache: tuple[tuple[Constituency, ...], dict[str, Selector], tuple[str, ...]] = ((), {}, ())


def _derived() -> tuple[dict[str, Selector], tuple[str, ...]]:
    """(selectors, relevant selectors), derived again only when the declared constituencies change."""
    global _cache
    declared = tuple(CONSTITUENCIES.values())
    if len(declared) != len(_cache[0]) or any(a is not b for a, b in zip(declared, _cache[0], strict=True)):
        found: dict[str, Selector] = {}
        for c in declared:
            found[c.everyone] = Selector(c.everyone, c.name)
            if c.involved is not None:
                found[c.involved] = Selector(c.involved, c.name, c.issue_field)
        _cache = (declared, found, tuple(c.involved for c in declared if c.involved is not None))
    return _cache[1], _cache[2]


def selectors() -> dict[str, Selector]:
    """Every selector, by name, derived from the declared constituencies."""
    return _derived()[0]


def relevant() -> tuple[str, ...]:
    """The selectors of an issue's relevant stakeholders (affected, causing, expert: seed 1e)."""
    return _derived()[1]


def mask(names: tuple[str, ...], issue: Issue, population: Population) -> np.ndarray:
    """Boolean mask over the global index of the stakeholders ``names`` select for ``issue``."""
    everyone, involved = _plan(names, population)
    chosen = everyone.copy()
    for field, start in involved:
        chosen[getattr(issue, field) + start] = True
    return chosen


_plans: weakref.WeakKeyDictionary[Population, dict[tuple, object]] = weakref.WeakKeyDictionary()


def _plan(names: tuple[str, ...], population: Population) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """(mask of the selectors that take a whole constituency, (issue field, block start) of the others),
    kept per population and tuple of names (a venue asks the same question for every issue)."""
    plans = _plans.setdefault(population, {})
    key = (names, len(CONSTITUENCIES))
    if key not in plans:
        table = selectors()
        everyone = np.zeros(population.size, dtype=bool)
        involved = []
        for name in names:
            selector = table[name]
            block = population.slices[selector.constituency]
            if selector.field is None:
                everyone[block] = True
            else:
                involved.append((selector.field, block.start))
        plans[key] = (everyone, involved)
    return plans[key]


def involved(issue: Issue, population: Population) -> dict[str, np.ndarray]:
    """The global indices of the issue's relevant stakeholders, one sorted array per constituency (by its name)."""
    return {name: getattr(issue, field) + start for name, field, start in _relevant_plan(population)}


def _relevant_plan(population: Population) -> list[tuple[str, str, int]]:
    """(constituency, issue field, block start) of each relevant selector, kept like :func:`_plan` (asked per seat)."""
    plans = _plans.setdefault(population, {})
    key = ("relevant", len(CONSTITUENCIES))
    if key not in plans:
        table, names = _derived()
        plans[key] = [
            (table[n].constituency, table[n].field, population.slices[table[n].constituency].start) for n in names
        ]
    return plans[key]
