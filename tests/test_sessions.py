"""Negotiating sessions (ODD §7.6c): a forum where governments alone decide meets every ``session_interval``
months and plays one round a session; every other table works monthly.  On by default (4 months), and 1 restores
the base model bit for bit (the switch contract, tests/test_params.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import BASE, SMALL

from ecsim import REGIMES, EnhancedCooperationModel
from ecsim.model.negotiation import NegotiationTable
from ecsim.model.sittings import session_interval
from ecsim.params import PARAMETERS

SESSIONS = BASE | {"session_interval": 4}  # the base model plus sessions alone


def test_the_declaration():
    p = PARAMETERS["session_interval"]
    assert p.off == BASE["session_interval"] == 1 and p.plausible == (2, 6)
    assert p.default == 4  # the centre of the plausible range, as for every switch (ODD §4)


def test_only_forums_of_governments_alone_meet_in_sessions():
    venues = {v.name: v for regime in REGIMES.values() for v in regime.venues}
    meets = {name: session_interval(v, 4) for name, v in venues.items()}
    assert meets["central_forum"] == meets["multilateral_forum"] == 4
    for continuous in ("internet_institutions", "industry_self_regulation", "technical_community"):
        assert meets[continuous] == 1, continuous
    assert meets["national_legislatures"] == 1  # legislatures decide after national_lag, not in rounds


def _open(table: NegotiationTable, key: int, positions, opened: int, interval: int) -> None:
    table.open(
        key=key,
        rule="consensus",
        positions=np.array(positions, dtype=float),
        weights=np.ones(len(positions)),
        anchor=np.nan,
        consultation_weight=0.0,
        deadline=50,
        opened=opened,
        interval=interval,
    )


def test_a_negotiation_plays_only_in_session_and_stands_still_between():
    table = NegotiationTable(0.05, 0.2)
    _open(table, 1, [0.1, 0.9], opened=0, interval=3)  # sits at 0, 3, 6, ...
    _open(table, 2, [0.1, 0.9], opened=0, interval=1)  # every month
    ended: dict[int, tuple[int, object]] = {}
    moves = []
    for now in range(60):
        before = table.positions_of(1)
        for o in table.play_round(now):
            ended[o.key] = (now, o)
        after = table.positions_of(1)
        if 1 not in ended and before.size and after.size:
            moves.append((now, not np.allclose(before, after)))
        if len(ended) == 2:
            break
    monthly_at, monthly = ended[2]
    session_at, session = ended[1]
    assert monthly.adopted and session.adopted
    assert session.rounds == monthly.rounds  # the same bargaining, one round a session
    assert session_at == 3 * (session.rounds - 1) and monthly_at == monthly.rounds - 1
    assert all(moved == (now % 3 == 0) for now, moved in moves)  # concessions only in session
    assert session.proposal == pytest.approx(monthly.proposal)


def test_sessions_cost_only_when_they_sit():
    table = NegotiationTable(0.05, 0.2)
    _open(table, 1, [0.1, 0.9], opened=0, interval=4)
    table.play_round(0)
    assert table.cost_in_session(1) == 0 and table.cost_in_session(4) == table.cost_per_round


def _decided(model: EnhancedCooperationModel, venue: str) -> pd.DataFrame:
    log = model.issue_log()
    return log[(log["venue"] == venue) & (log["outcome"] == "adopted")]


def test_in_the_model_treaties_take_a_session_per_round_and_other_tables_do_not_slow_down():
    """Paired seeds, the base model with and without sessions: at the multilateral forum a negotiation's months
    from opening to agreement are (rounds - 1) x 4; at the technical community they equal its rounds - 1."""
    params = SMALL | {"steps": 120}
    runs = {
        k: EnhancedCooperationModel("flexible", rng=5, **params, **(BASE | {"session_interval": k})).run()
        for k in (1, 4)
    }
    forum = _decided(runs[4], "multilateral_forum")
    assert len(forum) >= 5
    assert ((forum["agreed_at"] - forum["opened_at"]) == 4 * (forum["rounds"] - 1)).all()
    technical = _decided(runs[4], "technical_community")
    assert len(technical) >= 5
    assert ((technical["agreed_at"] - technical["opened_at"]) == technical["rounds"] - 1).all()
    monthly = _decided(runs[1], "multilateral_forum")
    assert (forum["agreed_at"] - forum["opened_at"]).mean() > 2 * (monthly["agreed_at"] - monthly["opened_at"]).mean()


def test_the_treaty_pattern_moves_towards_the_years_real_treaties_take():
    """What the mechanism is for (ODD §1.2): the months from mandate to treaty at an intergovernmental forum, at the
    default population (193 governments; a small one's short queues and few deciders say little about treaties)."""
    from ecsim.validation.facts import RunOutput, treaty_months

    months = {
        k: treaty_months(RunOutput.of(EnhancedCooperationModel("centralised", rng=3, session_interval=k).run()))
        for k in (1, 4)
    }
    assert months[4] > 2 * months[1]
