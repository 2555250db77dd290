"""`ecsim reproduce --quick` builds every study's figures and report, and its key numbers do not drift."""

from __future__ import annotations

import json

import pytest
from regression import PATH, ROOT, quick_reproduction

from ecsim.study import ORDER


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    return results, quick_reproduction(results)


def test_every_study_writes_figures_tables_and_a_report(quick):
    results, numbers = quick
    studies = [n for n in ORDER if (ROOT / "experiments" / f"{n}.py").exists()]
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


def test_quick_reproduction_key_numbers_match_the_reference(quick):
    """Fails when a change moves the numbers; regenerate with `python tests/regression.py` on purpose."""
    _, numbers = quick
    reference = json.loads(PATH.read_text())
    assert set(numbers) == set(reference), "studies changed: regenerate the reference"
    for study, values in reference.items():
        assert set(numbers[study]) == set(values), f"{study}: key numbers changed"
        for key, value in values.items():
            assert numbers[study][key] == pytest.approx(value, rel=1e-9, abs=1e-12, nan_ok=True), (study, key)
