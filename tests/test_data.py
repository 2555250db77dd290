"""The real state system shipped with ecsim (``ecsim.data``): its tables, and governments that are those states.

The table is ecsim's own, written from the public primary sources of ``src/ecsim/data/SOURCES.md``; here it
is checked for its own consistency (193 states, five groups with their counts, membership sizes) and against
the country_converter package's table (GPL-3.0, read here only, never shipped) where the two overlap.
"""

from __future__ import annotations

import re
from collections import Counter
from importlib.resources import files

import pytest
from conftest import SMALL

from ecsim import EnhancedCooperationModel, Government
from ecsim.data import MEMBERSHIPS, N_STATES, group_names, regional_groups, state_records, states
from ecsim.model.population import government_states

#: Members of each UN regional group (DGACM's list; the United States counted with WEOG for elections, SOURCES.md).
GROUP_SIZES = {
    "african": 54,
    "asia_pacific": 54,
    "eastern_european": 23,
    "latin_american_caribbean": 33,
    "western_european_others": 29,
}
#: Members of each organisation that are UN member states, on 1 January 2025.
MEMBERSHIP_SIZES = {"oecd": 38, "eu": 27, "g7": 7, "g20": 19, "brics": 9, "sco": 10, "apec": 19, "coe": 46}


@pytest.fixture(scope="module")
def table():
    return states()


def test_the_table_holds_the_193_un_member_states_once_each_in_iso3_order(table):
    assert len(table) == N_STATES == 193
    for column in ("iso3", "iso2", "name", "cctld"):
        assert table[column].is_unique, column
        assert (table[column].str.len() > 0).all(), column
    assert list(table["iso3"]) == sorted(table["iso3"])
    assert table["iso3"].str.fullmatch("[A-Z]{3}").all() and table["iso2"].str.fullmatch("[A-Z]{2}").all()
    assert table["cctld"].str.fullmatch(r"\.[a-z]{2}").all()
    assert list(table.columns) == ["iso3", "iso2", "name", "group", *MEMBERSHIPS, "cctld", "rir"]
    assert all(table[m].dtype == bool for m in MEMBERSHIPS)


def test_namibia_is_there_with_its_code_na_read_as_a_code_not_as_missing(table):
    namibia = table.set_index("iso3").loc["NAM"]
    assert namibia["iso2"] == "NA" and namibia["name"] == "Namibia" and namibia["cctld"] == ".na"
    assert namibia["group"] == "african"
    assert not table.isna().any().any()


def test_every_state_is_in_one_of_the_five_regional_groups_with_their_counts(table):
    groups = regional_groups()
    assert list(groups["code"]) == list(group_names()) == list(GROUP_SIZES)
    assert dict(zip(groups["code"], groups["members"], strict=True)) == GROUP_SIZES
    assert Counter(table["group"]) == GROUP_SIZES and sum(GROUP_SIZES.values()) == 193
    by_iso3 = table.set_index("iso3")["group"]
    # the conventions of SOURCES.md: the United States and Türkiye with WEOG, Israel too; Kiribati and Cyprus
    # in Asia-Pacific
    assert by_iso3[["USA", "TUR", "ISR"]].eq("western_european_others").all()
    assert by_iso3[["KIR", "CYP"]].eq("asia_pacific").all()


def test_membership_sizes(table):
    assert {m: int(table[m].sum()) for m in MEMBERSHIPS} == MEMBERSHIP_SIZES
    member = table.set_index("iso3")
    assert member.loc[member["g7"]].index.isin(member.index[member["g20"]]).all()  # the G7 sit in the G20
    assert member.loc[member["eu"], "coe"].all()  # every EU state is in the Council of Europe
    assert not member.loc["RUS", "coe"]  # expelled on 16 March 2022


def test_the_ccTLD_is_the_iso2_code_but_for_the_united_kingdom(table):
    expected = "." + table["iso2"].str.lower()
    differ = table.loc[table["cctld"] != expected, ["iso3", "cctld"]]
    assert differ.values.tolist() == [["GBR", ".uk"]]


def test_the_records_the_model_reads_are_the_table(table):
    records = state_records()
    assert [s.iso3 for s in records] == list(table["iso3"])
    rows = table.to_dict("records")
    assert all(s.memberships == {m for m in MEMBERSHIPS if row[m]} for s, row in zip(records, rows, strict=True))


# ---------------------------------------------------------------------------- cross-check: country_converter


@pytest.fixture(scope="module")
def coco():
    """country_converter's table (a dev dependency), with "NA" (Namibia's ISO2) kept as a string: every field read
    as text.  Its version 1.3.2 reads it with pandas' defaults, which turn "NA" into a missing value."""
    import pandas as pd

    path = files("country_converter") / "country_data.tsv"
    with path.open(encoding="utf-8") as f:
        data = pd.read_csv(f, sep="\t", dtype=str, keep_default_na=False)
    return data.set_index("ISO3")


