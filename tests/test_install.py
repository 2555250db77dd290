"""A plain install works on every supported Python: ``pip install .`` without extras, then the commands run.

For each of Python 3.11, 3.12 and 3.13 found on this machine (pyenv's versions, else ``python3.X`` on PATH;
one that is absent is skipped with its name), but the one running the tests (its case is
``tests/test_package.py``'s, from the built sdist and wheel, so that no install runs twice): a fresh virtual
environment in a temporary folder, ecsim installed into it from this checkout, non-editable and without
extras, with the venv's own pip resolving the dependencies from pyproject.toml as a user's would (pip picks
the newest Mesa the Python allows: 3.3 on 3.11, 3.5 on 3.12 and later); then ``ecsim compare --seed 1`` must
print the regime table, the same numbers as this interpreter's ecsim prints, and ``ecsim explore`` must say
in one line that the explorer is the ``[viz]`` extra; with ``.[viz]`` installed into the same environment,
the smoke suite (``tests/smoke.py``, without pytest or dev extras) must find the golden numbers, run a tiny
sweep and render the explorer headless, and ``import ecsim.viz`` (Mesa's SolaraViz, solara) must work.

What is done to keep it fast, and why it stays honest:

- pip's cache is used as usual (nothing disables it): the wheels pip builds from sdists
  (solara-assets) are reused, and so are downloads where the index's responses let pip cache them.
- ``--no-compile``: pip writes no bytecode for the ~100 packages (some 20 s of an install); Python
  compiles what the commands import, as for any module without bytecode, and keeps it
  (PYTHONDONTWRITEBYTECODE is dropped in the new environment), so ``import ecsim.viz`` reuses what
  ``ecsim compare`` compiled.
- The checkout is built from a copy of its sources (no ``.venv``, ``.git``, ``build/``, egg-info,
  caches): pip's in-tree build would write ``build/`` and egg-info into the shared work tree, race
  with a parallel case under ``pytest -n``, and package whatever stale modules an earlier build left
  in ``build/lib``; the copy is what a fresh clone builds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging  # slow: a fresh environment per Python, dependencies from the package index

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ("3.11", "3.12", "3.13")
#: Left out of the copy that is built: environments, VCS data, build output, caches, results.
NOT_COPIED = (
    ".venv",
    "venv",
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".import_linter_cache",
    ".ipynb_checkpoints",
    "results",
)
#: Where the environments are made when it has room for two at once (pytest -n 2), with margin.
SHM, SHM_NEEDED = "/dev/shm", 6 << 30
INSTALL_TIMEOUT = 1200  # s; a cold cache downloads some 300 MB per Python version
RUN_TIMEOUT = 300  # s
COMPARE = ("compare", "--seed", "1")
#: The regime table's header: it must be printed, and the rows below it must match this interpreter's.
HEADER = re.compile(r"^\s*regime\s+harm_reduction\s+cumulative_harm\b")
REGIME_ROWS = ("centralised", "flexible", "self_regulatory", "no_cooperation")


def _clean_env(bytecode: bool = False) -> dict[str, str]:
    """This process's environment without what would point a subprocess at the dev environment;
    ``bytecode``: let Python write the bytecode it compiles (the default, unless the environment says not to)."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _probe(python: str, version: str) -> bool:
    """True where ``python`` runs, is ``version`` and can make a virtual environment with pip."""
    check = f"import sys, venv, ensurepip; sys.exit(0 if '%d.%d' % sys.version_info[:2] == {version!r} else 1)"
    try:
        done = subprocess.run([python, "-c", check], capture_output=True, timeout=60, env=_clean_env())
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _patch(path: Path) -> tuple[int, ...]:
    """pyenv folder ``3.12.1`` -> (3, 12, 1); anything else (``3.12-dev``, ``3.13.0t``) sorts first."""
    parts = path.name.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else (-1,)


def find_python(version: str) -> str | None:
    """An interpreter of ``version`` ("3.12"): pyenv's newest patch release, else ``python3.12`` on PATH."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates = [
        str(folder / "bin" / f"python{version}")
        for folder in sorted(pyenv_root.glob(f"versions/{version}.*"), key=_patch, reverse=True)
        if _patch(folder) != (-1,)
    ]
    on_path = shutil.which(f"python{version}")  # may be a pyenv shim that refuses: the probe tells
    if on_path:
        candidates.append(on_path)
    return next((python for python in candidates if _probe(python, version)), None)


def _run(
    cmd: list[str], timeout: float, bytecode: bool = False, tmpdir: Path | None = None, **kwargs
) -> subprocess.CompletedProcess[str]:
    env = _clean_env(bytecode)
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, **kwargs)


def _explain(what: str, done: subprocess.CompletedProcess[str]) -> str:
    out, err = done.stdout[-4000:], done.stderr[-4000:]
    return f"{what} exited {done.returncode}\n--- stdout (end)\n{out}\n--- stderr (end)\n{err}"


def _table(output: str) -> list[str]:
    """The regime table's lines (header and one row per regime), right-stripped."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if HEADER.match(line)), None)
    assert start is not None, f"no regime table in the output:\n{output}"
    return [line.rstrip() for line in lines[start : start + 1 + len(REGIME_ROWS)]]


