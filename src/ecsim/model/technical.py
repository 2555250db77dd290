"""The technical community as its named bodies, each routed to the issues its remit covers (seed 1c; ODD §7.1).

With ``technical_community="named"`` the technical organisations are real bodies (:func:`ecsim.data.technical_bodies`):
ICANN, its Governmental Advisory Committee, the five regional Internet registries, IETF, W3C and ISOC, then the
ccTLD registries of real states.  An issue's relevant technical bodies are then not a random few but those whose
remit covers its category and, for a regional body, that serve one of its jurisdictions: an RIR the states of its
service region, a ccTLD registry its own state.  Nothing here is drawn, so the named community moves no random
number of a run (the issue stream still draws and discards the stylised subset, :mod:`ecsim.model.issues`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ecsim.data import N_STATES, RIRS, group_names, state_records, technical_body_records
from ecsim.params import CATEGORIES

#: How far a body reaches: everyone, the states of its RIR service region, or its own state.
GLOBAL, REGIONAL, NATIONAL = 0, 1, 2
_RIR_INDEX = {code: i for i, code in enumerate(RIRS)}


def systematic_sample(rows: Sequence[int], n: int) -> np.ndarray:
    """``n`` of the state rows ``rows`` (n <= len(rows)), stratified by UN regional group, in ISO3 order (no draw).

    The rows are ordered by regional group (in the order of :func:`ecsim.data.group_names`), then ISO3, and every
    ``len(rows) / n``-th is taken, starting half a step in: each group gets its share to within one.  The model's
    rule for which states the governments are (:func:`ecsim.model.population.government_states`).
    """
    records = state_records()
    rank = {g: i for i, g in enumerate(group_names())}
    by_group = sorted(rows, key=lambda i: (rank[records[i].group], records[i].iso3))
    picks = np.floor((np.arange(n) + 0.5) * len(by_group) / n).astype(np.int64)
    return np.sort(np.array(by_group, dtype=np.int64)[picks]) if n else np.empty(0, dtype=np.int64)


def cctld_states(n: int, government_state: np.ndarray) -> np.ndarray:
    """The states whose ccTLD registries the ``n`` registries of the named community are (state rows, no draw).

    First the states the model's governments are, sampled by regional group like the governments themselves
    (:func:`systematic_sample`), so each registry can be relevant to some issue; if more are asked for, every one
    of those and then, by the same rule, the other UN member states; beyond the 193, hypothetical registries
    (row -1) that serve no state and so are relevant to nothing.
    """
    governed = sorted({int(s) for s in government_state if s >= 0})
    if n <= len(governed):
        return systematic_sample(governed, n)
    others = sorted(set(range(N_STATES)) - set(governed))
    rest = systematic_sample(others, min(n - len(governed), len(others)))
    chosen = np.sort(np.concatenate([np.array(governed, dtype=np.int64), rest]))
    return np.concatenate([chosen, np.full(n - chosen.size, -1, dtype=np.int64)])


@dataclass(frozen=True, eq=False)
class TechnicalCommunity:
    """The named technical bodies, one row per technical organisation (local index), and who each serves."""

    names: tuple[str, ...]
    kinds: tuple[str, ...]
    remit: np.ndarray  # bool, (bodies, categories): whether its remit covers each category of CATEGORIES
    reach: np.ndarray  # GLOBAL, REGIONAL (an RIR) or NATIONAL (a ccTLD registry)
    rir: np.ndarray  # an RIR's index in RIRS (-1 for any other body)
    state: np.ndarray  # a ccTLD registry's state row (-1 for any other body, and a hypothetical registry)

    def relevant(self, category: int, jurisdiction_states: np.ndarray) -> np.ndarray:
        """The bodies relevant to an issue of ``category`` (its index in CATEGORIES) spanning the jurisdictions
        of the states ``jurisdiction_states`` (rows; -1, a hypothetical state, is served by no regional body):
        sorted local indices, possibly none."""
        states = jurisdiction_states[jurisdiction_states >= 0]
        serves = self.reach == GLOBAL
        if states.size:
            serves |= self._serves_state[:, states].any(axis=1)
        return (self.remit[:, category] & serves).nonzero()[0].astype(np.int64)

    @functools.cached_property
    def _serves_state(self) -> np.ndarray:
        """Bool, (bodies, states): whether a regional body serves each UN member state (asked for every issue)."""
        every = np.arange(N_STATES)
        by_rir = (self.reach == REGIONAL)[:, None] & (self.rir[:, None] == _STATE_RIR[None, :])
        return by_rir | ((self.reach == NATIONAL)[:, None] & (self.state[:, None] == every[None, :]))


def _state_rir() -> np.ndarray:
    return np.array([_RIR_INDEX[s.rir] for s in state_records()], dtype=np.int64)


_STATE_RIR = _state_rir()  # each UN member state's RIR (its index in RIRS), by state row


def named_community(n: int, government_state: np.ndarray) -> TechnicalCommunity:
    """The ``n`` technical organisations as named bodies: the declared international ones first (the first ``n`` of
    them if ``n`` is smaller), then ccTLD registries of real states (:func:`cctld_states`)."""
    bodies = technical_body_records()
    international = [b for b in bodies if b.kind != "cctld"][:n]
    (registry,) = [b for b in bodies if b.kind == "cctld"]  # the row every ccTLD registry takes its remit from
    states = cctld_states(n - len(international), government_state)
    records = state_records()
    names = [b.name for b in international] + [
        f"{records[s].cctld} registry ({records[s].name})" if s >= 0 else f"ccTLD registry {i + 1} (hypothetical)"
        for i, s in enumerate(states)
    ]
    remits = [b.remit for b in international] + [registry.remit] * states.size
    rir = [_RIR_INDEX.get(b.region, -1) for b in international] + [-1] * states.size
    reach = [REGIONAL if b.region in RIRS else GLOBAL for b in international] + [NATIONAL] * states.size
    return TechnicalCommunity(
        names=tuple(names),
        kinds=tuple([b.kind for b in international] + ["cctld"] * states.size),
        remit=np.array([[c in r for c in CATEGORIES] for r in remits], dtype=bool).reshape(n, len(CATEGORIES)),
        reach=np.array(reach, dtype=np.int64),
        rir=np.array(rir, dtype=np.int64),
        state=np.concatenate([np.full(len(international), -1, dtype=np.int64), states]),
    )
