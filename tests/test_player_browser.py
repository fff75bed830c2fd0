"""The HTML player in a real browser: headless Chromium (the system's, driven by selenium) opens the
saved file from disk, presses next through every frame and reads what a student sees.

Skips with a reason where selenium, Chromium or chromedriver is missing (never downloads one).
"""

from __future__ import annotations

import pytest

import microgradx as mgx
from microgradx.lab import networks
from microgradx.viz.browser import BrowserUnavailable, find_chromium, headless_chromium
from microgradx.viz.draw import value_fields

pytestmark = pytest.mark.slow

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install selenium)"
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

try:
    find_chromium()
except BrowserUnavailable as err:
    pytest.skip(f"headless browser test: {err}", allow_module_level=True)

# Every box's fields as the page shows them, in one round trip.
READ_BOXES = """
var data = JSON.parse(document.querySelector("script.mgx-frames").textContent);
return data.boxes.map(function (id) {
  return Array.prototype.map.call(document.getElementById(id).querySelectorAll("text"),
    function (t) { return t.textContent; }).join(" | ");
});
"""


@pytest.fixture(scope="module")
def browser():
    with headless_chromium() as driver:
        yield driver


def _open(browser, stepper, path):
    stepper.save(path)
    browser.get(path.resolve().as_uri())
    return browser


@pytest.mark.parametrize("name", ["221", "mlp"])
def test_next_through_every_frame(browser, tmp_path, name):
    net = networks.build(name)
    s = mgx.step_backward(net.loss, model=net.model)
    _open(browser, s, tmp_path / f"{name}.html")
    names = [s.names[id(t)] for t in s.tensors]
    caption = browser.find_element(By.ID, "mgx-caption")
    nxt = browser.find_element(By.ID, "mgx-next")
    slider = browser.find_element(By.ID, "mgx-slider")
    for k, frame in enumerate(s.frames):
        assert caption.text == frame.text, k
        assert dict(zip(names, browser.execute_script(READ_BOXES), strict=True)) == frame.values, k
        assert slider.get_attribute("value") == str(k)
        if k < len(s) - 1:
            nxt.click()
    assert not nxt.is_enabled()
    shown = dict(zip(names, browser.execute_script(READ_BOXES), strict=True))
    for t in s.tensors:
        if t.grad is not None:
            assert shown[s.names[id(t)]].endswith(" | ".join(value_fields("grad", t.grad)))
    assert browser.get_log("browser") == []  # no script error, no failed load


def test_prev_slider_keys_and_highlight(browser, tmp_path):
    e = mgx.Tensor(1.0, requires_grad=True, name="a")
    b = e + e
    b.name = "b"
    d = 3 * b
    d.name = "d"
    root = b + d
    root.name = "e"
    s = mgx.step_backward(root)
    _open(browser, s, tmp_path / "canonical.html")
    caption = browser.find_element(By.ID, "mgx-caption")
    assert not browser.find_element(By.ID, "mgx-prev").is_enabled()
    browser.execute_script(
        "var s = document.getElementById('mgx-slider'); s.value = '4'; s.dispatchEvent(new Event('input'));"
    )
    assert caption.text == s.frames[4].text
    active = browser.execute_script("return Array.from(document.querySelectorAll('g.mgx-active'), g => g.id)")
    receiving = browser.execute_script("return Array.from(document.querySelectorAll('g.mgx-to'), g => g.id)")
    k = {id(t): i for i, t in enumerate(s.tensors)}
    assert sorted(active) == [f"mgx-t{k[id(d)]}", f"mgx-t{k[id(d)]}-op"]
    assert receiving == [f"mgx-t{k[id(b)]}"]
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    assert caption.text == s.frames[5].text
    body.send_keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    assert caption.text == s.frames[3].text
    browser.find_element(By.ID, "mgx-prev").click()
    assert caption.text == s.frames[2].text


def test_compare_orders_naive_stepper_plays(browser, tmp_path):
    a = mgx.Tensor(1.0, requires_grad=True, name="a")
    b = a + a
    b.name = "b"
    d = 3 * b
    d.name = "d"
    e = b + d
    e.name = "e"
    s = mgx.compare_orders(e).stepper()
    _open(browser, s, tmp_path / "naive.html")
    browser.execute_script("document.getElementById('mgx-play').click()")
    browser.implicitly_wait(0)
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 15).until(
        lambda drv: drv.find_element(By.ID, "mgx-caption").text == s.frames[-1].text
    )
    names = [s.names[id(t)] for t in s.tensors]
    assert (
        dict(zip(names, browser.execute_script(READ_BOXES), strict=True))["a"]
        == "a | data 1.0000 | grad 2.0000"
    )
