"""The technical community as its named bodies (ODD §6, §7.1): the table, the routing by remit and region, and the
stylised stand-in kept bit for bit (its golden numbers) with every other draw of a run the same under both."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from conftest import BASE, SMALL

from ecsim import EnhancedCooperationModel
from ecsim.data import RIRS, TECHNICAL_KINDS, state_records, states, technical_bodies
from ecsim.model.agents import TechnicalOrg
from ecsim.model.regimes import TECHNICAL_COMMUNITY
from ecsim.model.technical import GLOBAL, REGIONAL, cctld_states, named_community
from ecsim.model.venues import seat
from ecsim.params import CATEGORIES, PARAMETERS, ParameterError, validate

#: Enough technical organisations for every international body and a few ccTLD registries.
NAMED = SMALL | {"n_technical": 16}
INTERNATIONAL = ("ICANN", "GAC", "AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE NCC", "IETF", "W3C", "ISOC")


# ---------------------------------------------------------------------------------- the table
def test_the_table_names_each_body_once_with_real_kinds_regions_and_categories():
    table = technical_bodies()
    assert table["name"].is_unique and (table["basis"].str.len() > 20).all() and (table["source"].str.len() > 5).all()
    assert set(table["kind"]) == set(TECHNICAL_KINDS)
    assert list(table.loc[table["kind"] != "cctld", "name"]) == list(INTERNATIONAL)  # the declared order
    rirs = table[table["kind"] == "rir"]
    assert len(rirs) == 5 and sorted(rirs["region"]) == sorted(RIRS) and list(rirs["name"]) == list(RIRS.values())
    assert set(table.loc[~table["kind"].isin(["rir", "cctld"]), "region"]) == {"global"}
    assert list(table.loc[table["kind"] == "cctld", "region"]) == ["state"]
    for remit in table["remit"]:
        assert remit and set(remit) <= set(CATEGORIES) and len(set(remit)) == len(remit)
    covered = {c for remit in table["remit"] for c in remit}
    assert covered == set(CATEGORIES)  # every category is some body's remit


def test_every_state_has_exactly_one_rir_and_the_service_regions_follow_the_nro():
    table = states().set_index("iso3")
    assert table["rir"].isin(list(RIRS)).all() and not table["rir"].isna().any()
    counts = Counter(table["rir"])
    assert counts == {"ripe_ncc": 66, "afrinic": 54, "apnic": 38, "lacnic": 24, "arin": 11}
    # the whole African group is AFRINIC's; the Latin American and Caribbean group is LACNIC's but for the nine
    # Caribbean states ARIN serves; the Middle East and Central Asia are RIPE NCC's (SOURCES.md)
    assert (table.loc[table["group"] == "african", "rir"] == "afrinic").all()
    caribbean_arin = {"ATG", "BHS", "BRB", "DMA", "GRD", "JAM", "KNA", "LCA", "VCT"}
    lac = table[table["group"] == "latin_american_caribbean"]
    assert set(lac.index[lac["rir"] == "arin"]) == caribbean_arin and (lac["rir"] != "arin").sum() == 24
    assert set(table.index[table["rir"] == "arin"]) == caribbean_arin | {"USA", "CAN"}
    assert (table.loc[["IRN", "SAU", "KAZ", "RUS", "TUR", "ISR", "CYP"], "rir"] == "ripe_ncc").all()
    assert (table.loc[["AUS", "NZL", "CHN", "IND", "PAK", "AFG", "KIR"], "rir"] == "apnic").all()
    assert (table.loc[["BRA", "MEX", "CUB", "HTI", "TTO"], "rir"] == "lacnic").all()
    assert (table.loc[table["group"] == "eastern_european", "rir"] == "ripe_ncc").all()


# ---------------------------------------------------------------------------------- the parameter
def test_the_parameter_is_a_switch_whose_off_value_is_the_stylised_stand_in():
    p = PARAMETERS["technical_community"]
    assert p.kind == "choice" and p.choices == ("named", "stylised") and p.default == "named"
    assert p.off == BASE["technical_community"] == "stylised" and p.plausible is None
    with pytest.raises(ParameterError, match=r"^technical_community='nameed' is not allowed.*did you mean 'named'"):
        validate({"technical_community": "nameed"})
    with pytest.raises(ParameterError, match="technical_community"):
        EnhancedCooperationModel(technical_community="named bodies")


def test_named_and_stylised_draw_the_same_numbers_for_everything_else():
    """Paired comparisons need it: the issues, their stakeholders but the technical ones, and the population are
    the same draws under both settings; only who the relevant technical bodies are differs."""
    named = EnhancedCooperationModel("flexible", rng=5, **NAMED)
    stylised = EnhancedCooperationModel("flexible", rng=5, **NAMED | {"technical_community": "stylised"})
    assert len(named.issues) == len(stylised.issues) > 50
    for a, b in zip(named.issues, stylised.issues, strict=True):
        assert (a.arrival, a.category, a.harm_rate, a.complexity, a.novelty) == (
            b.arrival,
            b.category,
            b.harm_rate,
            b.complexity,
            b.novelty,
        )
        for field in ("causers", "harm_weights", "jurisdictions", "affected_cso"):
            assert np.array_equal(getattr(a, field), getattr(b, field)), field
    for field in ("preference", "market_share", "expertise", "boldness", "vengefulness", "state"):
        assert np.array_equal(getattr(named.population, field), getattr(stylised.population, field)), field
    pairs = zip(named.issues, stylised.issues, strict=True)
    differ = sum(not np.array_equal(a.relevant_technical, b.relevant_technical) for a, b in pairs)
    assert differ > len(named.issues) / 2


# ---------------------------------------------------------------------------------- the routing
def _relevant_names(community, category: str, iso3: list[str]) -> set[str]:
    rows = {s.iso3: i for i, s in enumerate(state_records())}
    found = community.relevant(CATEGORIES.index(category), np.array([rows[c] for c in iso3], dtype=np.int64))
    return {community.names[i] for i in found}


def test_each_issue_seats_the_bodies_whose_remit_and_region_cover_it():
    community = named_community(30, np.arange(193))
    # critical resources in an African jurisdiction: ICANN, its GAC, IETF and AFRINIC, not the other RIRs
    african = _relevant_names(community, "critical_resources", ["NGA"])
    assert {"ICANN", "GAC", "IETF", "AFRINIC"} <= african and not african & {"ARIN", "APNIC", "LACNIC", "RIPE NCC"}
    both = _relevant_names(community, "critical_resources", ["NGA", "JAM"])  # Jamaica: ARIN's Caribbean
    assert {"AFRINIC", "ARIN"} <= both and not both & {"LACNIC", "RIPE NCC", "APNIC"}
    assert {"IETF", "W3C", "ICANN", "ISOC"} <= _relevant_names(community, "technical_operational", ["USA"])
    assert _relevant_names(community, "international", ["FRA", "BRA"]) == {"ISOC"}
    assert _relevant_names(community, "corporate_harm", ["DEU"]) == {"W3C", "ISOC"}
    registries = [community.names[i] for i in np.flatnonzero(community.state >= 0)]
    assert len(registries) == 20
    served = state_records()[int(community.state[-1])]
    assert _relevant_names(community, "national", [served.iso3]) == {registries[-1]}  # its own ccTLD registry alone
    unserved = next(s for i, s in enumerate(state_records()) if i not in set(community.state.tolist()))
    national = _relevant_names(community, "national", [unserved.iso3])
    assert national == set()  # no RIR and no global body has national public policy in its remit


def test_no_issue_of_a_run_seats_a_body_outside_its_remit_or_its_region():
    model = EnhancedCooperationModel("flexible", rng=3, **NAMED).run()
    community, pop = model.population.technical, model.population
    assert [a.name for a in model.agents_by_type[TechnicalOrg]][:10] == list(INTERNATIONAL)
    assert len({a.name for a in model.agents_by_type[TechnicalOrg]}) == NAMED["n_technical"]
    records = state_records()
    seen = Counter()
    for issue in model.issues:
        category = CATEGORIES.index(issue.category)
        states = pop.state[issue.jurisdictions]
        rirs = {records[s].rir for s in states if s >= 0}
        for body in issue.relevant_technical:
            assert community.remit[body, category], (issue.category, community.names[body])
            if community.reach[body] == REGIONAL:
                assert list(RIRS)[community.rir[body]] in rirs
            elif community.reach[body] != GLOBAL:
                assert community.state[body] in states
        expected = [b for b in range(community.remit.shape[0]) if community.remit[b, category]]
        if issue.category in ("international", "corporate_harm"):  # no regional body has these in its remit
            assert issue.relevant_technical.tolist() == [b for b in expected if community.reach[b] == GLOBAL]
        seen[issue.category] += issue.relevant_technical.size
        if issue.category == "national":
            assert not (community.reach[issue.relevant_technical] == REGIONAL).any()  # no RIR on national policy
    assert seen["critical_resources"] > 0 and seen["technical_operational"] > 0
    issue = next(i for i in model.issues if i.category == "technical_operational")
    table = seat(issue, TECHNICAL_COMMUNITY, np.zeros(pop.size), pop, model.params)
    deciders = {community.names[i - pop.slices["technical"].start] for i in table.deciders}
    assert {"IETF", "W3C"} <= deciders and "GAC" not in deciders


def test_cctld_registries_are_of_the_governments_states_by_regional_group_without_a_draw():
    governments = np.arange(193)
    chosen = cctld_states(20, governments)
    assert chosen.tolist() == sorted(chosen.tolist()) and len(set(chosen.tolist())) == 20
    share = Counter(state_records()[s].group for s in chosen)
    groups = Counter(s.group for s in state_records())
    for group, members in groups.items():
        assert abs(share[group] - 20 * members / 193) <= 1, group
    few = np.array([3, 40, 77, 150])  # fewer governments: registries of their states first, then of others
    assert set(cctld_states(4, few).tolist()) == set(few.tolist())
    more = cctld_states(6, few)
    assert set(few.tolist()) < set(more.tolist()) and (more >= 0).all()
    assert (cctld_states(200, governments) == -1).sum() == 7  # beyond the 193: hypothetical registries
    assert named_community(3, governments).names == INTERNATIONAL[:3]  # fewer than ten: the declared order


def test_without_relevant_bodies_the_named_community_behaves_like_the_stylised_one():
    """No technical organisation at all: both settings seat none and are the same run; with eight (no W3C, no ISOC)
    international and corporate-harm issues have no relevant technical body, as an empty stylised draw had."""
    runs = [
        EnhancedCooperationModel("self_regulatory", rng=2, **SMALL | {"n_technical": 0, "technical_community": c}).run()
        for c in ("named", "stylised")
    ]
    assert runs[0].metrics().equals(runs[1].metrics())
    eight = EnhancedCooperationModel("self_regulatory", rng=2, **SMALL).run()  # SMALL has eight technical bodies
    empty = [i for i in eight.issues if i.relevant_technical.size == 0]
    assert empty and {i.category for i in empty} <= {"international", "corporate_harm", "national"}
    assert eight.metrics()["cumulative_harm"].iloc[-1] > 0
