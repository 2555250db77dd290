"""The notebooks in notebooks/: committed as source only, executed by ``make test``.

Executing them is the documentation build's job: the site's tutorials are these notebooks, run top to
bottom in a fresh kernel when the site is built (mkdocs-jupyter; tests/test_docs_site.py).  This file checks what
execution cannot: that what is committed carries no outputs, execution counts or widget state
(outputs bloat diffs, go stale when the model changes and leak local paths), that each notebook
has its parameter cell and draws no unseeded random numbers, and that the wiring is in place.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = ("01_explore_a_run.ipynb", "02_compare_regimes.ipynb", "03_sensitivity.ipynb")
STRIP_HINT = (
    "strip them before committing: in Jupyter, Edit > Clear Outputs of All Cells, then save; "
    "or `jupyter nbconvert --clear-output --inplace notebooks/*.ipynb`"
)
# Global-state draws: np.random.<function>(...) other than building a seeded generator, and the random module.
GLOBAL_RANDOM = re.compile(
    r"np\.random\.(?!default_rng\b|SeedSequence\b|Generator\b|PCG64\b)\w+\s*\("
    r"|^\s*(import random\b|from random import)",
    re.MULTILINE,
)


def stripping_problems(nb: dict[str, Any]) -> list[str]:
    """What keeps a notebook from being committed as source only (empty when it is clean)."""
    problems = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {i} has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {i} has execution_count {cell['execution_count']}")
    if "widgets" in nb.get("metadata", {}):
        problems.append("metadata holds saved widget state")
    return problems


def _code(nb: dict[str, Any]) -> list[tuple[int, dict[str, Any], str]]:
    return [(i, c, "".join(c["source"])) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


def test_the_notebooks_are_there() -> None:
    assert set(EXPECTED) <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    problems = stripping_problems(json.loads(path.read_text()))
    assert not problems, f"{path.name}: {'; '.join(problems)}; {STRIP_HINT}"


def test_the_stripping_check_catches_an_executed_notebook() -> None:
    executed = {
        "cells": [
            {"cell_type": "markdown", "source": ["# title"]},
            {"cell_type": "code", "source": ["1 + 1"], "execution_count": 3, "outputs": [{"output_type": "x"}]},
            {"cell_type": "code", "source": ["pass"], "execution_count": None, "outputs": []},
        ],
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {}}},
    }
    assert stripping_problems(executed) == [
        "cell 1 has outputs",
        "cell 1 has execution_count 3",
        "metadata holds saved widget state",
    ]
    executed["cells"][1].update(outputs=[], execution_count=None)
    del executed["metadata"]["widgets"]
    assert stripping_problems(executed) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid_and_runs_in_the_project_kernel(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_a_parameter_cell_near_the_top(path: Path) -> None:
    code = _code(json.loads(path.read_text()))
    tagged = [i for i, c, _ in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: expected one code cell tagged 'parameters', found {len(tagged)}"
    assert tagged[0] == code[0][0], f"{path.name}: the parameter cell should be the first code cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_draws_no_unseeded_random_numbers(path: Path) -> None:
    for i, _, source in _code(json.loads(path.read_text())):
        match = GLOBAL_RANDOM.search(source)
        assert match is None, f"{path.name}, cell {i}: {match.group(0)!r} uses global random state; pass a seed"


def test_global_random_pattern() -> None:
    assert GLOBAL_RANDOM.search("x = np.random.normal(size=3)")
    assert GLOBAL_RANDOM.search("import random\n")
    assert not GLOBAL_RANDOM.search("rng = np.random.default_rng(SEED)")


def test_make_test_executes_the_notebooks() -> None:
    """The site's build runs every notebook (executed, errors fatal, never from a cache), and every one is a page."""
    config = (ROOT / "mkdocs.yml").read_text()
    plugin = re.search(r"  - mkdocs-jupyter:\n((?:      .*\n)+)", config).group(1)
    assert "execute: true" in plugin and "allow_errors: false" in plugin and "cache: false" in plugin
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in config, f"{path.name} is not a page of the site"
