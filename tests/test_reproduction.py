"""`ecsim reproduce --quick` builds every study's figures and report, and its key numbers do not drift;
`ecsim reproduce` finds every study script in its folder, a user's own included, in the declared order."""

from __future__ import annotations

import json

import pytest
from regression import PATH, ROOT, quick_reproduction

from ecsim.study import discover_studies


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    return results, quick_reproduction(results)


def test_every_study_writes_figures_tables_and_a_report(quick):
    results, numbers = quick
    studies = [s.name for s in discover_studies(ROOT / "experiments")]
    assert set(numbers) == set(studies) and "regime_comparison" in studies
    report = (results / "quick" / "REPORT.md").read_text()
    for name in studies:
        folder = results / "quick" / name
        pngs, pdfs = list((folder / "figures").glob("*.png")), list((folder / "figures").glob("*.pdf"))
        assert pngs and len(pdfs) == len(pngs), name
        assert list((folder / "figures").glob("*.csv")) and list((folder / "figures").glob("*.tex")), name
        for png in pngs:
            assert f"{name}/figures/{png.name}" in report or png.stem not in report  # linked figures exist
        assert numbers[name], f"{name} reports no key numbers"


def test_the_report_opens_with_every_headline_table(quick):
    """REPORT.md states the finding at the top: each study's headline table, before the first section."""
    results, _ = quick
    report = (results / "quick" / "REPORT.md").read_text()
    assert "## At a glance" in report
    glance = report.split("## At a glance", 1)[1].split("\n## ", 1)[0]
    for name in ("regime_comparison", "regime_decomposition", "scenario_discovery"):
        title = json.loads((results / "quick" / name / "report.json").read_text())["title"]
        assert f"**{title}**" in glance, name
    assert "flexible" in glance and "harm reduction" in glance


def test_the_findings_snapshot_has_the_files_and_columns_the_studies_write(quick):
    """docs/findings/ (what README and ODD quote) holds files a study still writes, with the same header."""
    results, _ = quick
    findings = ROOT / "docs" / "findings"
    snapshot = sorted(findings.glob("*/*.*"))
    assert len(snapshot) >= 10
    for path in snapshot:
        folder = results / "quick" / path.parent.name
        written = folder / path.name if path.name == "report.json" else folder / "figures" / path.name
        assert written.exists(), f"{path.relative_to(ROOT)}: the study no longer writes {path.name}"
        if path.suffix == ".csv":
            paper, quick_header = path.read_text().splitlines()[0], written.read_text().splitlines()[0]
            if path.name == "harm_reduction_by_horizon.csv":  # the quick run reaches fewer horizons
                assert paper.startswith(quick_header), path.name
            else:
                assert paper == quick_header, path.name


def test_the_decomposition_study_splits_each_gap_exactly(quick):
    """Each comparison's contributions add up to its whole gap (exact Shapley values)."""
    import pandas as pd

    results, _ = quick
    table = pd.read_csv(results / "quick" / "regime_decomposition" / "figures" / "decomposition.csv")
    assert set(table.columns) >= {"comparison", "dimension", "contribution", "ci_low", "ci_high"}
    for comparison, rows in table.groupby("comparison"):
        parts = rows.loc[rows["dimension"] != "total", "contribution"].sum()
        total = rows.loc[rows["dimension"] == "total", "contribution"].item()
        assert parts == pytest.approx(total, abs=1e-12), comparison
        assert (rows["ci_low"] <= rows["contribution"]).all() and (rows["contribution"] <= rows["ci_high"]).all()
    assert set(table["comparison"]) == {"flexible vs centralised", "flexible vs self_regulatory"}


def test_quick_reproduction_key_numbers_match_the_reference(quick):
    """Fails when a change moves the numbers; regenerate with `python tests/regression.py` on purpose."""
    _, numbers = quick
    reference = json.loads(PATH.read_text())
    assert set(numbers) == set(reference), "studies changed: regenerate the reference"
    for study, values in reference.items():
        assert set(numbers[study]) == set(values), f"{study}: key numbers changed"
        for key, value in values.items():
            assert numbers[study][key] == pytest.approx(value, rel=1e-9, abs=1e-12, nan_ok=True), (study, key)


