"""The documentation stays true to the code: README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_readme_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples write to results/
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert len(blocks) >= 2
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_readme_shows_the_two_commands_first():
    text = (ROOT / "README.md").read_text()
    first_block = text.index("```bash")
    assert "make run" in text[first_block : first_block + 200] and "make test" in text[first_block : first_block + 200]