@pytest.fixture(scope="session")
def reference_table() -> list[str]:
    """The table this interpreter's ecsim (the checkout, the dev environment's Mesa) prints."""
    code = f"import sys; from ecsim.cli import main; sys.exit(main({list(COMPARE)!r}))"
    done = _run([sys.executable, "-c", code], RUN_TIMEOUT, cwd=ROOT)
    assert done.returncode == 0, _explain(f"{sys.executable} ecsim compare", done)
    return _table(done.stdout)


def _scratch_root() -> str | None:
    """/dev/shm where it is a writable tmpfs with room to spare, else None (the usual temporary folder)."""
    try:
        room = os.statvfs(SHM)
    except OSError:
        return None
    return SHM if room.f_bavail * room.f_frsize >= SHM_NEEDED and os.access(SHM, os.W_OK) else None


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A temporary folder removed right after the test (not pytest's tmp_path, kept for three runs:
    an environment takes about 1 GB), in memory where there is room: writing and deleting 1 GB of
    small files on a disk mounted with ``discard`` takes from seconds to most of a minute."""
    with tempfile.TemporaryDirectory(prefix="ecsim-install-", dir=_scratch_root(), ignore_cleanup_errors=True) as dir_:
        folder = Path(dir_)
        (folder / "tmp").mkdir()  # pip's own temporary files (downloads, build environments) go here too
        yield folder


@pytest.mark.parametrize("version", VERSIONS)
def test_plain_install(version: str, workdir: Path, reference_table: list[str]) -> None:
    if version == f"{sys.version_info.major}.{sys.version_info.minor}":
        pytest.skip(f"Python {version} runs the tests: tests/test_package.py installs the built wheel on it")
    python = find_python(version)
    if python is None:
        pytest.skip(
            f"Python {version} is not on this machine (neither under pyenv's versions nor python{version} on PATH)"
        )

    source = workdir / "ecsim-src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)
    venv = workdir / "venv"
    done = _run([python, "-m", "venv", str(venv)], RUN_TIMEOUT)
    assert done.returncode == 0, _explain(f"python{version} -m venv", done)
    bin_dir = venv / "bin"

    # No extras, not editable: exactly what a user's `pip install .` gets (see the module's docstring).
    pip_install = [str(bin_dir / "python"), "-m", "pip", "install", "--no-compile", str(source)]
    done = _run(pip_install, INSTALL_TIMEOUT, tmpdir=workdir / "tmp")
    assert done.returncode == 0, _explain(f"pip install . (Python {version})", done)

    mesa = _run([str(bin_dir / "python"), "-c", "from importlib.metadata import version; print(version('mesa'))"], 60)
    print(f"Python {version} ({python}): Mesa {mesa.stdout.strip()}")

    # From a folder outside the checkout, so that nothing can import ecsim from the sources.
    done = _run([str(bin_dir / "ecsim"), *COMPARE], RUN_TIMEOUT, bytecode=True, cwd=workdir)
    assert done.returncode == 0, _explain(f"ecsim compare --seed 1 (Python {version})", done)
    print(done.stdout)
    table = _table(done.stdout)
    assert [line.split()[0] for line in table[1:]] == list(REGIME_ROWS), done.stdout
    assert table == reference_table, (
        f"ecsim compare --seed 1 prints other numbers on Python {version} (Mesa {mesa.stdout.strip()}) than on "
        f"{sys.executable}:\n--- Python {version}\n"
        + "\n".join(table)
        + f"\n--- {sys.executable}\n"
        + "\n".join(reference_table)
    )

    # Without the [viz] extra the explorer says in one line what to install.
    done = _run([str(bin_dir / "ecsim"), "explore"], RUN_TIMEOUT, bytecode=True, cwd=workdir)
    assert done.returncode == 2 and 'pip install "ecsim[viz]"' in done.stderr, _explain("ecsim explore", done)
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr

    # The explorer's extra into the same environment, then the smoke suite (tests/smoke.py, no pytest and no
    # dev extras): golden numbers, a tiny sweep, the explorer headless.
    viz_install = [str(bin_dir / "python"), "-m", "pip", "install", "--no-compile", f"{source}[viz]"]
    done = _run(viz_install, INSTALL_TIMEOUT, tmpdir=workdir / "tmp")
    assert done.returncode == 0, _explain(f'pip install ".[viz]" (Python {version})', done)
    smoke = [
        str(bin_dir / "python"),
        str(source / "tests" / "smoke.py"),
        str(source / "tests" / "data" / "golden.json"),
    ]
    done = _run(smoke, RUN_TIMEOUT, bytecode=True, cwd=workdir)
    assert done.returncode == 0, _explain(f"tests/smoke.py (Python {version})", done)
    print(done.stdout)
    assert "golden numbers:" in done.stdout and "explorer: renders headless" in done.stdout, done.stdout

    # ecsim from the environment's site-packages, not from the sources.
    code = "import sys, ecsim.viz; assert ecsim.viz.__file__.startswith(sys.prefix), ecsim.viz.__file__"
    done = _run([str(bin_dir / "python"), "-c", code], RUN_TIMEOUT, bytecode=True, cwd=workdir)
    assert done.returncode == 0, _explain(f"import ecsim.viz (Python {version})", done)
