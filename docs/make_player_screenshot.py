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

import sys
from pathlib import Path

import microgradx as mgx
from microgradx.lab import networks
from microgradx.viz.browser import BrowserUnavailable, find_chromium, headless_chromium

IMAGES = Path(__file__).resolve().parent / "images"


def main() -> int:
    try:
        find_chromium()
    except BrowserUnavailable as err:
        print(f"make_player_screenshot: {err}", file=sys.stderr)
        return 1
    from selenium.webdriver.common.by import By

    net = networks.build("neuron")
    stepper = mgx.step_backward(net.loss, model=net.model)
    page = stepper.save(IMAGES / "backprop-neuron.html")
    frame = next(k for k, f in enumerate(stepper.frames) if f.kind == "backward" and f.node.op == "sigmoid")

    with headless_chromium(window_size=(1100, 420)) as driver:
        driver.get(page.resolve().as_uri())
        nxt = driver.find_element(By.ID, "mgx-next")
        for _ in range(frame):
            nxt.click()
        assert driver.find_element(By.ID, "mgx-caption").text == stepper.frames[frame].text
        driver.find_element(By.ID, "mgx-player").screenshot(str(IMAGES / "player.png"))
    print(f"wrote {IMAGES / 'player.png'} (frame {frame + 1} of {len(stepper)}) and {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
