"""The layers hold: light imports stay light, public names load on first use, the contract passes.

``import ecsim`` and ``import ecsim.model`` import no other module of their own, and the public
names of ``ecsim``, ``ecsim.model``, ``ecsim.experiment`` and ``ecsim.analysis`` load on first use
(PEP 562 ``__getattr__``); the ``ecsim`` command parses its options and answers ``--help`` and
``--version`` without Mesa, pandas, SciPy or the experiment stack; and import-linter's
contracts in pyproject.toml (``[tool.importlinter]``) pass.  Each import check runs in a
fresh interpreter, where nothing has been imported yet.

Mesa 3.3's own ``import mesa`` imports tqdm (``mesa.batchrunner``), pandas, SciPy and
pyarrow: once a program uses the model they load, whatever ecsim does; the point here is
that nothing loads them before.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

#: Libraries that no light import may load.
HEAVY = ("mesa", "pandas", "scipy", "pyarrow", "duckdb", "dask", "distributed", "SALib", "matplotlib", "tqdm", "solara")
#: The layers above the model.
UPPER = (
    "ecsim.experiment",
    "ecsim.analysis",
    "ecsim.plots",
    "ecsim.validation",
    "ecsim.viz",
    "ecsim.study",
    "ecsim.cli",
)
#: What the ``ecsim`` command may not load before a command needs it: the model, the layers
#: above it (but the command itself) and the libraries the model and the sweeps bring.
NOT_FOR_PARSING = ("mesa", "pandas", "scipy", "pyarrow", "ecsim.model.model", *UPPER[:-1])


def within(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    """The modules that are one of ``packages`` or inside one."""
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


def python(code: str) -> str:
    """Run ``code`` in a fresh interpreter; its last line of output."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def loaded_by(statement: str) -> set[str]:
    """The modules loaded in a fresh interpreter after ``statement``."""
    return set(json.loads(python(f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))")))


@pytest.mark.parametrize(
    ("statement", "own"),
    [("import ecsim", ["ecsim"]), ("import ecsim.model", ["ecsim", "ecsim._lazy", "ecsim.model"])],
)
def test_importing_the_package_loads_no_other_module_and_no_heavy_library(statement, own):
    modules = loaded_by(statement)
    assert within(modules, HEAVY) == [], f"{statement} loaded heavy libraries"
    assert within(modules, ("ecsim",)) == own, f"{statement} loaded more of ecsim than {own}"


def test_regimes_and_metrics_load_without_mesa():
    modules = loaded_by("import ecsim.model.regimes, ecsim.model.metrics")
    assert within(modules, ("mesa", "pandas", "scipy", "ecsim.model.model", *UPPER)) == []


def test_public_names_load_on_first_use():
    code = """
import importlib, json, sys
import ecsim, ecsim.analysis, ecsim.experiment, ecsim.model

packages = {
    ecsim: {"EnhancedCooperationModel": "ecsim.model.model", "load_results": "ecsim.experiment.store"},
    ecsim.model: {"EnhancedCooperationModel": "ecsim.model.model", "REGIMES": "ecsim.model.regimes"},
    ecsim.experiment: {"Experiment": "ecsim.experiment.spec", "load_results": "ecsim.experiment.store"},
    ecsim.analysis: {"mean_ci": "ecsim.analysis.stats", "Section": "ecsim.analysis.report"},
}
# before any name is used: none is loaded yet, all are listed by dir()
report = {
    package.__name__: {
        "eager": sorted(name for name in package.__all__ if name in vars(package)),
        "unlisted": sorted(set(package.__all__) - set(dir(package))),
        "unexported": sorted(set(package._LAZY) ^ set(package.__all__)),
    }
    for package in packages
}
for package, defining in packages.items():
    report[package.__name__]["same"] = all(
        getattr(package, n) is getattr(importlib.import_module(m), n) for n, m in defining.items()
    )
report["resolve"] = {
    f"{package.__name__}.{name}": getattr(package, name) is not None
    for package in packages
    for name in package.__all__
}
report["version"] = ecsim.__version__
from ecsim.model import metrics  # a submodule, not a lazy name
report["submodule"] = metrics is sys.modules["ecsim.model.metrics"]
print(json.dumps(report))
"""
    report = json.loads(python(code))
    for package in ("ecsim", "ecsim.model", "ecsim.experiment", "ecsim.analysis"):
        assert report[package] == {"eager": [], "unlisted": [], "unexported": [], "same": True}, package
    assert all(report["resolve"].values()) and report["submodule"]
    assert report["version"] == version("ecsim")


@pytest.mark.parametrize("package", ["ecsim", "ecsim.model", "ecsim.experiment", "ecsim.analysis"])
def test_an_unknown_name_is_an_attribute_error_that_points_to_all(package):
    module = importlib.import_module(package)
    message = f"module '{package}' has no attribute 'nonesuch' (its public names: {package}.__all__)"
    with pytest.raises(AttributeError, match=re.escape(message)):
        module.nonesuch  # noqa: B018


def imported_by_command(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``ecsim ARGS`` under ``python -X importtime``; the result and every module it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "ecsim.cli", *args], capture_output=True, text=True, timeout=300
    )
    names = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    return result, names - {"imported package"}


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_load_no_model_and_no_experiment_stack(option):
    result, modules = imported_by_command(option)
    assert result.returncode == 0
    assert "ecsim.params" in modules  # the parse of importtime's output found the modules
    assert within(modules, NOT_FOR_PARSING) == []
    if option == "--version":
        assert result.stdout == f"ecsim {version('ecsim')}\n"
    else:
        assert "usage: ecsim" in result.stdout and "sweep" in result.stdout


