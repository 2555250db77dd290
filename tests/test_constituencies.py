"""Constituencies are a declared table: a new stakeholder type takes three declarations and no other change."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SMALL

from ecsim import REGIMES, EnhancedCooperationModel
from ecsim.model.agents import AGENT_CLASSES, Stakeholder
from ecsim.model.constituencies import CONSTITUENCIES, Constituency
from ecsim.model.regimes import Venue
from ecsim.model.selectors import relevant, selectors
from ecsim.params import PARAMETERS, Parameter


@pytest.fixture
def media(monkeypatch):
    """A toy fifth constituency, the news media, declared *first* in the index space (before governments)."""
    # 1. its size parameter (ecsim/params.py)
    size = Parameter("n_media", "int", 6, "News organisations.", "organisations", "a test", min=0, max=1_000)
    monkeypatch.setitem(PARAMETERS, "n_media", size)
    # 2. its declaration (ecsim/model/constituencies.py), here at the head of the index space
    before = dict(CONSTITUENCIES)
    CONSTITUENCIES.clear()
    CONSTITUENCIES["media"] = Constituency("media", "n_media", "media", None, None, 0.7, "a test")
    CONSTITUENCIES.update(before)
    # 3. its agent class (ecsim/model/agents.py), which registers itself
    monkeypatch.setitem(AGENT_CLASSES, "media", Stakeholder)

    class Newsroom(Stakeholder):
        constituency = "media"

    yield Newsroom
    CONSTITUENCIES.clear()
    CONSTITUENCIES.update(before)


PRESS_COUNCIL = dict(
    name="press_council",
    deciders=("media",),
    decision_rule="simple_majority",
    remit={"international"},
    enforcement="reputation",
    consulted=("affected_cso",),
)


def test_a_fifth_constituency_takes_three_declarations(media):
    assert "media" in selectors() and "media" not in relevant()
    routes = dict(REGIMES["flexible"].routes) | {"international": Venue(**PRESS_COUNCIL)}
    model = EnhancedCooperationModel(routes, rng=3, **SMALL).run()
    assert model.population.slices["media"] == slice(0, 6)
    assert model.population.slices["government"].start == 6
    newsrooms = model.agents_by_type[media]
    assert len(newsrooms) == 6 and {a.index for a in newsrooms} == set(range(6))
    assert model.agents.groupby("constituency").count()["media"] == 6
    log = model.issue_log()
    council = log[(log["venue"] == "press_council") & (log["outcome"] == "adopted")]
    assert len(council) > 0 and (council["deciders"] == 6).all()
    # No government decides at the press council, so its norms reach every jurisdiction of the issue
    # (coverage = the bound firms' share of the harm).  Code that assumed governments come first in the
    # index space took the media's seats for governments' and gave these norms no coverage at all.
    assert (council["coverage"] > 0).all()
    # The governments still ratify alone where they decide.
    multilateral = EnhancedCooperationModel("flexible", rng=3, **SMALL).run().issue_log()
    assert (multilateral.loc[multilateral["venue"] == "multilateral_forum", "coverage"] < 1).any()


def test_without_members_the_new_constituency_changes_nothing(media):
    """Declared with no members, the new type leaves every number of the model as it was."""
    with_media = EnhancedCooperationModel("flexible", rng=11, n_media=0, **SMALL).run().metrics()
    CONSTITUENCIES.pop("media")
    without = EnhancedCooperationModel("flexible", rng=11, **SMALL).run().metrics()
    np.testing.assert_array_equal(with_media.to_numpy(), without.to_numpy())
