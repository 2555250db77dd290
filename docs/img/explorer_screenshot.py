"""Make docs/img/explorer.png, the README's picture of the explorer in use.

Serves `ecsim explore` on a free loopback port, drives Debian's chromium (headless, through
playwright) to run the flexible regime for five years, compared with the centralised one (and the
no_cooperation baseline) on the same seed, and saves the page at 1280 px wide.

    .venv/bin/python docs/img/explorer_screenshot.py
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect, sync_playwright

from ecsim.viz.server import free_port

OUT = Path(__file__).with_name("explorer.png")
MONTHS = 60
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def main() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen([sys.executable, "-m", "ecsim.cli", "explore", "--port", str(port)])
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("ecsim explore did not start") from None
                time.sleep(0.3)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1760})
            page.goto(url)
            expect(page.get_by_text("month 0 of", exact=False)).to_be_visible(timeout=30_000)
            compare = page.locator(".v-select").filter(has=page.locator("label", has_text="compare with"))
            compare.locator(".v-select__slot").click()
            page.locator(".menuable__content__active").get_by_role("option", name="centralised", exact=True).click()
            page.get_by_role("button", name="Reset", exact=True).click()
            expect(page.get_by_text("centralised (compared)", exact=False)).to_be_visible(timeout=30_000)
            step = page.get_by_role("button", name="Step", exact=True)
            for month in range(1, MONTHS + 1):  # month by month, as a user would: ecsim's run panel counts them
                step.click()
                expect(page.get_by_text(f"month {month} of", exact=False)).to_be_visible(timeout=30_000)
            time.sleep(1.0)  # let the last images paint
            png = page.screenshot()
            browser.close()
    finally:
        server.terminate()
        server.wait()
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    image.save(OUT, optimize=True)
    print(f"{OUT}: {image.size[0]}x{image.size[1]}, {OUT.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
