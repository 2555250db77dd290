"""The real world the model is grounded in: tables shipped with the package, read without a network.

- :func:`states`: the 193 UN member states, one row each in ISO3 order: ISO3 and ISO2 codes, name, UN
  regional group, memberships (one boolean column per organisation of :data:`MEMBERSHIPS`), ccTLD and the
  regional Internet registry whose service region it is in.
- :func:`regional_groups`: the five UN regional groups.
- :func:`technical_bodies`: the named bodies of the technical community (ICANN, its GAC, the five RIRs, IETF,
  W3C, ISOC and the ccTLD registries), each with its remit (the issue categories it covers) and region.

Each table's sources, their dates and the tables' licence (ecsim's, MIT) are in ``SOURCES.md`` beside
the tables (also docs/ODD.md §6).  The model reads the same rows through :func:`state_records`, which needs
only the standard library; pandas loads when :func:`states` or :func:`regional_groups` is called, never on
``import ecsim.data``.

The tables are read with the standard ``csv`` module, which reads every field as a string, so Namibia's ISO2
code ``NA`` stays a code: pandas' default reader would take it for a missing value.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: The memberships the state table records, by column: each a boolean column of :func:`states`, with the
#: organisation's name.  Members as of 1 January 2025 (SOURCES.md).
MEMBERSHIPS: dict[str, str] = {
    "oecd": "Organisation for Economic Co-operation and Development",
    "eu": "European Union",
    "g7": "Group of Seven",
    "g20": "Group of Twenty (its member states; the EU and the African Union are members too)",
    "brics": "BRICS",
    "sco": "Shanghai Cooperation Organisation",
    "apec": "Asia-Pacific Economic Cooperation (its economies that are UN member states)",
    "coe": "Council of Europe",
}
#: The number of UN member states.
N_STATES = 193
#: The five regional Internet registries by the code states.csv's ``rir`` column uses, with their names.
RIRS: dict[str, str] = {
    "afrinic": "AFRINIC",
    "apnic": "APNIC",
    "arin": "ARIN",
    "lacnic": "LACNIC",
    "ripe_ncc": "RIPE NCC",
}
#: The kinds of technical body, in the declared order of :func:`technical_bodies`.
TECHNICAL_KINDS: tuple[str, ...] = ("icann", "gac", "rir", "ietf", "w3c", "isoc", "cctld")


@dataclass(frozen=True)
class State:
    """One UN member state: a row of :func:`states`."""

    iso3: str  # ISO 3166-1 alpha-3
    iso2: str  # ISO 3166-1 alpha-2 (Namibia's is "NA")
    name: str  # the UN's short name
    group: str  # its UN regional group's code (regional_groups().code)
    memberships: frozenset[str]  # the columns of MEMBERSHIPS it is a member of
    cctld: str  # its country-code top-level domain in the root zone, with the dot (".uk" for the United Kingdom)
    rir: str  # the code (RIRS) of the regional Internet registry whose service region it is in


@dataclass(frozen=True)
class TechnicalBody:
    """One named body of the technical community: a row of :func:`technical_bodies`.

    ``region`` says whom it serves: ``"global"`` (everyone), an RIR's code of :data:`RIRS` (the states of its
    service region) or ``"state"`` (the ccTLD registry row: one body per state, serving that state alone).
    """

    name: str
    full_name: str
    kind: str  # one of TECHNICAL_KINDS
    region: str
    remit: tuple[str, ...]  # the issue categories it covers (ecsim.params.CATEGORIES)
    basis: str  # why: what its charter or founding document gives it to do
    source: str


def _rows(name: str) -> list[dict[str, str]]:
    with (files(__name__) / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def state_records() -> tuple[State, ...]:
    """The 193 UN member states in ISO3 order, read with the standard library only (what the model reads)."""
    rows = _rows("states.csv")
    missing = [m for m in MEMBERSHIPS if m not in rows[0]]
    if missing:  # the table and MEMBERSHIPS are written together
        raise RuntimeError(f"states.csv lacks the membership columns {missing}")
    return tuple(
        State(
            iso3=r["iso3"],
            iso2=r["iso2"],
            name=r["name"],
            group=r["group"],
            memberships=frozenset(m for m in MEMBERSHIPS if r[m] == "1"),
            cctld=r["cctld"],
            rir=r["rir"],
        )
        for r in rows
    )


@cache
def technical_body_records() -> tuple[TechnicalBody, ...]:
    """The named technical bodies in their declared order (ICANN, GAC, the five RIRs, IETF, W3C, ISOC, then the
    row every ccTLD registry takes its remit from), read with the standard library only (what the model reads)."""
    return tuple(
        TechnicalBody(
            name=r["name"],
            full_name=r["full_name"],
            kind=r["kind"],
            region=r["region"],
            remit=tuple(r["remit"].split()),
            basis=r["basis"],
            source=r["source"],
        )
        for r in _rows("technical_bodies.csv")
    )


@cache
def group_names() -> dict[str, str]:
    """Each UN regional group's name by its code, in the order of :func:`regional_groups`."""
    return {r["code"]: r["name"] for r in _rows("regional_groups.csv")}


def states() -> pd.DataFrame:
    """The 193 UN member states, one row each in ISO3 order (a fresh copy: safe to modify).

    Columns: ``iso3``, ``iso2``, ``name``, ``group`` (the code of its UN regional group), one boolean column
    per membership of :data:`MEMBERSHIPS` (``oecd``, ``eu``, ``g7``, ``g20``, ``brics``, ``sco``, ``apec``,
    ``coe``), ``cctld`` and ``rir`` (the code of its regional Internet registry, :data:`RIRS`).
    """
    import pandas as pd

    records = state_records()
    table = pd.DataFrame(
        {
            "iso3": [s.iso3 for s in records],
            "iso2": [s.iso2 for s in records],
            "name": [s.name for s in records],
            "group": [s.group for s in records],
            **{m: [m in s.memberships for s in records] for m in MEMBERSHIPS},
            "cctld": [s.cctld for s in records],
            "rir": [s.rir for s in records],
        }
    )
    return table.astype({m: bool for m in MEMBERSHIPS})


def technical_bodies() -> pd.DataFrame:
    """The named bodies of the technical community, one row each in declared order (a fresh copy).

    Columns: ``name``, ``full_name``, ``kind`` (:data:`TECHNICAL_KINDS`), ``region`` (``global``, an RIR's code,
    or ``state`` for the ccTLD registries, one per state), ``remit`` (a tuple of issue categories), ``basis``
    (why it covers them) and ``source``.  Why a table: the technical community is these bodies, and what each may
    decide comes from its charter, not from a random draw (docs/ODD.md §6, §7.1).
    """
    import pandas as pd

    records = technical_body_records()
    columns = ("name", "full_name", "kind", "region", "remit", "basis", "source")
    return pd.DataFrame({c: [getattr(b, c) for b in records] for c in columns})


def regional_groups() -> pd.DataFrame:
    """The five UN regional groups: ``code``, ``name``, ``short`` and ``members`` (how many states it counts)."""
    import pandas as pd

    table = pd.DataFrame(_rows("regional_groups.csv"))
    counts = pd.Series([s.group for s in state_records()]).value_counts()
    return table.assign(members=table["code"].map(counts).fillna(0).astype(int))


__all__ = [
    "MEMBERSHIPS",
    "N_STATES",
    "RIRS",
    "TECHNICAL_KINDS",
    "State",
    "TechnicalBody",
    "group_names",
    "regional_groups",
    "state_records",
    "states",
    "technical_bodies",
    "technical_body_records",
]
