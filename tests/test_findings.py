"""The findings that README.md and docs/ODD.md state are the numbers of the paper-size runs snapshotted in
docs/findings/ (written by docs/findings/snapshot.py), so they cannot drift from what the studies found."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
FINDINGS = ROOT / "docs" / "findings"
NUMBER = re.compile(r"(?<![\w.§/-])[−-]?\d+(?:\.\d+)?(?![\w%]|\.\d)")


def section(path: Path, heading: str) -> str:
    """The text under ``heading`` (a Markdown heading line) up to the next heading of its level or higher."""
    text = path.read_text()
    level = heading.split(" ", 1)[0]
    start = text.index(f"\n{heading}\n") + len(heading) + 2
    ends = [m.start() for m in re.finditer(rf"\n#{{1,{len(level)}}} ", text[start:])]
    return text[start : start + (ends[0] if ends else len(text))]


def quoted(text: str) -> list[str]:
    """The numbers a text quotes (not section numbers, seed paragraphs like 1g, or code)."""
    text = re.sub(r"`[^`]*`", " ", text)  # code: names and commands, not findings
    text = re.sub(r"\([^()]*docs/findings[^()]*\)", " ", text)  # links
    text = re.sub(r"\b[A-Z][a-z]+(?: (?:&|and) [A-Z][a-z]+| et al\.)? \d{4}\b", " ", text)  # citations: Panke 2012
    return [m.group().replace("−", "-") for m in NUMBER.finditer(text)]


def recorded() -> set[float]:
    """Every number in the snapshot: the CSV cells (intervals split), their headers, the studies' key numbers
    and the provenance."""
    values: set[float] = set()

    def add(text: str) -> None:
        for token in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text):
            values.add(float(token))

    for path in FINDINGS.rglob("*.csv"):
        with path.open() as f:
            for row in csv.reader(f):
                for cell in row:
                    add(cell)
    for path in FINDINGS.rglob("*.json"):  # the provenance and each study's key numbers
        add(json.dumps(json.loads(path.read_text())))
    return values


def matches(token: str, values: set[float]) -> bool:
    """Whether some recorded value, rounded to the decimals ``token`` is written with, is ``token``."""
    decimals = len(token.split(".")[1]) if "." in token else 0
    target = float(token)
    return any(round(v, decimals) == target or round(abs(v), decimals) == target for v in values)


@pytest.mark.parametrize(
    ("document", "heading"),
    [("README.md", "## What the model says"), ("docs/ODD.md", "### 1.1 What the model says")],
)
def test_every_number_a_finding_quotes_is_in_the_paper_size_snapshot(document, heading):
    text = section(ROOT / document, heading)
    assert set(re.findall(r"\d+(?:\.\d+)?%", text)) <= {"95%"}, "findings are shares; only the 95% of an interval"
    numbers = quoted(text)
    assert len(numbers) >= 20, f"{document}: the findings quote few numbers ({numbers})"
    values = recorded()
    missing = [n for n in numbers if not matches(n, values)]
    assert not missing, f"{document} quotes numbers that docs/findings/ does not hold: {missing}"


def test_the_check_catches_a_number_that_is_not_recorded():
    values = recorded()
    assert matches("0.137", values)  # flexible's harm reduction at paper size
    assert not matches("0.777", values) and not matches("12345", values)


def test_the_snapshot_comes_from_committed_code_at_paper_size():
    """Each study's runs behind the findings were made by committed code, at the study's own (paper) size."""
    from ecsim.study import load_study

    provenance = json.loads((FINDINGS / "provenance.json").read_text())
    for study in json.loads((FINDINGS / "provenance.json").read_text()):
        record = provenance[study]
        assert record["git_dirty"] is False, f"{study}: a snapshot of uncommitted code"
        experiment = load_study(ROOT / "experiments" / f"{study}.py").experiment
        assert (record["replicates"], record["steps"]) == (experiment.replicates, experiment.steps), study
