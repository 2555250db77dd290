"""Validation against empirical patterns (issue 15): the table, each statistic on known inputs, the runs, the command.

Each statistic is a pure function of a run's outputs (summary, metrics, issue log): built-by-hand issue logs with
known votes, attempts, dates and laws give the known number.  Runs use the small scenario of conftest (a few
seconds each); the README's sample of ``ecsim validate --quick`` is checked in test_docs.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL

from ecsim import cli
from ecsim.model.model import EnhancedCooperationModel
from ecsim.validation import PATTERNS, Pattern, RunOutput, accepts, distance, patterns, validate
from ecsim.validation.facts import (
    BY_KEY,
    _clopper_pearson,
    consensus_failure_share,
    national_law_share,
    treaty_months,
    vote_share_for,
)

COLUMNS = ["key", "name", "source", "target", "tolerance", "statistic", "observes", "regime", "use"]


def issue(**fields: object) -> dict:
    """One row of an issue log: a decided issue at the central forum unless told otherwise."""
    row = {
        "venue": "central_forum",
        "category": "international",
        "outcome": "adopted",
        "returns": 0,
        "votes_for": -1,
        "votes_against": -1,
        "queued_at": 1,
        "agreed_at": -1,
        "states_bound": 0.0,
    }
    return row | fields


def output(*rows: dict) -> RunOutput:
    return RunOutput(summary={}, metrics=pd.DataFrame(), issue_log=pd.DataFrame(list(rows)))


# ---------------------------------------------------------------------------------------------- the table
def test_the_table_has_every_column_and_at_least_four_patterns_one_held_out():
    table = patterns()
    assert set(COLUMNS) <= set(table.columns)
    assert len(table) >= 4 and table["key"].is_unique
    assert (table["use"] == "held out").sum() == 1
    assert set(table["use"]) == {"calibration", "held out"}
    for p in PATTERNS:
        low, high = p.target_interval
        assert p.accept[0] <= low <= high <= p.accept[1], p.key  # the target lies within what is accepted


@pytest.mark.parametrize(("key", "successes", "n"), [("wgec", 2, 2), ("wcit", 89, 144)])
def test_tolerances_from_counts_are_their_exact_binomial_intervals(key, successes, n):
    assert BY_KEY[key].accept == _clopper_pearson(successes, n)


def test_the_wcit_target_is_89_of_144():
    assert BY_KEY["wcit"].target == pytest.approx(89 / 144, abs=5e-4)


# ---------------------------------------------------------------------------------------------- statistics
def test_vote_share_of_a_treaty_adopted_by_89_of_144():
    out = output(
        issue(votes_for=89, votes_against=55),
        issue(outcome="failed", votes_for=10, votes_against=134),  # not adopted: no treaty
        issue(category="national", votes_for=1, votes_against=143),  # outside the forum's remit
        issue(venue="multilateral_forum", votes_for=1, votes_against=1),  # another venue
    )
    assert vote_share_for(out) == pytest.approx(89 / 144)
    assert vote_share_for(output(issue(votes_for=60, votes_against=40), issue(votes_for=3, votes_against=1))) == 0.675


def test_consensus_failures_count_every_attempt():
    out = output(
        issue(outcome="adopted", returns=1),  # failed once, then agreed: 2 attempts, 1 failure
        issue(outcome="failed", returns=2),  # failed three times: 3 attempts, 3 failures
        issue(outcome="negotiating", returns=1),  # failed once, at the table again: 1 attempt ended, 1 failure
        issue(outcome="queued"),  # nothing ended yet
        issue(category="national", outcome="failed"),  # outside the forum's remit
        issue(venue="multilateral_forum", outcome="failed"),  # another venue
    )
    assert consensus_failure_share(out) == pytest.approx(5 / 6)
    assert math.isnan(consensus_failure_share(output(issue(outcome="queued"))))


def test_treaty_months_count_from_the_mandate_to_adoption():
    out = output(
        issue(queued_at=10, agreed_at=69),  # 60 months, both ends counted
        issue(venue="multilateral_forum", queued_at=0, agreed_at=47),  # 48
        issue(venue="new_forum_international", queued_at=5, agreed_at=58),  # 54
        issue(category="corporate_harm", queued_at=0, agreed_at=5),  # not an international issue
        issue(outcome="failed", queued_at=0, agreed_at=-1),  # no treaty
        issue(venue="national_legislatures", queued_at=0, agreed_at=6),  # a national law
    )
    assert treaty_months(out) == pytest.approx(54.0)
    assert math.isnan(treaty_months(output(issue(outcome="failed"))))


def test_national_law_share_counts_a_failed_issue_as_no_law():
    leg = "national_legislatures"
    out = output(
        issue(venue=leg, states_bound=0.7),
        issue(venue=leg, category="corporate_harm", states_bound=0.5),
        issue(venue=leg, outcome="failed"),  # nobody legislated: 0
        issue(venue=leg, outcome="negotiating"),  # still deciding: left out
        issue(venue=leg, category="national", states_bound=1.0),  # one jurisdiction: left out
        issue(states_bound=0.9),  # a forum's norm, not national law
    )
    assert national_law_share(out) == pytest.approx(0.4)


# ---------------------------------------------------------------------------------------------- distance
def test_distance_is_zero_on_target_one_at_the_edge_and_infinite_without_a_measurement():
    wcit, treaty, wgec = BY_KEY["wcit"], BY_KEY["treaty"], BY_KEY["wgec"]
    assert distance(wcit, wcit.target) == 0.0
    assert distance(wcit, wcit.accept[0]) == pytest.approx(1.0) and accepts(wcit, wcit.accept[0])
    assert distance(wcit, wcit.accept[1]) == pytest.approx(1.0)
    assert not accepts(wcit, 0.5) and not accepts(wcit, 0.75)
    assert distance(treaty, 50.0) == 0.0 and distance(treaty, 30.0) == pytest.approx(1.5)
    assert distance(treaty, 66.0) == pytest.approx(0.5)
    assert accepts(wgec, 0.2) and not accepts(wgec, 0.1)
    assert math.isinf(distance(wcit, math.nan)) and not accepts(wcit, math.nan)


def test_a_point_target_without_room_above_accepts_nothing_above():
    p = Pattern("p", "p", "p", "s", 1.0, (0.5, 1.0), "t", "u", "flexible", "o", vote_share_for, lambda o: pd.Series())
    assert distance(p, 1.0) == 0.0 and math.isinf(distance(p, 1.1))


# ---------------------------------------------------------------------------------------------- real runs
@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.key)
def test_statistics_of_a_small_real_run_are_finite_and_in_range(pattern):
    model = EnhancedCooperationModel(pattern.regime, rng=2, **SMALL, **pattern.fixed).run()
    out = RunOutput.of(model)
    value, items = pattern.statistic(out), pattern.items(out)
    assert math.isfinite(value) and len(items) > 0
    if pattern.unit == "months":
        assert 1.0 <= value <= SMALL["steps"] and (items >= 1).all()
    else:
        assert 0.0 <= value <= 1.0 and items.between(0, 1).all()
    if pattern.key != "wgec":  # the per-issue values are what the statistic averages
        assert value == pytest.approx(items.mean())


def test_validate_runs_every_pattern_on_paired_seeds():
    v = validate(replicates=2, params=SMALL, seed=3)
    assert list(v.table["key"]) == [p.key for p in PATTERNS]
    assert (v.table["n"] == 2).all() and v.table["mean"].map(math.isfinite).all()
    seeds = v.runs.groupby("replicate")["seed"].nunique()
    assert (seeds == 1).all() and v.runs["seed"].nunique() == 2  # replicate r: one seed in every setting
    assert v.table["passed"].dtype == bool
    assert np.allclose(
        v.table["distance"], [distance(BY_KEY[k], m) for k, m in zip(v.table["key"], v.table["mean"], strict=True)]
    )
    again = validate(replicates=2, params=SMALL, seed=3)
    pd.testing.assert_frame_equal(v.table, again.table)  # same seed, same numbers


# ---------------------------------------------------------------------------------------------- the command
TINY = ["--set", "n_governments=40", "--set", "n_companies=80", "--set", "n_cso=40", "--set", "n_technical=8"]


def test_ecsim_validate_quick_prints_every_pattern(capsys):
    assert cli.main(["validate", "--quick", "--replicates", "2", "--steps", "60", *TINY]) == 0
    out = capsys.readouterr().out
    assert "scenario: defaults (uncalibrated); quick" in out
    for p in PATTERNS:
        assert p.label in out
    assert out.count("(held out)") == 1 and "calibration patterns pass" in out


def test_ecsim_validate_out_writes_the_report_and_a_figure_per_pattern(tmp_path, capsys):
    out = tmp_path / "VALIDATION.md"
    assert cli.main(["validate", "--replicates", "2", "--steps", "60", *TINY, "--out", str(out)]) == 0
    text = out.read_text()
    assert "defaults (uncalibrated)" in text and "ecsim validate --replicates 2 --steps 60" in text
    for p in PATTERNS:
        assert (tmp_path / "img" / f"validation_{p.key}.png").stat().st_size > 0
        assert f"img/validation_{p.key}.png" in text


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--replicates", "0"], "--replicates"),
        (["--replicates", "two"], "--replicates"),
        (["--workers", "-1"], "--workers"),
        (["--seed", "-3"], "--seed"),
        (["--scenario", "calibrateed"], "--scenario"),  # a misspelt name: one line, with the names there are
        (["--out", "report.txt"], "--out"),
        (["--set", "nonsense=1"], "--set"),
    ],
)
def test_bad_options_give_one_line_naming_the_option(argv, named, capsys):
    try:
        status = cli.main(["validate", *argv])
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    assert status == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and named in err and "Traceback" not in err
