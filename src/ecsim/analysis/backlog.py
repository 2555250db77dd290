"""What is left of the issues at the end of a run: the shares still open and failed."""

from __future__ import annotations

import pandas as pd

#: Labels (with units) of the shares computed here.
LABELS: dict[str, str] = {
    "open_share": "Issues still open at the end (share)",
    "failed_share": "Issues failed (share of arrived)",
}


def with_backlog(runs: pd.DataFrame) -> pd.DataFrame:
    """``runs`` with ``open_share`` and ``failed_share``: issues neither resolved nor failed, and issues
    failed, as shares of the issues raised in the run (NaN where none was raised)."""
    runs = runs.copy()
    arrived = runs["issues_arrived"].where(runs["issues_arrived"] > 0)
    runs["open_share"] = (runs["issues_arrived"] - runs["issues_resolved"] - runs["issues_failed"]) / arrived
    runs["failed_share"] = runs["issues_failed"] / arrived
    return runs


__all__ = ["LABELS", "with_backlog"]
