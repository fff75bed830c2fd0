"""Headless Chromium for the player's browser test and its docs screenshot (one launch recipe).

The system's Chromium and chromedriver (Debian: ``apt-get install chromium chromium-driver``),
driven by selenium (the ``browser`` extra); a browser is never downloaded. Chromium starts with a
fresh profile and without its background networking, which a closed network would answer with
refused connections.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

__all__ = ["CHROMIUM_FLAGS", "BrowserUnavailable", "find_chromium", "headless_chromium"]

#: The flags every launch uses: headless, as root (no sandbox), nothing fetched in the background.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)
_BROWSERS = ("chromium", "chromium-browser", "google-chrome")


class BrowserUnavailable(RuntimeError):
    """selenium, Chromium or chromedriver is missing; the message says what to install."""


def find_chromium() -> tuple[str, str]:
    """``(chromium, chromedriver)`` paths, or `BrowserUnavailable` naming what is missing."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        raise BrowserUnavailable('selenium is not installed (pip install -e ".[browser]")') from None
    chromium = next((p for p in map(shutil.which, _BROWSERS) if p), None)
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        missing = " and ".join(n for n, p in (("Chromium", chromium), ("chromedriver", driver)) if p is None)
        raise BrowserUnavailable(
            f"{missing} not found on PATH (Debian: apt-get install chromium chromium-driver)"
        )
    return chromium, driver


@contextlib.contextmanager
def headless_chromium(window_size: tuple[int, int] = (1400, 900)) -> Iterator[Any]:
    """A selenium ``webdriver.Chrome`` on the system's headless Chromium, quit on exit.

    Raises:
        BrowserUnavailable: selenium, Chromium or chromedriver is missing.
    """
    chromium, driver_path = find_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={window_size[0]},{window_size[1]}")
    profile = tempfile.mkdtemp(prefix="mgx-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = chromium
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
