"""Analysis of stored results: summaries with bootstrap CIs, paired differences, replicate adequacy, tables.

Reads only the tidy tables of :func:`ecsim.load_results`; knows nothing of how runs were executed.
"""

from ecsim.analysis.report import Section, write_report
from ecsim.analysis.sensitivity import morris_indices, sobol_indices
from ecsim.analysis.stats import (
    PAIR,
    mean_ci,
    paired_differences,
    paired_summary,
    replicate_adequacy,
    summarise,
    timeseries,
)
from ecsim.analysis.tables import export, format_ci, wide_ci_table

__all__ = [
    "PAIR",
    "Section",
    "export",
    "format_ci",
    "mean_ci",
    "morris_indices",
    "paired_differences",
    "paired_summary",
    "replicate_adequacy",
    "sobol_indices",
    "summarise",
    "timeseries",
    "wide_ci_table",
    "write_report",
]
