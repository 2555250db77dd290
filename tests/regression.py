"""Regression guard: the key numbers of a quick reproduction, pinned in tests/data/quick_reproduction.json.

``test_quick_reproduction_key_numbers`` runs ``ecsim reproduce --quick`` (every
study at its quick size) and compares each study's key numbers with the stored
reference.  When a change moves them on purpose, regenerate the reference::

    .venv/bin/python tests/regression.py      # rewrites tests/data/quick_reproduction.json

and say in the commit message why the numbers moved.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
PATH = ROOT / "tests" / "data" / "quick_reproduction.json"


def quick_reproduction(results: Path, workers: int = 2) -> dict[str, dict[str, float]]:
    """Run every study at its quick size into ``results``; return each study's key numbers."""
    from ecsim.cli import build_parser
    from ecsim.study import discover_studies, load_study, reproduce

    argv = ["reproduce", "--quick", "--quiet", "--workers", str(workers)]
    args = build_parser().parse_args([*argv, "--experiments", str(ROOT / "experiments"), "--results", str(results)])
    status = reproduce(args)
    if status != 0:
        raise RuntimeError(f"ecsim reproduce --quick ended with status {status}")
    numbers = {}
    for script in discover_studies(ROOT / "experiments"):
        study = load_study(script.path)
        numbers[script.name] = study.report_numbers(study.folder(results, quick=True))
    return numbers


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        numbers = quick_reproduction(Path(tmp))
    PATH.write_text(json.dumps(numbers, indent=2, sort_keys=True) + "\n")
    print(f"wrote {PATH} ({sum(len(v) for v in numbers.values())} numbers)", file=sys.stderr)