def test_a_command_loads_what_it_uses_when_it_runs():
    """``ecsim params`` needs no model; the sweep's and the study's options appear when their command is used."""
    result, modules = imported_by_command("params")
    assert result.returncode == 0 and "issue_rate" in result.stdout
    assert within(modules, NOT_FOR_PARSING) == []
    for command, options in {
        "sweep": ("--replicates", "--max-runs", "--out"),
        "reproduce": ("--only", "--quick"),
    }.items():
        result, modules = imported_by_command(command, "--help")
        assert result.returncode == 0, result.stderr
        assert all(option in result.stdout for option in options), command
        assert "ecsim.experiment.cli" in modules


def lint_imports() -> str | None:
    beside = Path(sys.executable).parent / "lint-imports"
    return str(beside) if beside.exists() else shutil.which("lint-imports")


def test_the_layer_contract_holds():
    tool = lint_imports()
    if tool is None:
        pytest.skip("lint-imports (import-linter) is not installed: pip install -e '.[dev]'")
    result = subprocess.run([tool, "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


#: The model's modules stay under about 300 lines and its functions under about 40 lines of code (docstrings
#: apart), so that each reads as one mechanism; these are larger, each for the reason given (docs/ARCHITECTURE.md).
MODULE_LINES, FUNCTION_LINES = 300, 40
LARGER_MODULES = {
    "negotiation.py": (400, "one struct of arrays (the open negotiations) that the round and red lines write"),
    "regimes.py": (330, "the declared regimes, their routings and consultations: data read top to bottom"),
    "model.py": (320, "the schedule: one short method per stage"),
}
LONGER_FUNCTIONS = {
    ("ledger.py", "__init__"): (62, "declares the ledger's arrays, one per line"),
    ("ledger.py", "log"): (54, "declares the issue log's columns, one per line"),
    ("negotiation.py", "open"): (48, "one negotiation's row of the table, a column per line"),
    ("norms.py", "adopt"): (46, "the norm's fields, one per line, into its constructor"),
    ("accounting.py", "step_metrics"): (44, "the step's metrics, one per line"),
}


def code_lines(function: ast.FunctionDef) -> int:
    """Lines of a function without its docstring."""
    lines = function.end_lineno - function.lineno + 1
    first = function.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        lines -= first.end_lineno - first.lineno + 1
    return lines


def test_the_models_modules_and_functions_stay_small_or_say_why():
    too_big = []
    for path in sorted((ROOT / "src" / "ecsim" / "model").glob("*.py")):
        text = path.read_text()
        limit = LARGER_MODULES.get(path.name, (MODULE_LINES, ""))[0]
        if len(text.splitlines()) > limit:
            too_big.append(f"{path.name}: {len(text.splitlines())} lines > {limit}")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef):
                limit = LONGER_FUNCTIONS.get((path.name, node.name), (FUNCTION_LINES, ""))[0]
                if code_lines(node) > limit:
                    too_big.append(f"{path.name}: {node.name} has {code_lines(node)} lines of code > {limit}")
    assert too_big == [], "split it, or add it to LARGER_MODULES / LONGER_FUNCTIONS with the reason"
