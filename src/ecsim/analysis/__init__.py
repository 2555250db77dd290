"""Analysis of stored results: summaries with bootstrap CIs, paired differences, replicate adequacy, tables.

Reads only the tidy tables of :func:`ecsim.load_results`; knows nothing of how runs were executed.
Per-step aggregates (``timeseries``, ``at_horizons``, ``steady_state``, ``first_step``) take either
``results.steps`` (pandas) or the lazy ``results.step_table`` (computed in DuckDB, out of core).
Pairing against the baseline regime (``harm_reduction``) is here, not in the store:
``paired_runs(load_results(folder))``.  Study-specific quantities have a module each:
:mod:`~ecsim.analysis.issue_mix` (shares and heterogeneity of the issue mix),
:mod:`~ecsim.analysis.shock` (the response to a burst of issues), :mod:`~ecsim.analysis.backlog`
(shares of issues open and failed), :mod:`~ecsim.analysis.horizon` (outcomes at several horizons,
the steady state), :mod:`~ecsim.analysis.decomposition` (a gap between regimes split into design
dimensions by exact Shapley values), :mod:`~ecsim.analysis.scenarios` (scenario discovery: where in
parameter space one regime beats another, PRIM boxes and CART rules), :mod:`~ecsim.analysis.ablation`
(what each mechanism with a switch adds, paired on seeds), :mod:`~ecsim.analysis.one_factor` (one
parameter varied alone, every regime paired at each level); :mod:`~ecsim.analysis.findings`
reads summary tables (leaders, intervals clear of 0, changes, trends).

The names below are imported on first use (PEP 562): importing one module of the package (say
``ecsim.analysis.report``) loads what that module needs, not the rest (SciPy, SALib; the EMA Workbench
and scikit-learn only when a scenario-discovery function runs).
"""

from typing import TYPE_CHECKING

from ecsim._lazy import lazy

if TYPE_CHECKING:  # what type checkers see; at run time ``__getattr__`` imports these on first use
    from ecsim.analysis.backlog import with_backlog
    from ecsim.analysis.decomposition import decompose, shapley
    from ecsim.analysis.findings import (
        Trend,
        always_equal,
        best_rows,
        ci_side,
        in_regime_order,
        interval_change,
        leaders,
        rank_trend,
    )
    from ecsim.analysis.horizon import at_horizons, first_step, ranking_changes, rankings, steady_state
    from ecsim.analysis.paired import harm_reduction, paired_runs
    from ecsim.analysis.report import Section, write_report
    from ecsim.analysis.scenarios import (
        box_sentence,
        boxes_table,
        cart_check,
        cart_rules,
        design_matrix,
        point_table,
        prim_box,
    )
    from ecsim.analysis.sensitivity import morris_indices, sobol_indices
    from ecsim.analysis.stats import (
        PAIR,
        adequacy_verdict,
        mean_ci,
        paired_differences,
        paired_summary,
        replicate_adequacy,
        summarise,
        timeseries,
    )
    from ecsim.analysis.tables import (
        MIN_CI_N,
        MINUS,
        ci_cells,
        ci_name,
        ci_table,
        ci_text,
        display,
        export,
        few_note,
        format_ci,
        heading,
        number,
        paired_table,
        sample_size,
        text_table,
        too_few,
        wide_ci_table,
    )

#: The module that defines each public name.
_LAZY: dict[str, str] = {
    "with_backlog": "ecsim.analysis.backlog",
    "decompose": "ecsim.analysis.decomposition",
    "shapley": "ecsim.analysis.decomposition",
    "at_horizons": "ecsim.analysis.horizon",
    "first_step": "ecsim.analysis.horizon",
    "ranking_changes": "ecsim.analysis.horizon",
    "rankings": "ecsim.analysis.horizon",
    "steady_state": "ecsim.analysis.horizon",
    "Trend": "ecsim.analysis.findings",
    "always_equal": "ecsim.analysis.findings",
    "best_rows": "ecsim.analysis.findings",
    "ci_side": "ecsim.analysis.findings",
    "in_regime_order": "ecsim.analysis.findings",
    "interval_change": "ecsim.analysis.findings",
    "leaders": "ecsim.analysis.findings",
    "rank_trend": "ecsim.analysis.findings",
    "harm_reduction": "ecsim.analysis.paired",
    "paired_runs": "ecsim.analysis.paired",
    "Section": "ecsim.analysis.report",
    "write_report": "ecsim.analysis.report",
    "box_sentence": "ecsim.analysis.scenarios",
    "boxes_table": "ecsim.analysis.scenarios",
    "cart_check": "ecsim.analysis.scenarios",
    "cart_rules": "ecsim.analysis.scenarios",
    "design_matrix": "ecsim.analysis.scenarios",
    "point_table": "ecsim.analysis.scenarios",
    "prim_box": "ecsim.analysis.scenarios",
    "morris_indices": "ecsim.analysis.sensitivity",
    "sobol_indices": "ecsim.analysis.sensitivity",
    "PAIR": "ecsim.analysis.stats",
    "adequacy_verdict": "ecsim.analysis.stats",
    "mean_ci": "ecsim.analysis.stats",
    "paired_differences": "ecsim.analysis.stats",
    "paired_summary": "ecsim.analysis.stats",
    "replicate_adequacy": "ecsim.analysis.stats",
    "summarise": "ecsim.analysis.stats",
    "timeseries": "ecsim.analysis.stats",
    "MIN_CI_N": "ecsim.analysis.tables",
    "MINUS": "ecsim.analysis.tables",
    "ci_cells": "ecsim.analysis.tables",
    "ci_table": "ecsim.analysis.tables",
    "display": "ecsim.analysis.tables",
    "heading": "ecsim.analysis.tables",
    "paired_table": "ecsim.analysis.tables",
    "ci_name": "ecsim.analysis.tables",
    "ci_text": "ecsim.analysis.tables",
    "few_note": "ecsim.analysis.tables",
    "sample_size": "ecsim.analysis.tables",
    "text_table": "ecsim.analysis.tables",
    "too_few": "ecsim.analysis.tables",
    "export": "ecsim.analysis.tables",
    "format_ci": "ecsim.analysis.tables",
    "number": "ecsim.analysis.tables",
    "wide_ci_table": "ecsim.analysis.tables",
}

__all__ = [
    "MINUS",
    "MIN_CI_N",
    "PAIR",
    "Section",
    "Trend",
    "adequacy_verdict",
    "always_equal",
    "at_horizons",
    "best_rows",
    "box_sentence",
    "boxes_table",
    "cart_check",
    "cart_rules",
    "ci_cells",
    "ci_name",
    "ci_side",
    "ci_table",
    "ci_text",
    "decompose",
    "design_matrix",
    "display",
    "export",
    "few_note",
    "first_step",
    "format_ci",
    "harm_reduction",
    "heading",
    "in_regime_order",
    "interval_change",
    "leaders",
    "mean_ci",
    "morris_indices",
    "number",
    "paired_differences",
    "paired_runs",
    "paired_summary",
    "paired_table",
    "point_table",
    "prim_box",
    "rank_trend",
    "ranking_changes",
    "rankings",
    "replicate_adequacy",
    "sample_size",
    "shapley",
    "sobol_indices",
    "steady_state",
    "summarise",
    "text_table",
    "timeseries",
    "too_few",
    "wide_ci_table",
    "with_backlog",
    "write_report",
]


__getattr__, __dir__ = lazy(__name__, _LAZY, globals())  # ``from ecsim.analysis import stats`` still works
