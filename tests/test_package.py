"""The package as it is released: one version everywhere, an sdist and a wheel that hold the package,
and a wheel that installs into a fresh environment and runs.

The packaging test (marked ``packaging``, the slow one: about 35 s with a warm pip cache) builds with
``python -m build`` from a copy of the checkout: the sdist, then the wheel from the sdist (what a user
who installs from the sdist gets, and a check that the sdist is complete); the build environment is
isolated, as a release's would be (``--no-isolation`` would use the dev environment's setuptools, which
may be older than ``[build-system]`` asks for: 65 here, where 77 is needed for the licence metadata;
isolation costs some 3 s with pip's cache).  Then a fresh virtual environment of this Python, the wheel
installed into it with its dependencies resolved from the package index by pip (as in
``tests/test_install.py``, whose helpers it uses), and ``ecsim compare --seed 1`` run from its ``bin``:
the table must be the README's sample.  ``tests/test_install.py`` does the same from the source folder on
the other supported Pythons, and leaves this one's to this test.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
from test_install import INSTALL_TIMEOUT, NOT_COPIED, RUN_TIMEOUT, _explain, _run, workdir  # noqa: F401 (fixture)

from ecsim._version import __version__

ROOT = Path(__file__).resolve().parents[1]


def _citation(field: str) -> str:
    """A top-level scalar of CITATION.cff (no YAML library needed for these)."""
    found = re.search(rf"^{field}:\s*\"?([^\"\n]+?)\"?\s*$", (ROOT / "CITATION.cff").read_text(), re.M)
    assert found is not None, f"CITATION.cff has no {field}"
    return found.group(1)


def test_the_version_is_written_once_and_every_citation_names_it():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "ecsim._version.__version__"}
    assert _citation("version") == __version__, "CITATION.cff names another version than src/ecsim/_version.py"
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog
    entry = re.search(rf"^## \[{re.escape(__version__)}\] - (\d{{4}}-\d{{2}}-\d{{2}})$", changelog, re.M)
    assert entry is not None, f"CHANGELOG.md has no entry '## [{__version__}] - YYYY-MM-DD'"
    assert entry.group(1) == _citation("date-released"), "CHANGELOG.md and CITATION.cff date the version differently"
    readme = (ROOT / "README.md").read_text()
    citing = readme[readme.index("## Citing") :]
    assert f"(version {__version__})" in citing and f"/tag/v{__version__}" in citing


def test_the_project_urls_point_at_the_repository_that_citation_cff_names():
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert set(urls) == {"Homepage", "Documentation", "Source", "Issues", "Changelog"}
    repository = _citation("repository-code")
    assert all(url.startswith(repository) for url in urls.values()), urls


def _package_files() -> set[str]:
    """The files of src/ecsim that a release must carry (git's list; else the folder, without bytecode)."""
    done = subprocess.run(["git", "ls-files", "src/ecsim"], capture_output=True, text=True, cwd=ROOT)
    if done.returncode == 0 and done.stdout.strip():
        names = done.stdout.split()
    else:  # pragma: no cover - a checkout without git
        names = [p.relative_to(ROOT).as_posix() for p in (ROOT / "src" / "ecsim").rglob("*") if p.is_file()]
    return {n.removeprefix("src/") for n in names if "__pycache__" not in n and not n.endswith(".pyc")}


def _readme_compare_table() -> str:
    text = (ROOT / "README.md").read_text()
    shown = re.search(r"What `ecsim compare --seed 1` prints.*?```\n(.*?)```", text, re.S)
    assert shown is not None, "README lost its ecsim compare sample"
    return shown.group(1).strip()


@pytest.mark.packaging
def test_the_sdist_and_wheel_hold_the_package_and_the_wheel_installs_and_runs(workdir: Path) -> None:  # noqa: F811
    pytest.importorskip("build", reason="python -m build is not installed: pip install -e '.[dev]'")
    import shutil

    times: dict[str, float] = {}
    source, dist = workdir / "ecsim-src", workdir / "dist"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)

    start = time.perf_counter()
    done = _run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(source)], INSTALL_TIMEOUT, tmpdir=workdir / "tmp"
    )
    assert done.returncode == 0, _explain("python -m build", done)
    times["build"] = time.perf_counter() - start
    sdist, wheel = dist / f"ecsim-{__version__}.tar.gz", dist / f"ecsim-{__version__}-py3-none-any.whl"
    assert sdist.is_file() and wheel.is_file(), sorted(p.name for p in dist.iterdir())

    package = _package_files()
    assert "ecsim/cli/__main__.py" in package and "ecsim/_version.py" in package
    with tarfile.open(sdist) as tar:
        in_sdist = {n.removeprefix(f"ecsim-{__version__}/") for n in tar.getnames()}
    missing = sorted(f"src/{n}" for n in package if f"src/{n}" not in in_sdist)
    assert not missing, f"the sdist lacks {missing[:5]}"
    for name in ("README.md", "LICENSE", "pyproject.toml", "CHANGELOG.md", "CITATION.cff"):
        assert name in in_sdist, f"the sdist lacks {name}"
    assert not any(n.startswith("tests/") for n in in_sdist), "the sdist carries part of tests/"
    with zipfile.ZipFile(wheel) as whl:
        in_wheel = set(whl.namelist())
        info = f"ecsim-{__version__}.dist-info"
        metadata = whl.read(f"{info}/METADATA").decode()
        entry_points = whl.read(f"{info}/entry_points.txt").decode()
    missing = sorted(package - in_wheel)
    assert not missing, f"the wheel lacks {missing[:5]}"
    assert f"\nVersion: {__version__}\n" in metadata
    assert "Project-URL: Source, https://" in metadata and "Project-URL: Changelog, https://" in metadata
    assert "ecsim = ecsim.cli:main" in entry_points

    venv = workdir / "venv"
    start = time.perf_counter()
    done = _run([sys.executable, "-m", "venv", str(venv)], RUN_TIMEOUT)
    assert done.returncode == 0, _explain("python -m venv", done)
    bin_dir = venv / "bin"
    # The dependencies resolved by pip from the package index, as for a user (its cache makes repeats fast).
    pip_install = [str(bin_dir / "python"), "-m", "pip", "install", "--no-compile", str(wheel)]
    done = _run(pip_install, INSTALL_TIMEOUT, tmpdir=workdir / "tmp")
    assert done.returncode == 0, _explain("pip install the wheel", done)
    times["install"] = time.perf_counter() - start

    # From a folder outside the checkout, so that nothing can import ecsim from the sources.
    start = time.perf_counter()
    done = _run([str(bin_dir / "ecsim"), "--version"], RUN_TIMEOUT, cwd=workdir)
    assert done.stdout == f"ecsim {__version__}\n", _explain("ecsim --version", done)
    done = _run([str(bin_dir / "ecsim"), "compare", "--seed", "1"], RUN_TIMEOUT, bytecode=True, cwd=workdir)
    assert done.returncode == 0, _explain("ecsim compare --seed 1 (from the wheel)", done)
    table = done.stdout.split("\n\n", 1)[1].strip()  # after the header, whose first line carries the time
    assert table == _readme_compare_table(), f"the installed wheel prints another table than README's:\n{table}"
    # The wheel without extras holds the explorer's code but not its packages (the [viz] extra): it says so.
    done = _run([str(bin_dir / "python"), "-c", "import ecsim.viz"], RUN_TIMEOUT, bytecode=True, cwd=workdir)
    assert done.returncode != 0 and 'pip install "ecsim[viz]"' in done.stderr, _explain("import ecsim.viz", done)
    times["run"] = time.perf_counter() - start
    print("packaging: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()))
