"""Parameters: one typed declaration; every kind of bad input gives a clear, one-line error."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import ecsim
from ecsim import EnhancedCooperationModel, ParameterError
from ecsim.params import CATEGORIES, PARAMETERS, defaults, switches, table, validate

REQUIRED = [
    "n_governments",
    "n_companies",
    "n_cso",
    "n_technical",
    "market_concentration",
    "monitoring_capacity",
    "issue_rate",
    "issue_mix",
    "decision_rule",
    "agenda_capacity",
    "steps",
]


def test_required_parameters_are_declared_with_metadata():
    params = ecsim.parameters()
    for name in REQUIRED:
        assert name in params
    for name, p in params.items():
        assert p.name == name
        assert p.description and p.unit and p.source
        if p.kind in ("int", "float"):
            assert p.min is not None and p.max is not None and p.min <= p.default <= p.max
            assert p.choices is None
        elif p.kind == "choice":
            assert p.default in p.choices
    assert params["decision_rule"].choices == ("consensus", "qualified_majority", "simple_majority")


def test_defaults_validate_and_are_what_the_model_uses():
    assert validate() == defaults()
    model = EnhancedCooperationModel(rng=0, steps=1)
    assert model.params == defaults() | {"steps": 1}


def test_parameters_returns_a_copy():
    ecsim.parameters().pop("steps")
    assert "steps" in ecsim.parameters()


@pytest.mark.parametrize(
    ("overrides", "pattern"),
    [
        ({"n_agents": 5}, r"unknown parameter 'n_agents'"),
        ({"issue_rate": "fast"}, r"issue_rate='fast' has the wrong type: expected a number in \[0, 50\]"),
        ({"n_companies": 2.5}, r"n_companies=2.5 has the wrong type: expected an integer"),
        ({"n_companies": True}, r"n_companies=True has the wrong type"),
        ({"n_companies": 0}, r"n_companies=0 is out of range: expected an integer in \[1, 100000\]"),
        ({"market_concentration": 1.5}, r"market_concentration=1.5 is out of range: expected a number in \[0, 1.25\]"),
        ({"monitoring_capacity": math.nan}, r"monitoring_capacity=nan is not allowed"),
        ({"decision_rule": "vote"}, r"decision_rule='vote' is not allowed: expected one of consensus, "),
        ({"issue_mix": {"cyber": 1.0}}, r"issue_mix has an unknown category 'cyber'"),
        ({"issue_mix": {"national": -1.0}}, r"issue_mix\[national\]=-1.0 is not allowed"),
        ({"issue_mix": {"national": 0.0}}, r"issue_mix has no positive weight"),
        ({"issue_mix": [0.2, 0.8]}, r"issue_mix=\[0.2, 0.8\] has the wrong type"),
    ],
)
def test_bad_values_raise_one_line_errors_naming_the_parameter(overrides, pattern):
    with pytest.raises(ParameterError, match=pattern) as info:
        EnhancedCooperationModel(rng=0, **overrides)
    assert "\n" not in str(info.value)


def test_numpy_numbers_are_accepted_and_nothing_is_clamped():
    model = EnhancedCooperationModel(rng=0, n_companies=np.int64(50), issue_rate=np.float64(0.5), steps=2)
    assert model.params["n_companies"] == 50 and isinstance(model.params["n_companies"], int)
    with pytest.raises(ParameterError):
        validate({"agenda_capacity": 10_001})


def test_partial_issue_mix_fills_missing_categories_with_zero():
    mix = validate({"issue_mix": {"corporate_harm": 2}})["issue_mix"]
    assert mix == {c: (2.0 if c == "corporate_harm" else 0.0) for c in CATEGORIES}
    model = EnhancedCooperationModel(rng=3, issue_mix={"corporate_harm": 1}, steps=30).run()
    assert set(model.issue_log()["category"]) == {"corporate_harm"}


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("issue_rate", "2", 2.0),
        ("n_companies", "300", 300),
        ("n_companies", "3e2", 300),
        ("decision_rule", "simple_majority", "simple_majority"),
        (
            "issue_mix",
            "national:1, corporate_harm:3",
            {**dict.fromkeys(CATEGORIES, 0.0), "national": 1.0, "corporate_harm": 3.0},
        ),
    ],
)
def test_command_line_values_parse(name, text, value):
    assert PARAMETERS[name].parse(text) == value


@pytest.mark.parametrize(("name", "text"), [("issue_rate", "x"), ("n_cso", "1.5"), ("issue_mix", "national=1")])
def test_unreadable_command_line_values_raise(name, text):
    with pytest.raises(ParameterError, match=name):
        PARAMETERS[name].parse(text)


@pytest.mark.parametrize("bad", [-1, 1.5, "seven", True])
def test_bad_seed_is_a_clear_error(bad):
    with pytest.raises(ParameterError, match=r"^rng="):
        EnhancedCooperationModel(rng=bad)


def test_table_lists_every_parameter_and_odd_includes_it_verbatim():
    text = table()
    for name in PARAMETERS:
        assert f"| `{name}` |" in text
    odd = (Path(__file__).parents[1] / "docs" / "ODD.md").read_text()
    match = re.search(r"<!-- parameters:start -->\n(.*?)\n<!-- parameters:end -->", odd, re.S)
    assert match, "docs/ODD.md lacks the parameter table markers"
    assert match.group(1).strip() == text.strip(), (
        "docs/ODD.md's parameter table is stale: paste `ecsim params --markdown`"
    )


def test_uncertain_parameters_have_plausible_ranges_inside_the_allowed_ones():
    from ecsim.params import uncertain

    ranges = uncertain()
    assert "market_concentration" in ranges and "decision_rule" in ranges and "n_governments" not in ranges
    assert "negotiation_protocol" not in ranges  # a structural choice, compared in studies, not an uncertainty
    for name, plausible in ranges.items():
        p = PARAMETERS[name]
        if p.kind == "choice":
            assert set(plausible) <= set(p.choices)
        else:
            low, high = plausible
            assert p.min <= low < high <= p.max and p.validate(low) == low, name


def test_switches_list_every_mechanism_with_an_on_value_inside_its_plausible_range():
    found = switches()
    assert list(found) == [p.name for p in PARAMETERS.values() if p.off is not None]
    assert {"fit_weight", "state_harm_share", "igf_learning"} <= set(found)
    for name, (on, off) in found.items():
        p = PARAMETERS[name]
        assert off == p.off and on != off, name
        assert p.validate(on) == on, name
        if p.switched_off:  # off by default: switched on at the centre of its plausible range
            low, high = p.plausible
            assert low <= on <= high, name
        else:
            assert on == p.default, name


@pytest.mark.parametrize("name", list(switches()))
def test_every_switch_is_declared_once_on_by_default_at_the_centre_of_its_range_and_in_sensitivity_analyses(name):
    """The contract of a mechanism's switch (ODD §4): on by default at the centre of its plausible range, off at
    ``off`` (the base model), an uncertainty like any other while on, with the parameters acting through it."""
    from dataclasses import replace

    import ecsim.params
    from ecsim.params import uncertain

    assert [q.name for q in ecsim.params._PARAMETERS].count(name) == 1
    p, (on, off) = PARAMETERS[name], switches()[name]
    if p.kind == "choice":  # a structural choice (the named technical bodies or the stand-in): on by default,
        # never an uncertainty of sensitivity analyses, and no parameter acts only through it
        assert defaults()[name] == p.default == on != off and {on, off} <= set(p.choices) and p.plausible is None
        assert name not in uncertain() and not p.inert and not [q for q in PARAMETERS.values() if q.switch == name]
        return
    low, high = p.plausible
    centre = (low + high) / 2
    assert defaults()[name] == p.default == on == (round(centre) if p.kind == "int" else pytest.approx(centre))
    assert off == p.off and p.min <= off < low and not p.switched_off
    through = [q.name for q in PARAMETERS.values() if q.switch == name]
    assert not p.inert and not any(PARAMETERS[q].inert for q in through)  # on: it and its parameters act
    found = uncertain()
    assert found[name] == (low, high) and all(found[q] == PARAMETERS[q].plausible for q in through)
    PARAMETERS[name] = replace(p, default=p.off)
    try:  # were it off by default, sensitivity analyses would leave it and its parameters out
        assert all(PARAMETERS[q].inert for q in through)
        assert not ({name, *through} & set(uncertain()))
    finally:
        PARAMETERS[name] = p
