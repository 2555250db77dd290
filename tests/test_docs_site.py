"""The documentation site builds, strictly, with every page; its tutorials run; its how-to guides' code runs.

The build (``mkdocs build --strict``, as ``make docs``) executes the three notebooks as its tutorials
(mkdocs-jupyter, ``allow_errors: false``): this is where ``make test`` runs them, once.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs", reason="the documentation tools are the [docs] extra (make test installs them)")

ROOT = Path(__file__).resolve().parents[1]
#: The pages with Python to run (the SLURM guide's need a cluster: they are shown as text).
HOWTO = [
    p
    for p in [ROOT / "docs" / "getting-started.md", *sorted((ROOT / "docs" / "howto").glob("*.md"))]
    if "```python" in p.read_text()
]
BUILD_TIMEOUT = 900  # s: a notebook that hangs fails the build instead of blocking the suite


def _hooks():
    spec = importlib.util.spec_from_file_location("ecsim_docs_hooks", ROOT / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mkdocs(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        env=env,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    built = _mkdocs("build", "--strict", "--site-dir", str(out), cwd=ROOT)
    assert built.returncode == 0, built.stderr[-4000:]
    return out


def _html(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


def test_every_page_of_the_navigation_is_built(site):
    nav = re.findall(r":\s*([\w./-]+\.(?:md|ipynb))\s*$", (ROOT / "mkdocs.yml").read_text(), re.M)
    nav += re.findall(r"^\s*-\s*([\w./-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), re.M)
    assert len(nav) >= 20
    for source in nav:
        page = re.sub(r"\.(md|ipynb)$", "", source)
        page = "" if page == "index" else page.removesuffix("/index")
        assert (site / page / "index.html").exists(), source


def test_the_home_page_is_the_readme_with_links_that_work_on_the_site(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "agent-based simulation of enhanced cooperation" in home
    assert 'href="ODD/"' in home  # docs/ODD.md in the README -> the ODD's page
    assert "https://github.com/ecsim/ecsim/blob/main/experiments/README.md" in home  # a file outside docs/


def test_the_tutorials_are_the_notebooks_executed_with_their_figures(site):
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = _html(site, f"notebooks/{notebook.stem}")
        assert page.count("data:image/png") >= 1, f"{notebook.name}: no figure drawn"
        assert "Traceback" not in page, f"{notebook.name}: a cell failed"
        committed = json.loads(notebook.read_text())
        assert all(not c.get("outputs") for c in committed["cells"] if c["cell_type"] == "code")  # outputs: the build's


def test_the_api_reference_is_generated_from_the_docstrings(site):
    model = _html(site, "reference/model")
    assert 'id="ecsim.model.model.EnhancedCooperationModel"' in model
    assert "Sphinx" not in model and ":class:<code>" not in model  # roles rendered as code names
    for page in ("params", "experiment", "analysis", "plots", "games"):
        assert "doc-object" in _html(site, f"reference/{page}"), page


def test_the_gallery_shows_every_figure_of_the_findings(site):
    gallery = _html(site, "gallery")
    for png in (ROOT / "docs" / "findings").glob("*/*.png"):
        assert f"findings/{png.parent.name}/{png.name}" in gallery, png
        assert (site / "findings" / png.parent.name / png.name).exists()


def test_a_notebook_that_fails_fails_the_build(tmp_path):
    """What makes the build a test of the notebooks: an error in a cell is not rendered, it stops the build."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# index\n")
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": "1 / 0"}
    notebook = {
        "cells": [cell],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "docs" / "broken.ipynb").write_text(json.dumps(notebook))
    config = (ROOT / "mkdocs.yml").read_text()
    plugin = re.search(r"  - mkdocs-jupyter:\n(?:      .*\n)+", config).group(0)
    (tmp_path / "mkdocs.yml").write_text(f"site_name: t\nstrict: true\nplugins:\n{plugin}")
    built = _mkdocs("build", cwd=tmp_path)
    assert built.returncode != 0
    assert "ZeroDivisionError" in built.stderr


def test_links_of_repository_pages_are_rewritten_for_the_site():
    rewrite = _hooks().rewrite_links
    url = "https://github.com/ecsim/ecsim"
    text = "[ODD](docs/ODD.md) [x](experiments/README.md) [f](docs/findings/) [w](https://a.b) [s](#top) "
    text += "![i](docs/img/e.png)"
    assert rewrite(text, url) == (
        f"[ODD](ODD.md) [x]({url}/blob/main/experiments/README.md) [f]({url}/tree/main/docs/findings/) "
        "[w](https://a.b) [s](#top) ![i](img/e.png)"
    )


@pytest.mark.parametrize("page", HOWTO, ids=lambda p: p.stem)
def test_the_code_of_each_how_to_guide_runs(page, tmp_path):
    """Each page's Python blocks, in order, in a fresh interpreter (a study's block: as the study script it is)."""
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), re.S)
    if any("from ecsim.study import main" in b for b in blocks):
        (script,) = blocks
        (tmp_path / "experiments").mkdir()
        path = tmp_path / "experiments" / "example_study.py"
        path.write_text(script)
        args = [sys.executable, str(path), "--quick", "--serial", "--quiet"]
        out = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr[-3000:]
        assert (tmp_path / "results" / "quick" / "monitoring_capacity" / "report.md").exists()
        return
    out = subprocess.run(
        [sys.executable, "-c", "\n\n".join(blocks)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]
