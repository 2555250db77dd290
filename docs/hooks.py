"""MkDocs hooks: the pages that live elsewhere in the repository join the site at build time.

- ``index.md``: the README, its links rewritten (``docs/X`` -> ``X``; other files of the repository -> their
  page on the repository host), so the home page and the README never drift apart;
- ``notebooks/*.ipynb``: the notebooks, as tutorials (mkdocs-jupyter executes them where they are, so
  they run with ``notebooks/`` as their working directory, as in Jupyter);
- ``changelog.md``: ``CHANGELOG.md``;
- ``gallery.md``: every figure of the findings snapshot (``docs/findings/<study>/*.png``), captioned with its
  study and the runs behind it (``docs/findings/provenance.json``).

Nothing is copied into ``docs/``: the generated files exist only in the build.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
FINDINGS = ROOT / "docs" / "findings"
#: Markdown links and images: ``[text](target)`` / ``![alt](target)``.
LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def rewrite_links(markdown: str, repo_url: str) -> str:
    """Links of a repository-root Markdown file, made right for a page at the site's root."""

    def fix(match: re.Match[str]) -> str:
        target = match.group(2)
        if target.startswith(("http://", "https://", "mailto:", "#")):
            return match.group(0)
        if target.startswith("docs/"):
            target = target.removeprefix("docs/")
            if target.endswith("/"):  # a folder of docs/: its files are in the site, but it has no page
                target = f"{repo_url.rstrip('/')}/tree/main/docs/{target}"
        else:
            kind = "tree" if target.endswith("/") else "blob"
            target = f"{repo_url.rstrip('/')}/{kind}/main/{target}"
        return f"{match.group(1)}{target}{match.group(3)}"

    return LINK.sub(fix, markdown)


def gallery() -> str:
    """The gallery page: each study's figures with the runs behind them."""
    provenance = json.loads((FINDINGS / "provenance.json").read_text())
    lines = [
        "# Gallery of study figures",
        "",
        "The figures of the paper-size studies that the README's findings quote, as `ecsim reproduce` drew them "
        "(`docs/findings/`, copied by `docs/findings/snapshot.py`). Each caption names the commit and the runs behind "
        "the figure; `ecsim reproduce --only STUDY` draws it again.",
        "",
    ]
    for study in sorted(p.name for p in FINDINGS.iterdir() if p.is_dir()):
        report = json.loads((FINDINGS / study / "report.json").read_text())
        source = provenance.get(study, {})
        runs = f"{source['runs']:,} runs" if "runs" in source else "runs not recorded"
        commit = str(source.get("git_commit", "unknown"))[:7]
        lines += [f"## {report.get('title', study)}", ""]
        tables = ", ".join(f"[{c.name}](findings/{study}/{c.name})" for c in sorted((FINDINGS / study).glob("*.csv")))
        for png in sorted((FINDINGS / study).glob("*.png")):
            lines += [
                f"![{report.get('title', study)}: {png.stem}](findings/{study}/{png.name})",
                "",
                f"*{png.stem.replace('_', ' ')}* — `{study}`, {runs}, commit `{commit}`. Tables: {tables}.",
                "",
            ]
    return "\n".join(lines)


@event_priority(100)  # before mkdocs-jupyter wraps the notebooks it finds among the files
def on_files(files: Files, config) -> Files:
    repo_url = config["repo_url"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    files.append(File.generated(config, "index.md", content=rewrite_links(readme, repo_url)))
    changelog = ROOT / "CHANGELOG.md"
    if changelog.exists():
        files.append(File.generated(config, "changelog.md", content=rewrite_links(changelog.read_text(), repo_url)))
    files.append(File.generated(config, "gallery.md", content=gallery()))
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):  # a real file of the repository root (mkdocs-jupyter reads it)
        uri = f"{NOTEBOOKS.name}/{notebook.name}"
        site, directory_urls = config["site_dir"], config["use_directory_urls"]
        files.append(File(uri, src_dir=str(ROOT), dest_dir=site, use_directory_urls=directory_urls))
    return files


#: A Sphinx role left in a docstring, as mkdocstrings renders it: ``:class:<code>~ecsim.model.regimes.Regime</code>``.
ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):<code>(~?)([^<]+)</code>")


def on_page_content(html: str, page, config, files) -> str:
    """Docstrings name code with Sphinx roles: show the name as code (``~``: its last part only, as in Sphinx)."""
    return ROLE.sub(lambda m: f"<code>{m.group(2).rsplit('.', 1)[-1] if m.group(1) else m.group(2)}</code>", html)
