"""The `ecsim` command as a user meets it: help, runs, tables, and one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

from ecsim import REGIMES
from ecsim.params import PARAMETERS


def ecsim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ecsim.cli", *args], capture_output=True, text=True, timeout=120)


def test_help_lists_the_commands():
    out = ecsim("--help")
    assert out.returncode == 0
    commands = ("run", "compare", "sweep", "export", "plot", "reproduce", "explore", "store", "params", "metrics")
    for command in commands:
        assert re.search(rf"^    {command}\b", out.stdout, re.M), command
    for command in ("run", "compare", "params", "metrics", "export", "plot"):
        assert ecsim(command, "--help").returncode == 0


@pytest.mark.parametrize("regime", list(REGIMES))
def test_run_every_regime_and_write_the_tidy_table(regime, tmp_path):
    out = tmp_path / f"{regime}.parquet"
    result = ecsim(
        "run",
        "--regime",
        regime,
        "--seed",
        "7",
        "--steps",
        "24",
        "--set",
        "n_companies=80",
        "--set",
        "issue_mix=national:1,corporate_harm:2",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert f"regime {regime}, seed 7, 24 steps" in result.stdout and "cumulative_harm" in result.stdout
    df = pd.read_parquet(out)
    assert len(df) == 25 and df["step"].tolist() == list(range(25))
    assert (df["regime"] == regime).all() and (df["seed"] == "7").all()
    assert (df["n_companies"] == 80).all() and (df["issue_mix_corporate_harm"] == 2.0).all()
    for name in PARAMETERS:
        assert name in df.columns or f"{name}_national" in df.columns


def test_compare_prints_every_regime():
    result = ecsim("compare", "--seed", "2", "--steps", "24")
    assert result.returncode == 0, result.stderr
    for regime in REGIMES:
        assert regime in result.stdout
    assert "harm_reduction" in result.stdout


def test_params_prints_every_parameter():
    result = ecsim("params")
    assert result.returncode == 0
    for name in PARAMETERS:
        assert name in result.stdout
    assert ecsim("params", "--markdown").stdout.startswith("| name | default |")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--set", "issue_rat=2"], "unknown parameter 'issue_rat'"),
        (["run", "--set", "issue_rate=-1"], "issue_rate=-1.0 is out of range: expected a number in [0, 50]"),
        (["run", "--set", "n_companies=abc"], "n_companies='abc' cannot be read"),
        (["run", "--set", "decision_rule=vote"], "decision_rule='vote' is not allowed"),
        (["run", "--set", "issue_mix=cyber:1"], "issue_mix has an unknown category 'cyber'"),
        (["run", "--set", "issue_rate"], "expected NAME=VALUE"),
        (["run", "--regime", "anarchy"], "argument --regime: invalid choice: 'anarchy'"),
        (["run", "--seed", "-1"], "argument --seed: '-1' is not a non-negative integer"),
        (["run", "--steps", "0"], "steps=0 is out of range"),
        (["run", "--out", "/no/such/folder/x.parquet"], "the folder /no/such/folder does not exist"),
        (["run", "--out", "table.xlsx"], "must end in .parquet or .csv"),
        (["compare", "--regimes", "flexible,anarchy"], "regime='anarchy' is not allowed"),
        (["fly"], "invalid choice: 'fly'"),
    ],
)
def test_user_mistakes_give_one_line_and_exit_2(args, message):
    result = ecsim(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_metrics_prints_every_declared_metric_with_its_unit_and_meaning():
    from ecsim.model.metrics import DECLARED

    result = ecsim("metrics")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for metric in DECLARED:
        head = next(i for i, line in enumerate(lines) if line.startswith(f"{metric.name}  (unit: {metric.unit};"))
        assert lines[head + 1].strip() == metric.meaning
    assert any(line.startswith("harm_reduction  (unit: share;") for line in lines)
    table = ecsim("metrics", "--markdown").stdout.splitlines()
    assert table[0].startswith("| name | unit |")
    assert [row.split("`")[1] for row in table[2:]] == [*(m.name for m in DECLARED), "harm_reduction"]


def test_explore_without_the_viz_extra_says_what_to_install(monkeypatch, capsys):
    """A plain install lacks the explorer's packages (the [viz] extra): one line, no traceback, nothing served."""
    import importlib.util

    from ecsim.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "solara" else real(name, *a))
    assert main(["explore"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'pip install "ecsim[viz]"' in err and "solara" in err
