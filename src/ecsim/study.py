"""Studies: an experiment plus the report built from its stored results, and ``ecsim reproduce``.

A study script in ``experiments/`` defines::

    EXPERIMENT = Experiment(...)                 # paper size
    QUICK = {"replicates": 4, "steps": 120}      # the --quick size (replicates, steps, samples)
    def report(results, figures) -> Section: ... # figures and tables into ``figures``

    if __name__ == "__main__":
        raise SystemExit(main(EXPERIMENT, QUICK, report))

``python experiments/NAME.py [--quick]`` runs (or resumes) the sweep into
``results/NAME`` (``results/quick/NAME`` with ``--quick``), then writes
``figures/`` and ``report.md`` there.  ``ecsim reproduce`` does this for every
study and gathers the sections into ``results/REPORT.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecsim.analysis.report import Section, write_report
from ecsim.experiment.cli import _Parser, add_sweep_options, import_script, run_from_args
from ecsim.experiment.spec import Experiment, ExperimentError
from ecsim.experiment.store import Results, load_results

Report = Callable[[Results, Path], Section]

#: Order of the studies in the reproduction report.
ORDER = (
    "regime_comparison",
    "issue_mix",
    "market_concentration_monitoring",
    "scale_and_speed",
    "innovation_shock",
    "sensitivity_morris",
    "sensitivity",
)


@dataclass(frozen=True)
class Study:
    """A study script's contents."""

    name: str
    experiment: Experiment
    quick: dict[str, Any]
    report: Report

    def sized(self, quick: bool) -> Experiment:
        return self.experiment.with_sizes(**self.quick) if quick else self.experiment

    def report_numbers(self, folder: Path) -> dict[str, float]:
        """The key numbers of the report built from the results in ``folder`` (``report.json``)."""
        import json

        return json.loads((folder / "report.json").read_text())["key_numbers"]

    def folder(self, results: Path, quick: bool) -> Path:
        return results / "quick" / self.name if quick else results / self.name


def load_study(path: str | Path) -> Study:
    """Load a study script without running its ``__main__`` block."""
    module = import_script(path, "study script")
    experiment, report = getattr(module, "EXPERIMENT", None), getattr(module, "report", None)
    if not isinstance(experiment, Experiment) or not callable(report):
        raise ExperimentError(f"{path}: a study defines EXPERIMENT = Experiment(...) and report(results, figures)")
    return Study(experiment.name, experiment, dict(getattr(module, "QUICK", {})), report)


def build_report(study: Study, folder: Path) -> Section:
    """Read the stored results and write the study's figures, tables and ``report.md``."""
    import json

    section = study.report(load_results(folder), folder / "figures")
    write_report([section], folder / "report.md")
    numbers = {k: float(v) for k, v in section.key_numbers.items()}
    (folder / "report.json").write_text(json.dumps({"title": section.title, "key_numbers": numbers}, indent=2) + "\n")
    return section


def add_study_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="the study's quick size, into results/quick/NAME")
    parser.add_argument("--no-report", action="store_true", help="run the sweep only; build no figures")


def run_study(study: Study, args: argparse.Namespace, results: Path, prog: str) -> tuple[int, Section | None]:
    """Sweep (resuming), then report; returns (exit status, section)."""
    if args.out is None:
        args.out = str(study.folder(results, args.quick))
    status = run_from_args(study.sized(args.quick), args, prog)
    if status != 0 or args.no_report:
        return status, None
    section = build_report(study, Path(args.out))
    if not args.quiet:
        print(f"figures and report: {Path(args.out) / 'figures'}, {Path(args.out) / 'report.md'}")
    return 0, section


def main(experiment: Experiment, quick: dict[str, Any], report: Report, argv: Sequence[str] | None = None) -> int:
    """Entry point of a study script."""
    study = Study(experiment.name, experiment, dict(quick), report)
    prog = Path(sys.argv[0]).name if argv is None else experiment.name
    parser = _Parser(prog=prog, description=f"Run the '{experiment.name}' study: sweep (resumable), then figures.")
    add_sweep_options(parser)
    add_study_options(parser)
    args = parser.parse_args(argv)
    return run_study(study, args, Path("results"), prog)[0]


def reproduce(args: argparse.Namespace) -> int:
    """Run every study in ``args.experiments`` and write ``REPORT.md`` (the ``ecsim reproduce`` command)."""
    folder, results = Path(args.experiments), Path(args.results)
    if not folder.is_dir():
        raise ExperimentError(f"--experiments {folder}: no such folder (run from the repository root)")
    wanted = [n.strip() for n in args.only.split(",")] if args.only else list(ORDER)
    unknown = [n for n in wanted if n not in ORDER]
    if unknown:
        raise ExperimentError(f"--only {unknown[0]!r}: expected some of {', '.join(ORDER)}")
    sections, status = [], 0
    for name in wanted:
        path = folder / f"{name}.py"
        if not path.exists():
            print(f"skipping {name}: {path} not found", file=sys.stderr)
            continue
        study = load_study(path)
        if not args.quiet:
            print(f"== {name}")
        study_args = argparse.Namespace(**vars(args))
        study_args.out = None
        code, section = run_study(study, study_args, results, f"ecsim reproduce ({name})")
        status = max(status, code)
        if section is not None:
            sections.append(section)
        if code == 130:
            break
    report_path = (results / "quick" if args.quick else results) / "REPORT.md"
    if sections:
        size = "quick sizes (--quick)" if args.quick else "paper sizes"
        write_report(
            sections,
            report_path,
            preamble=f"Studies run at {size}. Each section's numbers are means "
            "over replicates with 95% bootstrap confidence intervals; regimes are compared on common "
            "random numbers (same seed, same stakeholders and issues).",
        )
        print(f"report: {report_path}")
    return status