def test_country_converter_reads_namibia_when_told_to_keep_na(coco):
    assert coco.loc["NAM", "ISO2"] == "NA" and coco.loc["NAM", "ccTLD"] == "na"


def test_the_un_members_agree_with_country_converter(table, coco):
    assert set(coco.index[coco["UNmember"] != ""]) == set(table["iso3"])


@pytest.mark.parametrize(
    ("ours", "theirs"), [("oecd", "OECD"), ("eu", "EU"), ("g7", "G7"), ("apec", "APEC"), ("coe", "CoE")]
)
def test_memberships_agree_with_country_converter(table, coco, ours, theirs):
    """APEC: country_converter lists Hong Kong and Chinese Taipei too, economies that are not UN members."""
    mine = set(table.loc[table[ours], "iso3"])
    listed = set(coco.index[coco[theirs] != ""]) & set(table["iso3"])
    assert mine == listed


def test_g20_agrees_with_country_converter_but_for_the_eu_members(table, coco):
    """country_converter marks every EU member G20 (the EU is a member); ours lists the 19 member states only."""
    mine = set(table.loc[table["g20"], "iso3"])
    listed = set(coco.index[coco["G20"] != ""]) & set(table["iso3"])
    eu_only = set(table.loc[table["eu"] & ~table["g20"], "iso3"])
    assert listed - mine == eu_only and mine <= listed


def test_brics_is_country_converter_bric_plus_south_africa_and_the_2024_enlargement(table, coco):
    """country_converter's BRIC column is the original four; ours is BRICS on 1 January 2025 (SOURCES.md)."""
    mine = set(table.loc[table["brics"], "iso3"])
    assert set(coco.index[coco["BRIC"] != ""]) == {"BRA", "RUS", "IND", "CHN"}
    assert mine == {"BRA", "RUS", "IND", "CHN"} | {"ZAF"} | {"EGY", "ETH", "IRN", "ARE"}


def test_cctlds_and_iso2_codes_agree_with_country_converter(table, coco):
    listed = coco.loc[table["iso3"]]
    assert ("." + listed["ccTLD"]).tolist() == table["cctld"].tolist()
    # country_converter's ISO2 is a pattern where it accepts an alias (GB|UK, GR|EL)
    assert all(re.fullmatch(theirs, ours) for theirs, ours in zip(listed["ISO2"], table["iso2"], strict=True))


def test_african_and_latin_american_groups_agree_with_country_converter_continents(table, coco):
    """The UN regional groups are not in country_converter; its continents check the two that follow them."""
    listed = coco.loc[table["iso3"]]
    african = set(table.loc[table["group"] == "african", "iso3"])
    assert african == set(listed.index[listed["continent"] == "Africa"])
    latin = set(table.loc[table["group"] == "latin_american_caribbean", "iso3"])
    assert latin == set(listed.index[listed["Continent_7"] == "South America"]) | (
        set(listed.index[listed["UNregion"].isin(["Caribbean", "Central America"])])
    )


# ---------------------------------------------------------------------------- governments are these states


def test_the_default_governments_are_the_193_states_in_iso3_order(table):
    model = EnhancedCooperationModel(rng=1, steps=1)
    governments = sorted(model.agents_by_type[Government], key=lambda a: a.index)
    assert [g.iso3 for g in governments] == list(table["iso3"])
    namibia = next(g for g in governments if g.iso3 == "NAM")
    assert (namibia.name, namibia.group, namibia.cctld) == ("Namibia", "african", ".na")
    assert namibia.group_name == "African Group" and namibia.memberships == frozenset()
    france = next(g for g in governments if g.iso3 == "FRA")
    assert france.member_of("oecd") and france.member_of("eu") and not france.member_of("brics")
    assert model.agents_by_type[Government].groupby("group").count() == Counter(table["group"])


def test_fewer_governments_are_a_systematic_sample_stratified_by_regional_group():
    for n in (1, 12, 40, 120, 192):
        rows = government_states(n)
        assert len(set(rows.tolist())) == n and list(rows) == sorted(rows)  # distinct states, in ISO3 order
        counts = Counter(state_records()[i].group for i in rows)
        for group, size in GROUP_SIZES.items():
            assert abs(counts[group] - n * size / N_STATES) <= 1, (n, group)
    assert list(government_states(193)) == list(range(193))
    model = EnhancedCooperationModel(rng=1, **SMALL)
    assert [g.iso3 for g in sorted(model.agents_by_type[Government], key=lambda a: a.index)] == [
        state_records()[i].iso3 for i in government_states(SMALL["n_governments"])
    ]


def test_more_governments_than_states_add_hypothetical_ones_without_code():
    rows = government_states(200)
    assert list(rows[:193]) == list(range(193)) and (rows[193:] == -1).all()
    model = EnhancedCooperationModel(rng=1, steps=1, n_governments=195)
    extra = [g for g in model.agents_by_type[Government] if g.local_index >= 193]
    assert len(extra) == 2 and all(g.iso3 == "" and g.group == "" and g.memberships == frozenset() for g in extra)