# ---------------------------------------------------------------------------------- discovery
TOY = """
from pathlib import Path

from ecsim import analysis
from ecsim.analysis import Section
from ecsim.experiment import Experiment, Results
from ecsim.study import main

EXPERIMENT = Experiment(
    name="{name}",
    regimes=("flexible", "no_cooperation"),
    fixed={{"n_governments": 12, "n_companies": 30, "n_cso": 10, "n_technical": 4}},
    replicates=2,
    steps=12,
    seed=7,
)
QUICK = {{"replicates": 2, "steps": 12}}
{order}

def report(results: Results, figures: Path) -> Section:
    runs = analysis.paired_runs(results)
    flexible = runs[runs["regime"] == "flexible"]["harm_reduction"].mean()
    return Section(
        title="Toy study {name}",
        text=f"Mean harm reduction of the flexible regime: {{flexible:.3f}}.",
        key_numbers={{"harm_reduction[flexible]": float(flexible)}},
    )


if __name__ == "__main__":
    raise SystemExit(main(EXPERIMENT, QUICK, report))
"""


def toy_folder(folder):
    """An experiments folder with two toy studies (one declares its ORDER) and a script that is no study."""
    folder.mkdir()
    (folder / "aa_user.py").write_text(TOY.format(name="aa_user", order=""))
    (folder / "zz_user.py").write_text(TOY.format(name="zz_user", order="ORDER = 5"))
    (folder / "helper.py").write_text("def report(results, figures):\n    raise AssertionError('not a study')\n")
    (folder / "_private.py").write_text("EXPERIMENT = None\n\ndef report(results, figures): ...\n")
    return folder


def test_the_built_in_studies_keep_their_order():
    names = [s.name for s in discover_studies(ROOT / "experiments")]
    assert names == [
        "regime_comparison",
        "regime_decomposition",
        "mechanism_ablation",
        "calibrated_comparison",
        "calibrated_decomposition",
        "scenario_discovery",
        "calibrated_discovery",
        "delegation_capacity",
        "outside_option",
        "issue_mix",
        "market_concentration_monitoring",
        "scale_and_speed",
        "innovation_shock",
        "sensitivity_morris",
        "sensitivity",
    ]  # axelrod_norms.py defines no EXPERIMENT: not a study


def test_a_users_study_joins_the_report(tmp_path, capsys):
    from ecsim.cli import main

    folder = toy_folder(tmp_path / "experiments")
    assert [(s.name, s.order) for s in discover_studies(folder)] == [("zz_user", 5), ("aa_user", None)]
    argv = ["reproduce", "--serial", "--quiet", "--experiments", str(folder), "--results", str(tmp_path / "results")]
    assert main(argv) == 0
    report = (tmp_path / "results" / "REPORT.md").read_text()
    first, second = report.index("## Toy study zz_user"), report.index("## Toy study aa_user")
    assert first < second  # a declared ORDER first, the rest by name
    assert "Mean harm reduction of the flexible regime: " in report
    numbers = json.loads((tmp_path / "results" / "aa_user" / "report.json").read_text())["key_numbers"]
    value = numbers["harm_reduction[flexible]"]  # a share of the baseline's harm removed: at most 1, may be < 0
    assert value <= 1.0 and f"Mean harm reduction of the flexible regime: {value:.3f}." in report

    assert main([*argv, "--only", "aa_user"]) == 0  # resumes: nothing to run again
    report = (tmp_path / "results" / "REPORT.md").read_text()
    assert "## Toy study aa_user" in report and "zz_user" not in report


def test_only_names_a_discovered_study_or_fails_in_one_line(tmp_path, capsys):
    from ecsim.cli import main

    folder = toy_folder(tmp_path / "experiments")
    argv = ["reproduce", "--serial", "--experiments", str(folder), "--results", str(tmp_path / "results")]
    assert main([*argv, "--only", "aa_usr"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"ecsim: error: --only 'aa_usr': no such study in {folder}; did you mean 'aa_user'?"
    assert main([*argv, "--only", "helper"]) == 2  # a script without EXPERIMENT is no study
    assert "expected some of zz_user, aa_user" in capsys.readouterr().err
    (folder / "bad.py").write_text("EXPERIMENT = 1\nORDER = 'first'\ndef report(results, figures): ...\n")
    assert main(argv) == 2
    assert "bad.py: ORDER is the study's place in the report: a number" in capsys.readouterr().err
    assert not (tmp_path / "results").exists()  # nothing ran
