"""End to end: `ecsim explore` served on loopback, driven in a real headless Chromium.

Uses Debian's ``chromium`` (``make test`` installs it where it can) through Python
playwright, never a browser that playwright would download.  Skipped, with the reason,
only where /usr/bin/chromium is absent.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ecsim.viz.server import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP = 60  # seconds: a loaded 2-core machine imports solara and Mesa slowly
UI = 30_000  # ms for anything on the page to appear

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); `make test` installs it where it can",
)


@dataclass
class Served:
    url: str
    log: Path

    def output(self) -> str:
        """The server's output: what explains a page that never loads (e.g. front-end assets it could not fetch)."""
        return self.log.read_text()[-4000:]


@pytest.fixture
def explorer(tmp_path: Path) -> Iterator[Served]:
    """`ecsim explore` on a free loopback port; always stopped afterwards (Ctrl-C, then kill)."""
    port = free_port()
    served = Served(f"http://127.0.0.1:{port}/", tmp_path / "server.log")
    log = served.log.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecsim.cli", "explore", "--port", str(port), "--host", "127.0.0.1"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + STARTUP
        while True:
            if proc.poll() is not None:
                pytest.fail(f"ecsim explore exited with {proc.returncode}:\n{served.output()}")
            try:
                with urllib.request.urlopen(served.url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"ecsim explore did not answer within {STARTUP} s:\n{served.output()}")
            time.sleep(0.3)
        yield served
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def test_the_served_explorer_in_chromium(explorer: Served):
    try:
        drive(explorer.url)
    except Exception as exc:  # an assertion, or a playwright timeout: add what the server said
        raise AssertionError(f"{exc}\n--- ecsim explore's output ---\n{explorer.output()}") from exc


def drive(url: str) -> None:
    """What a user does: see the controls and plots, switch the regime and pick one to compare, Reset, step
    (five quick clicks are five months), download the metrics, run to the end; the plots change.

    The month is read from ecsim's own run panel ("month N of M"): Mesa's step counter reads differently
    from one Mesa version to the next ("Step: 3", "Time: 3.0").
    """
    import io

    import pandas as pd
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1100}, accept_downloads=True)
            page.goto(url)

            def month(n: int, of: int = 240) -> None:
                expect(page.get_by_text(f"month {n} of {of}", exact=False)).to_be_visible(timeout=UI)

            def choose(label: str, option: str):
                select = page.locator(".v-select").filter(has=page.locator("label", has_text=re.compile(f"^{label}$")))
                select.locator(".v-select__slot").click()
                menu = page.locator(".menuable__content__active")  # the open menu: closed ones stay in the page
                menu.get_by_role("option", name=option, exact=True).click()
                expect(select).to_contain_text(option)
                return select

            # The controls and the plots; no stray tab bar ("Page 0") above them.
            month(0)
            for name in ("Reset", "Step", "Run to end"):
                expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
            regime = page.locator(".v-select").filter(has=page.locator("label", has_text=re.compile(r"^regime$")))
            expect(regime).to_contain_text("flexible")
            for label in ("issue_rate", "market_concentration", "monitoring_capacity", "n_companies"):
                expect(page.get_by_text(re.compile(f"^{label}"))).to_be_visible()
            plots = page.locator("img")
            expect(plots).to_have_count(6, timeout=UI)  # harm, open issues, agreements, compliance, traits; venues
            harm = plots.first
            expect(harm).to_be_visible()
            before = (harm.get_attribute("src"), harm.screenshot())
            expect(page.get_by_text("This run: flexible, seed 0, month 0", exact=False)).to_be_visible()
            expect(page.get_by_text("Page 0", exact=True)).to_be_hidden()
            expect(page.get_by_text("no_cooperation (baseline), on the same seed", exact=False)).to_be_visible()

            # Switch the regime, pick one to compare, rebuild the model.
            choose("regime", "centralised")
            choose("compare with", "self_regulatory")
            page.get_by_role("button", name="Reset", exact=True).click()
            expect(page.get_by_text("This run: centralised, seed 0, month 0", exact=False)).to_be_visible(timeout=UI)
            expect(
                page.get_by_text("no_cooperation (baseline) and self_regulatory (compared), on the same seed")
            ).to_be_visible()
            # The sliders reported their starting values unchanged (a slider snaps a value off its grid):
            # the run is the defaults' run, and its command sets nothing.
            assert "--set" not in page.locator(".ecsim-panel").nth(1).inner_text()

            # Five clicks of Step at once, in one burst before the first redraw: five months, none dropped
            # (the page queues them; each redraws the plots in turn) and none doubled.
            step = page.get_by_role("button", name="Step", exact=True)
            step.evaluate("button => { for (let i = 0; i < 5; i++) button.click(); }")
            month(5)
            page.wait_for_timeout(1500)  # a doubled click would show by now
            month(5)
            expect(page.locator(".ecsim-panel").first).to_contain_text("central_forum")
            expect(harm).not_to_have_attribute("src", before[0], timeout=UI)
            assert harm.screenshot() != before[1]

            # The download: every run on screen, months 0 to 5.
            with page.expect_download(timeout=UI) as download:
                page.get_by_role("button", name="Download metrics (CSV)").click()
            assert download.value.suggested_filename == "ecsim_centralised_seed0_month5.csv"
            table = pd.read_csv(io.BytesIO(Path(download.value.path()).read_bytes()))
            assert table.groupby("run")["regime"].first().to_dict() == {
                "shown": "centralised",
                "baseline": "no_cooperation",
                "comparison": "self_regulatory",
            }
            assert sorted(table["step"].unique()) == list(range(6)) and len(table) == 18

            # Run to end: the last month in one go.
            page.get_by_role("button", name="Run to end", exact=True).click()
            month(240)
            expect(page.get_by_role("button", name="Run to end", exact=True)).to_be_disabled(timeout=UI)
        finally:
            browser.close()
