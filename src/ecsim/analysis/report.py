"""The reproduction report: one section per study, with its figures, a short reading and key numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Section:
    """A study's part of the report.  Paths are relative to the report's folder when written."""

    title: str
    text: str
    figures: list[tuple[Path, str]] = field(default_factory=list)  # (PNG path, caption)
    tables: list[Path] = field(default_factory=list)
    key_numbers: dict[str, float] = field(default_factory=dict)
    #: The headline result as a short plain-text table, printed in the terminal when the study ends.
    summary: str = ""

    def markdown(self, base: Path) -> str:
        parts = [f"## {self.title}", "", self.text.strip(), ""]
        for path, caption in self.figures:
            parts += [f"![{caption}]({_rel(path, base)})", "", f"*{caption}*", ""]
        if self.tables:
            parts.append("Tables: " + ", ".join(f"[{p.name}]({_rel(p, base)})" for p in self.tables))
            parts.append("")
        return "\n".join(parts)


def _rel(path: Path, base: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def write_report(
    sections: list[Section],
    path: str | Path,
    preamble: str = "",
    by: str = "ecsim reproduce",
    title: str = "ecsim reproduction report",
    appendix: str = "",
) -> Path:
    """Write ``REPORT.md`` with every section; figures are linked relative to its folder.

    ``by`` is the command that built it (said under the title; empty: not said).  A report of several
    sections opens with "At a glance": each section's headline table (its ``summary``), so that the
    finding as it stands is stated at the top, from the numbers, before the detail.  ``appendix``
    (Markdown) closes the report, e.g. the wall time of each study.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = [f"# {title}", "", f"Generated {stamp}" + (f" by `{by}`." if by else "."), ""]
    if preamble:
        head += [preamble.strip(), ""]
    glance = [s for s in sections if s.summary.strip()]
    if len(sections) > 1 and glance:
        head += ["## At a glance", ""]
        for s in glance:
            head += [f"**{s.title}**", "", "```text", s.summary.strip(), "```", ""]
    body = [s.markdown(path.parent) for s in sections]
    if appendix.strip():
        body.append(appendix.strip() + "\n")
    path.write_text("\n".join(head + body))
    return path
