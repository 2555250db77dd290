"""The smoke suite a plain install runs on every other supported Python (tests/test_install.py): no pytest, no
dev extras, only the installed package and the standard library.

    python tests/smoke.py tests/data/golden.json

Checks, each printing one line: the golden numbers of the reference scenario (the base model and the
defaults) are this Python's too; a tiny sweep runs, resumes and loads back; the explorer's page renders headless
and steps.  Exits 1 with the first difference found.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from pathlib import Path


def golden(path: Path) -> str:
    """Every golden number of tests/data/golden.json, recomputed here (relative tolerance 1e-9)."""
    from ecsim import REGIMES, EnhancedCooperationModel
    from ecsim.params import switches

    stored = json.loads(path.read_text())
    base = {name: off for name, (_, off) in switches().items()}
    checked = 0
    for which, params in (("metrics", base), ("defaults", {})):
        for regime in REGIMES:
            last = EnhancedCooperationModel(regime, rng=stored["seed"], **stored["scenario"], **params).run()
            row = last.metrics().iloc[-1]
            for key, value in stored[which][regime].items():
                got = float(row[key])
                same = (math.isnan(got) and math.isnan(value)) or math.isclose(got, value, rel_tol=1e-9)
                if not same:
                    raise SystemExit(f"golden numbers differ: {which} {regime} {key}: {got!r} here, {value!r} stored")
                checked += 1
    return f"golden numbers: {checked} equal"


def sweep() -> str:
    """A tiny sweep with two workers' worth of runs, in-process: stored, resumed (nothing re-run), loaded."""
    from ecsim.experiment import Experiment, SerialExecutor, load_results, run_experiment

    tiny = {"n_governments": 12, "n_companies": 20, "n_cso": 10, "n_technical": 4}
    exp = Experiment(
        "smoke", regimes=("flexible",), fixed=tiny, factors={"novelty": [0.2, 0.5]}, replicates=2, steps=12
    )
    with tempfile.TemporaryDirectory() as folder:
        first = run_experiment(exp, Path(folder) / "store", SerialExecutor(), progress=False)
        again = run_experiment(exp, Path(folder) / "store", SerialExecutor(), progress=False)
        runs = load_results(Path(folder) / "store", steps=False).runs
    if first.completed != 8 or again.completed != 0 or len(runs) != 8 or not (runs["status"] == "ok").all():
        raise SystemExit(f"tiny sweep: {first.completed} runs, then {again.completed} on resume, {len(runs)} stored")
    return "tiny sweep: 8 runs stored, 0 re-run on resume"


def explorer() -> str:
    """The explorer's page rendered headless (solara), stepped three times: ecsim's run panel says month 3 (Mesa's
    own step counter reads "Step: 3" on Mesa 3.3 and "Time: 3.0" on 3.5, so the panel is what is checked)."""
    import ipyvuetify as v
    import ipywidgets
    import solara
    from solara.widgets import HTML

    from ecsim.viz import explorer as page

    _, rc = solara.render(solara.AppLayout(children=[page(n_cso=20, n_technical=6, steps=24)]), handle_error=False)
    for _ in range(3):
        rc.find(v.Btn, children=["Step"]).widget.click()
    panels = " ".join(w.unsafe_innerHTML or "" for w in rc.find(HTML).widgets)
    if "month 3 of 24" not in panels or len(rc.find(ipywidgets.Image).widgets) < 6:
        raise SystemExit("explorer: after three steps the run panel does not say month 3 of 24, or plots are missing")
    return "explorer: renders headless, 3 steps"


if __name__ == "__main__":
    import platform

    import mesa

    print(f"Python {platform.python_version()}, Mesa {mesa.__version__}")
    for line in (golden(Path(sys.argv[1])), sweep(), explorer()):
        print(line)
