"""Copy the tables and figures that the README's and the ODD's findings quote from a paper-size reproduction.

    ecsim reproduce --only regime_comparison,regime_decomposition,mechanism_ablation,calibrated_comparison,\
        calibrated_decomposition,scenario_discovery,calibrated_discovery,delegation_capacity,outside_option
    python docs/findings/snapshot.py results     # copies their tables and figures into docs/findings/

The findings in README.md ("What the model says") and docs/ODD.md (§1.1) quote numbers from these
files; ``tests/test_findings.py`` checks that every number they quote is in them, and that the files
have the columns the studies write today.  ``provenance.json`` records, for each study, the commit,
model fingerprint, sizes and seed of the runs behind the numbers.  Re-run both commands whenever the
model moves the numbers, and rewrite the findings from the new files.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).parent

#: study -> the files of its ``figures/`` folder that the findings quote or show.
FILES: dict[str, tuple[str, ...]] = {
    "regime_comparison": (
        "summary.csv",
        "paired_harm_reduction.csv",
        "harm_reduction_by_horizon.csv",
        "harm_reduction_by_horizon.png",
    ),
    "regime_decomposition": ("decomposition.csv", "decomposition.png"),
    "scenario_discovery": ("boxes.csv", "box_summary.csv", "boxes.png", "peeling_trajectories.png"),
    "delegation_capacity": ("harm_reduction.csv", "paired.csv", "delegation_capacity.png"),
    "mechanism_ablation": ("ablation.csv", "harm_reduction.csv", "ablation.png"),
    "calibrated_comparison": ("harm_reduction.csv", "paired.csv", "calibrated_comparison.png"),
    "outside_option": ("harm_reduction.csv", "paired.csv", "outside_option.png"),
    "calibrated_decomposition": ("decomposition.csv", "changes.csv", "calibrated_decomposition.png"),
    "calibrated_discovery": ("boxes.csv", "box_summary.csv", "boxes.png"),
}


def snapshot(results: Path, out: Path = HERE) -> dict[str, dict]:
    """Copy each study's files from ``results/NAME/figures`` (and its key numbers, ``report.json``) to
    ``out/NAME``; write and return the provenance."""
    provenance = {}
    for study, files in FILES.items():
        folder = results / study
        manifest = json.loads((folder / "manifest.json").read_text())
        if manifest.get("status") != "complete":
            raise SystemExit(f"{folder}: the store is {manifest.get('status')!r}, not complete: finish the study first")
        (out / study).mkdir(parents=True, exist_ok=True)
        for name in files:
            shutil.copyfile(folder / "figures" / name, out / study / name)
        shutil.copyfile(folder / "report.json", out / study / "report.json")  # the study's key numbers
        spec = manifest["spec"]
        provenance[study] = {
            "git_commit": manifest["provenance"]["git_commit"],
            "git_dirty": manifest["provenance"]["git_dirty"],
            "model_fingerprint": manifest["model_fingerprint"],
            "runs": manifest["runs_planned"],
            "plan": manifest["plan"],
            "steps": spec["steps"],
            "replicates": spec["replicates"],
            "factors": len(spec["factors"]),
            "seed": manifest["root_seed"],
            "python": manifest["provenance"]["python"],
            "mesa": manifest["provenance"]["mesa"],
        }
    (out / "provenance.json").write_text(json.dumps(provenance, indent=2, sort_keys=True) + "\n")
    return provenance


if __name__ == "__main__":
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_dir():
        raise SystemExit("usage: python docs/findings/snapshot.py RESULTS_DIR (the folder ecsim reproduce wrote)")
    for name, p in snapshot(Path(sys.argv[1])).items():
        size = f"{p['replicates']} replicates x {p['steps']} months"
        print(f"{name}: {p['runs']} runs, {size}, commit {p['git_commit'][:7]}")
