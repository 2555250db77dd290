"""The documentation stays true to the code: README's Python examples run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


MAIN_GUARD = 'if __name__ == "__main__":'


def readme_python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_readme_python_examples_run(tmp_path, monkeypatch):
    """Every Python block runs as written, as in Jupyter (those with a ``__main__`` guard as scripts, below)."""
    monkeypatch.chdir(tmp_path)  # examples write to results/
    blocks = readme_python_blocks()
    assert len(blocks) >= 2
    for block in blocks:
        if MAIN_GUARD not in block:
            exec(compile(block, "README.md", "exec"), {})


def test_readme_examples_that_start_worker_processes_work_as_scripts(tmp_path):
    """Saved as a file and run, a block that starts worker processes needs the ``__main__`` guard (the
    workers import the script again): it has one, runs as a script, and its sweep stores every run."""
    from ecsim.experiment import load_results

    blocks = readme_python_blocks()
    assert any("ProcessExecutor(" in b for b in blocks), "README lost its ProcessExecutor example"
    for i, block in enumerate(b for b in blocks if MAIN_GUARD in b or "ProcessExecutor(" in b):
        assert MAIN_GUARD in block, "a README block that starts worker processes lacks the __main__ guard"
        folder = tmp_path / f"block_{i}"
        folder.mkdir()
        (folder / "example.py").write_text(block)
        out = subprocess.run([sys.executable, "example.py"], capture_output=True, text=True, timeout=600, cwd=folder)
        assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
        if "ProcessExecutor(" in block:
            assert "runs completed, 0 failed" in out.stdout, out.stdout + out.stderr
            for store in (folder / "results").iterdir():
                assert load_results(store, steps=False).failed.empty, f"{store}: runs failed"


def test_readme_shows_the_two_commands_first():
    text = (ROOT / "README.md").read_text()
    first_block = text.index("```bash")
    assert "make run" in text[first_block : first_block + 200] and "make test" in text[first_block : first_block + 200]


def test_readme_shows_what_ecsim_compare_prints():
    """The README's sample output is the command's, so it cannot go stale (copy the table from the failure)."""
    text = (ROOT / "README.md").read_text()
    shown = re.search(r"What `ecsim compare --seed 1` prints.*?```\n(.*?)```", text, re.S)
    assert shown is not None, "README lost its ecsim compare sample"
    out = subprocess.run(
        [sys.executable, "-m", "ecsim.cli", "compare", "--seed", "1"], capture_output=True, text=True, check=True
    ).stdout
    table = out.split("\n\n", 1)[1]  # after the header, whose first line carries the time taken
    assert shown.group(1).strip() == table.strip(), f"README's sample is stale; the command prints:\n{table}"


def test_the_odd_documents_every_declared_metric_and_no_other():
    """ODD §7.12's per-step table lists exactly the metrics declared in ecsim.model.metrics."""
    from ecsim.model.metrics import METRICS

    odd = (ROOT / "docs" / "ODD.md").read_text()
    section = odd[odd.index("### 7.12 Output metrics") : odd.index("**Per issue**")]
    documented = re.findall(r"^\| `(\w+)` \|", section, re.M)
    assert sorted(documented) == sorted(METRICS), "ODD §7.12 and ecsim.model.metrics.DECLARED disagree"


def test_readme_shows_what_ecsim_validate_quick_prints():
    """The README's sample of ``ecsim validate --quick`` is the command's (copy the table from the failure)."""
    text = (ROOT / "README.md").read_text()
    shown = re.search(r"What `ecsim validate --quick` prints.*?```\n(.*?)```", text, re.S)
    assert shown is not None, "README lost its ecsim validate sample"
    out = subprocess.run(
        [sys.executable, "-m", "ecsim.cli", "validate", "--quick"], capture_output=True, text=True, check=True
    ).stdout
    table = out.split("\n", 1)[1]  # after the first line, which carries the time taken
    assert shown.group(1).strip() == table.strip(), f"README's sample is stale; the command prints:\n{table}"


def _normalised(text: str) -> str:
    """Output without what varies from run to run (seconds) or with the code (spec hashes)."""
    text = re.sub(r"in \d+\.\d s ->", "in S s ->", text)
    return re.sub(r"\b[0-9a-f]{16}\b", "HASH", text).strip()


def test_readme_shows_what_a_sweep_from_the_command_line_prints(tmp_path, monkeypatch, capsys):
    """The console block of "Sweeps from the command line" is what its commands print, run in order."""
    import shlex

    from ecsim.cli import main

    text = (ROOT / "README.md").read_text()
    block = re.search(r"A small one, and what it prints.*?```console\n(.*?)```", text, re.S)
    assert block is not None, "README lost its command-line sweep sample"
    steps = re.split(r"^\$ ", block.group(1), flags=re.M)[1:]
    assert len(steps) >= 4
    monkeypatch.chdir(tmp_path)
    for step in steps:
        command, _, shown = step.partition("\n")
        argv = shlex.split(command)
        assert argv[0] == "ecsim"
        main(argv[1:])
        out = capsys.readouterr()
        printed = out.out + out.err
        assert _normalised(printed) == _normalised(shown), f"README's sample of `{command}` is stale:\n{printed}"
    assert (tmp_path / "results" / "monitoring" / "quick_harm.png").stat().st_size > 0


def test_readme_shows_the_first_lines_of_ecsim_metrics():
    text = (ROOT / "README.md").read_text()
    shown = re.search(r"What `ecsim metrics` prints.*?```\n(.*?)```", text, re.S)
    assert shown is not None, "README lost its ecsim metrics sample"
    out = subprocess.run(
        [sys.executable, "-m", "ecsim.cli", "metrics"], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith(shown.group(1)), f"README's sample is stale; the command prints:\n{out}"
