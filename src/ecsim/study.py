"""Studies: an experiment plus the report built from its stored results, and ``ecsim reproduce``.

A study script in ``experiments/`` defines::

    EXPERIMENT = Experiment(...)                 # paper size
    QUICK = {"replicates": 4, "steps": 120}      # the --quick size (replicates, steps, samples)
    ORDER = 25                                   # optional: its place in the report (a number)
    def report(results, figures) -> Section: ... # figures and tables into ``figures``; Section(summary=...)
                                                 # is the headline table printed when the study ends

    if __name__ == "__main__":
        raise SystemExit(main(EXPERIMENT, QUICK, report))

``python experiments/NAME.py [--quick]`` runs (or resumes) the sweep into
``results/NAME`` (``results/quick/NAME`` with ``--quick``), then writes
``figures/`` and ``report.md`` there, and ends by printing the section's
``summary`` (a short plain-text table, e.g. :func:`ecsim.analysis.text_table`)
and where the figures and report are.  ``ecsim reproduce`` finds every study
script in its ``--experiments`` folder (:func:`discover_studies`: a script that
defines ``EXPERIMENT`` and ``report`` at its top level; a user's own too), does
this for each and gathers the sections into ``results/REPORT.md``: the studies
that declare an ``ORDER`` first, by it, then the others by name.  A study's
``report`` reads the stored results through :mod:`ecsim.analysis` (e.g.
``analysis.paired_runs(results)`` for ``harm_reduction``); the script itself
holds only its ``Experiment`` and that wiring.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecsim.analysis.report import Section, write_report
from ecsim.analysis.tables import MIN_CI_N, too_few
from ecsim.experiment.cli import Parser as _Parser
from ecsim.experiment.cli import add_sweep_options, import_script, run_from_args
from ecsim.experiment.spec import Experiment, ExperimentError
from ecsim.experiment.store import Results, load_results

Report = Callable[[Results, Path], Section]
#: Designs whose intervals come from SALib's bootstrap over the design points, not from replicates.
SENSITIVITY_DESIGNS = ("morris", "saltelli")


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


@dataclass(frozen=True)
class StudyScript:
    """A study script found in a folder: its name (the file's stem), path and declared ``ORDER``."""

    name: str
    path: Path
    order: float | None = None


def _top_level_names(tree: ast.Module) -> dict[str, ast.AST]:
    """Names a module binds at its top level (assignments, functions, classes, imports) -> the binding node."""
    names: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        names[leaf.id] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[node.name] = node
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                names[(alias.asname or alias.name).split(".")[0]] = node
    return names


def _study_script(path: Path) -> StudyScript | None:
    """The script as a study, or None if it does not define EXPERIMENT and report at its top level.

    Read without running it: a folder may hold other scripts (e.g. ``axelrod_norms.py``).
    """
    try:
        tree = ast.parse(path.read_text(), filename=str(path))
    except SyntaxError as exc:
        raise ExperimentError(f"{path}, line {exc.lineno}: not valid Python ({exc.msg})") from None
    names = _top_level_names(tree)
    if "EXPERIMENT" not in names or "report" not in names:
        return None
    order = None
    node = names.get("ORDER")
    if node is not None:
        value = getattr(node, "value", None)
        try:
            order = ast.literal_eval(value) if value is not None else None
        except ValueError:
            order = None
        if isinstance(order, bool) or not isinstance(order, int | float):
            raise ExperimentError(f"{path}: ORDER is the study's place in the report: a number, e.g. ORDER = 25")
    return StudyScript(path.stem, path, order)


def discover_studies(folder: str | Path) -> list[StudyScript]:
    """Every study script in ``folder`` (``*.py`` not starting with ``_``), in the order of the report.

    A study script defines ``EXPERIMENT`` and ``report`` at its top level (checked without
    running it; :func:`load_study` checks their types when it runs).  Scripts that declare
    ``ORDER = <number>`` come first, by that number (then by name); the others follow by name.
    """
    found = [_study_script(p) for p in sorted(Path(folder).glob("*.py")) if not p.name.startswith("_")]
    studies = [s for s in found if s is not None]
    return sorted(studies, key=lambda s: (s.order is None, s.order if s.order is not None else 0, s.name))


def select_studies(studies: Sequence[StudyScript], only: str | None, folder: Path | str = "") -> list[StudyScript]:
    """The studies named in ``only`` (comma-separated, in that order), or all of them.

    An unknown name is a one-line ExperimentError that suggests the nearest study name.
    """
    if not only:
        return list(studies)
    by_name = {s.name: s for s in studies}
    wanted = list(dict.fromkeys(n.strip() for n in only.split(",") if n.strip()))
    for name in wanted:
        if name not in by_name:
            where = f" in {folder}" if str(folder) else ""
            close = difflib.get_close_matches(name, list(by_name), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"expected some of {', '.join(by_name) or 'none'}"
            raise ExperimentError(f"--only {name!r}: no such study{where}; {hint}")
    return [by_name[n] for n in wanted]


def build_report(study: Study, folder: Path, by: str = "") -> Section:
    """Read the stored results and write the study's figures, tables and ``report.md``.

    ``by``: the command that runs the study, said in ``report.md`` (e.g. ``ecsim reproduce``).
    """
    import json

    section = study.report(load_results(folder), folder / "figures")
    write_report([section], folder / "report.md", by=by, title=f"ecsim study report: {study.name}")
    numbers = {k: float(v) for k, v in section.key_numbers.items()}
    (folder / "report.json").write_text(json.dumps({"title": section.title, "key_numbers": numbers}, indent=2) + "\n")
    return section


def add_study_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="the study's quick size, into results/quick/NAME")
    parser.add_argument("--no-report", action="store_true", help="run the sweep only; build no figures")


def run_study(
    study: Study,
    args: argparse.Namespace,
    results: Path,
    prog: str,
    by: str = "",
    timings: dict[str, float] | None = None,
) -> tuple[int, Section | None]:
    """Sweep (resuming), then report; returns (exit status, section).

    Unless ``--quiet``, ends by printing the study's headline table (its section's ``summary``), its
    wall time (sweep and report) and where its figures and report are.  ``by`` is the command, said
    in ``report.md``; ``timings`` (if given) receives the seconds of the ``sweep`` and the ``report``.
    """
    if args.out is None:
        args.out = str(study.folder(results, args.quick))
    start = time.perf_counter()
    status = run_from_args(study.sized(args.quick), args, prog)
    swept = time.perf_counter()
    if timings is not None:
        timings["sweep"] = swept - start
    if status != 0 or args.no_report:
        return status, None
    section = build_report(study, Path(args.out), by)
    if timings is not None:
        timings["report"] = time.perf_counter() - swept
    if not args.quiet:
        if section.summary:
            print(f"\n{section.summary.rstrip()}\n")
        print(f"time:    sweep {swept - start:.1f} s, report {time.perf_counter() - swept:.1f} s")
        print(f"figures: {Path(args.out) / 'figures'}")
        print(f"report:  {Path(args.out) / 'report.md'}")
    return 0, section


def main(experiment: Experiment, quick: dict[str, Any], report: Report, argv: Sequence[str] | None = None) -> int:
    """Entry point of a study script."""
    study = Study(experiment.name, experiment, dict(quick), report)
    prog = Path(sys.argv[0]).name if argv is None else experiment.name
    parser = _Parser(prog=prog, description=f"Run the '{experiment.name}' study: sweep (resumable), then figures.")
    add_sweep_options(parser)
    add_study_options(parser)
    args = parser.parse_args(argv)
    command = " ".join(["python", *sys.argv]) if argv is None else ""
    return run_study(study, args, Path("results"), prog, by=command)[0]


def wall_times(times: Sequence[tuple[str, dict[str, float]]]) -> str:
    """The ``Wall time per study`` section of REPORT.md: sweep (stored runs are reused, not re-run) and report."""
    rows = ["| study | sweep (s) | report (s) | total (s) |", "|---|---:|---:|---:|"]
    total = {"sweep": 0.0, "report": 0.0}
    for name, t in times:
        sweep, report = t.get("sweep", 0.0), t.get("report", 0.0)
        total["sweep"] += sweep
        total["report"] += report
        rows.append(f"| {name} | {sweep:.1f} | {report:.1f} | {sweep + report:.1f} |")
    rows.append(f"| all | {total['sweep']:.1f} | {total['report']:.1f} | {total['sweep'] + total['report']:.1f} |")
    return (
        "## Wall time per study\n\nSeconds on the machine that built this report; a sweep that reused stored "
        "runs took only the time to check them.\n\n" + "\n".join(rows) + "\n"
    )


def _other_stores(folder: Path) -> list[Path]:
    """The stores beside a study's results folder (other studies' of the same size): their identical runs are
    copied, not run again (:mod:`ecsim.experiment.reuse`)."""
    if not folder.parent.is_dir():
        return []
    return sorted(p for p in folder.parent.iterdir() if p != folder and (p / "manifest.json").is_file())


def reproduce(args: argparse.Namespace) -> int:
    """Run every study in ``args.experiments`` (or those of ``--only``) and write ``REPORT.md`` (``ecsim reproduce``).

    The studies are those :func:`discover_studies` finds, in its order.
    """
    folder, results = Path(args.experiments), Path(args.results)
    if not folder.is_dir():
        raise ExperimentError(f"--experiments {folder}: no such folder (run from the repository root)")
    studies = discover_studies(folder)
    if not studies:
        raise ExperimentError(f"--experiments {folder}: no study scripts here (a study defines EXPERIMENT and report)")
    chosen = [(script, load_study(script.path)) for script in select_studies(studies, args.only, folder)]
    folders: dict[str, Path] = {}
    for script, study in chosen:  # a study's results folder is named after its Experiment, not its file
        other = folders.setdefault(study.name, script.path)
        if other != script.path:
            raise ExperimentError(
                f"{other} and {script.path} both name their Experiment {study.name!r}, so both would write to "
                f"{study.folder(results, args.quick)}: give each study its own Experiment name"
            )
    sections, status, few, times = [], 0, [], []
    for script, study in chosen:
        name = script.name
        sized = study.sized(args.quick).with_sizes(args.replicates)
        if sized.design not in SENSITIVITY_DESIGNS and too_few(sized.replicates):
            few.append(f"{name} ({sized.replicates})")
        if not args.quiet:
            print(f"== {name}")
        study_args = argparse.Namespace(**vars(args))
        study_args.out = None
        study_args.reuse = [*args.reuse, *_other_stores(study.folder(results, args.quick))]
        timings: dict[str, float] = {}
        code, section = run_study(
            study, study_args, results, f"ecsim reproduce ({name})", by="ecsim reproduce", timings=timings
        )
        times.append((name, timings))
        status = max(status, code)
        if section is not None:
            sections.append(section)
        if code == 130:
            break
    report_path = (results / "quick" if args.quick else results) / "REPORT.md"
    if sections:
        size = "quick sizes (--quick)" if args.quick else "paper sizes"
        caution = (
            f" Fewer than {MIN_CI_N} replicates here (their number in brackets): {', '.join(few)}; the intervals of "
            "these studies are marked as such and are not 95% confidence intervals."
            if few
            else ""
        )
        write_report(
            sections,
            report_path,
            preamble=f"Studies run at {size}. Each section's numbers are means over replicates with 95% bootstrap "
            "confidence intervals (sensitivity indices: SALib's bootstrap over the design); regimes are compared on "
            f"common random numbers (same seed, same stakeholders and issues).{caution}",
            appendix=wall_times(times),
        )
        print(f"report: {report_path}")
    return status
