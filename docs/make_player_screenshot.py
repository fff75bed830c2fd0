"""Regenerate docs/images/player.png (a screenshot of the backprop player) and
docs/images/backprop-neuron.html (the player file it shows).

Run from the repository root, where Chromium and chromedriver are installed (Debian:
``apt-get install chromium chromium-driver``) and selenium is importable::

    python docs/make_player_screenshot.py

The page is the notes' neuron of `microgradx.lab.networks` (``microgradx step neuron``), stopped at
the backward frame of the sigmoid: the local derivative σ(z)(1−σ(z)) with its value, times the
upstream gradient. Everything is deterministic; only the browser's font rendering may differ.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import microgradx as mgx
from microgradx.lab import networks

IMAGES = Path(__file__).resolve().parent / "images"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--window-size=1100,420",
)


def main() -> int:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
    except ImportError:
        print("needs selenium (pip install selenium)", file=sys.stderr)
        return 1
    chromium = next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
    )
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        print(
            "needs Chromium and chromedriver on PATH (apt-get install chromium chromium-driver)",
            file=sys.stderr,
        )
        return 1
    net = networks.build("neuron")
    stepper = mgx.step_backward(net.loss, model=net.model)
    page = stepper.save(IMAGES / "backprop-neuron.html")
    frame = next(k for k, f in enumerate(stepper.frames) if f.kind == "backward" and f.node.op == "sigmoid")

    options = webdriver.ChromeOptions()
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="mgx-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = chromium
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.get(page.resolve().as_uri())
        nxt = driver.find_element(By.ID, "mgx-next")
        for _ in range(frame):
            nxt.click()
        assert driver.find_element(By.ID, "mgx-caption").text == stepper.frames[frame].text
        driver.find_element(By.ID, "mgx-player").screenshot(str(IMAGES / "player.png"))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    print(f"wrote {IMAGES / 'player.png'} (frame {frame + 1} of {len(stepper)}) and {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
