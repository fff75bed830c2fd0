"""`step_backward` and its HTML player: frames against the trace, hand-computed numbers, central
differences and `explain` (path sums) as oracles; the page's offline and static guarantees."""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from oracles import central_diff

import microgradx as mgx
from microgradx.lab import networks
from microgradx.viz import player, render
from microgradx.viz.draw import value_fields
from microgradx.viz.stepper import Frame, Stepper, step_backward

NETWORK_NAMES = list(networks.NETWORKS)


def canonical():
    """a = 1; b = a + a; d = 3·b; e = b + d: ∂e/∂a = 8 (∂e/∂b = 1 + 3 = 4, twice)."""
    a = mgx.Tensor(1.0, requires_grad=True, name="a")
    b = a + a
    b.name = "b"
    d = 3 * b
    d.name = "d"
    e = b + d
    e.name = "e"
    return e, {"a": a, "b": b, "d": d}


def fields_of(frame, name):
    return frame.values[name].split(" | ")


# --------------------------------------------------------------------------- the frames
def test_canonical_frames_by_hand():
    e, t = canonical()
    s = step_backward(e)
    assert isinstance(s, Stepper)
    assert len(s) == 6
    assert all(isinstance(f, Frame) for f in s.frames)
    assert [f.kind for f in s.frames] == ["forward"] * 3 + ["backward"] * 3
    assert [f.name for f in s.frames] == ["b", "d", "e", "e", "d", "b"]
    # Forward: the value fills in.
    assert fields_of(s.frames[0], "d") == ["d", "data ?", "grad ?"]
    assert fields_of(s.frames[1], "d") == ["d", "data 6.0000", "grad ?"]
    assert s.frames[2].text.endswith("= 8.0000")
    # Backward: the fan-out at b shows the running sum 1 + 3 = 4, at a 4 + 4 = 8.
    assert "upstream ∂e/∂d = 1.0000" in s.frames[4].text
    assert "∂d/∂b = 3 = 3.0000: b ← 3.0000 × 1.0000 = 3.0000, b.grad += 3.0000 → 4.0000" in s.frames[4].text
    assert fields_of(s.frames[4], "b")[2] == "grad 4.0000"
    assert fields_of(s.frames[4], "a")[2] == "grad ?"
    assert "a.grad += 4.0000 → 8.0000" in s.frames[5].text
    assert s.frames[-1].values == {
        "a": "a | data 1.0000 | grad 8.0000",
        "b": "b | data 2.0000 | grad 4.0000",
        "3": "3 | data 3.0000",
        "d": "d | data 6.0000 | grad 1.0000",
        "e": "e | data 8.0000 | grad 1.0000",
    }
    assert float(t["a"].grad) == 8.0
    assert float(t["b"].grad) == 4.0


@pytest.mark.parametrize("name", NETWORK_NAMES)
def test_frames_are_forward_ops_then_the_trace_of_a_twin_graph(name):
    net = networks.build(name)
    s = step_backward(net.loss, model=net.model)
    twin = networks.build(name)
    trace = mgx.trace_backward(twin.loss, model=twin.model)
    forward = [f for f in s.frames if f.kind == "forward"]
    backward = [f for f in s.frames if f.kind == "backward"]
    ops = [t for t in s.tensors if t._ctx is not None]
    assert len(s) == len(ops) + len(trace)
    assert [f.node for f in forward] == ops
    assert [f.name for f in backward] == [step.name for step in trace]
    for frame, step in zip(backward, trace, strict=True):
        assert frame.node.op == step.op
        np.testing.assert_allclose(frame.upstream, step.upstream, rtol=1e-12, atol=1e-12)
        passed = [
            (pname, g)
            for pname, (_, g) in zip(step.parent_names, step.to_parents, strict=True)
            if g is not None
        ]
        assert [f.name for f in frame.flows] == [pname for pname, _ in passed]
        for flow, (_, g) in zip(frame.flows, passed, strict=True):
            np.testing.assert_allclose(flow.contribution, g, rtol=1e-12, atol=1e-12)
    # The same effect on .grad as backward() on the twin, exactly.
    for mine, theirs in zip(s.tensors, networks.build(name).loss and _backward_twin(name), strict=True):
        if theirs.grad is None:
            assert mine.grad is None
        else:
            np.testing.assert_array_equal(mine.grad, theirs.grad)


def _backward_twin(name):
    twin = networks.build(name)
    twin.loss.backward()
    return mgx.viz.stepper.topological_order(twin.loss)


@pytest.mark.parametrize("name", NETWORK_NAMES)
def test_last_frame_shows_every_grad_and_value(name):
    net = networks.build(name)
    s = step_backward(net.loss, model=net.model)
    last = s.frames[-1].values
    for t in s.tensors:
        shown = last[s.names[id(t)]].split(" | ")
        expected = value_fields("data", t.data) + (value_fields("grad", t.grad) if t.grad is not None else [])
        assert shown[1:] == expected
        assert "?" not in " ".join(shown[1:])


def _loss_221(p):
    """The 2-2-1 network of `networks.network_221` in plain floats (the oracle for gradients)."""
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    x1, x2 = 0.5, -1.0
    a11 = sig(p["w11"] * x1 + p["w21"] * x2 + p["b11"])
    a12 = sig(p["w12"] * x1 + p["w22"] * x2 + p["b12"])
    return (p["v1"] * a11 + p["v2"] * a12 + p["c"] - 1.0) ** 2


def test_221_numbers_against_central_differences_and_path_sums():
    net = networks.build("221")
    s = step_backward(net.loss)
    start = {
        "w11": 0.4,
        "w21": -0.6,
        "w12": 0.3,
        "w22": 0.8,
        "b11": 0.1,
        "b12": -0.2,
        "v1": 0.7,
        "v2": -0.5,
        "c": 0.05,
    }
    keys = list(start)
    f = lambda *v: np.array(_loss_221(dict(zip(keys, (float(x) for x in v), strict=True))))  # noqa: E731
    args = [np.array(start[k]) for k in keys]
    last = s.frames[-1].values
    leaves = {t.name: t for t in s.tensors if t._ctx is None}
    for i, k in enumerate(keys):
        numeric = float(central_diff(f, args, i, np.array(1.0)))
        assert float(leaves[k].grad) == pytest.approx(numeric, rel=1e-7, abs=1e-9)
        assert last[k].endswith(f"grad {mgx.formatting.format_number(numeric)}")
    # Every upstream is ∂L/∂node (all contributions have arrived), computed as a sum over paths.
    for frame in s.frames:
        if frame.kind == "backward":
            assert float(frame.upstream) == pytest.approx(mgx.explain(net.loss, frame.node).value, abs=1e-12)
            for flow in frame.flows:  # local × upstream = contribution
                assert flow.local * float(frame.upstream) == pytest.approx(
                    float(flow.contribution), abs=1e-12
                )


def test_local_derivative_of_sigmoid_is_its_formula():
    net = networks.build("neuron")
    s = step_backward(net.loss)
    (frame,) = [f for f in s.frames if f.kind == "backward" and f.node.op == "sigmoid"]
    a = float(frame.node.data)
    assert frame.flows[0].local == pytest.approx(a * (1 - a), abs=1e-15)
    assert f"= {mgx.formatting.format_number(a * (1 - a))}:" in frame.text


def test_gradients_accumulate_and_the_boxes_start_from_the_old_grad():
    e, t = canonical()
    e.backward()
    s = step_backward(e)
    assert float(t["a"].grad) == 16.0
    assert fields_of(s.frames[0], "a")[2] == "grad 8.0000"  # before this pass: the old gradient
    assert fields_of(s.frames[-1], "a")[2] == "grad 16.0000"
    assert "a.grad += 4.0000 → 12.0000" in s.frames[5].text


def test_gradient_argument_for_a_tensor_root():
    x = mgx.Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True, name="x")
    y = x * x
    y.name = "y"
    s = step_backward(y, np.array([1.0, 0.5, -1.0]))
    np.testing.assert_array_equal(x.grad, [2.0, -2.0, -6.0])
    assert (
        s.frames[-1].values["x"] == "x (3) | data [1.0000, -2.0000, 3.0000] | grad [2.0000, -2.0000, -6.0000]"
    )


def test_extremes_zero_and_large_values():
    x = mgx.Tensor(0.0, requires_grad=True, name="x")
    y = mgx.relu(x) + mgx.sigmoid(x * 1e3)
    s = step_backward(y)
    assert float(x.grad) == pytest.approx(1e3 * 0.25)  # relu'(0) = 0, σ'(0)·1000 = 250
    assert s.frames[-1].values["x"].endswith("grad 250.0000")
    big = mgx.Tensor(1e3, requires_grad=True, name="big")
    s = step_backward(mgx.tanh(big) * 2)
    assert s.frames[-1].values["big"] == "big | data 1000.0000 | grad 0.0000"


def test_bad_roots():
    with pytest.raises(TypeError, match="must be a Tensor"):
        step_backward(3.0)
    with pytest.raises(ValueError, match="leaf"):
        step_backward(mgx.Tensor(1.0, requires_grad=True))
    with pytest.raises(RuntimeError, match="does not require grad"):
        step_backward(mgx.Tensor(1.0) * 2)
    x = mgx.Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match="one-element"):
        step_backward(x * 2)


# --------------------------------------------------------------------------- the page
class _Split(HTMLParser):
    """Text and attributes of a page, with what is inside <script> kept apart."""

    def __init__(self):
        super().__init__()
        self.in_script = False
        self.outside: list[str] = []
        self.scripts: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script"
        for k, v in attrs:
            self.attrs.append((k, v or ""))
            if k == "id":
                self.ids.append(v)

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        (self.scripts if self.in_script else self.outside).append(data)


@pytest.fixture(scope="module")
def page_221():
    net = networks.build("221")
    s = step_backward(net.loss)
    return s, s.html()


def test_page_is_offline_and_has_the_controls(page_221):
    _s, page = page_221
    parsed = _Split()
    parsed.feed(page)
    assert "http" not in page
    assert "//" not in "".join(v for k, v in parsed.attrs if k in ("src", "href"))
    assert not re.search(r"<(link|img|iframe)\b", page)
    for needed in ("mgx-prev", "mgx-next", "mgx-play", "mgx-slider", "mgx-caption"):
        assert parsed.ids.count(needed) == 1
    assert len(page.encode("utf-8")) < 150_000


def test_static_markup_shows_the_final_state(page_221):
    s, page = page_221
    parsed = _Split()
    parsed.feed(page)
    outside = "\n".join(parsed.outside)
    assert "<svg" in page.split("<script")[0]
    for t in s.tensors:
        for text in s.frames[-1].values[s.names[id(t)]].split(" | "):
            assert text in outside
        if t.grad is not None:
            assert f"grad {mgx.formatting.summarize(t.grad)}" in outside
    assert "?" not in re.sub(r"<script.*?</script>", "", page, flags=re.S).replace("<?xml", "")


def test_frames_json_replays_to_every_frames_values(page_221):
    """What the script does (start state + each frame's changes) gives `.values` at every frame."""
    s, page = page_221
    data = json.loads(
        re.search(r'<script type="application/json" class="mgx-frames">(.*?)</script>', page, re.S)[1]
    )
    names = [s.names[id(t)] for t in s.tensors]
    state = [list(f) for f in data["start"]]
    assert len(data["frames"]) == len(s)
    for frame, coded in zip(s.frames, data["frames"], strict=True):
        for k, fields in coded["set"].items():
            state[int(k)] = fields
        assert {n: " | ".join(f) for n, f in zip(names, state, strict=True)} == frame.values
        assert coded["text"] == frame.text


def test_every_box_has_an_id_and_one_text_per_field(page_221):
    s, page = page_221
    for k, t in enumerate(s.tensors):
        group = re.search(rf'<g id="mgx-t{k}" class="node">(.*?)</g>', page, re.S)
        assert group, t
        texts = re.findall(r"<text[^>]*>(.*?)</text>", group[1])
        assert len(texts) == len(s.frames[-1].values[s.names[id(t)]].split(" | "))


def test_renders_without_system_dot(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # neither dot nor graphviz-pure on PATH
    assert [r.name for r in render.available_renderers()] == ["graphviz-pure"]
    e, _ = canonical()
    path = step_backward(e).save(tmp_path / "canonical.html")
    assert "grad 8.0000" in path.read_text(encoding="utf-8")


def test_notebook_fragment_and_save(tmp_path):
    e, _ = canonical()
    s = step_backward(e)
    one, two = s._repr_html_(), s._repr_html_()
    assert "<html" not in one
    assert "mgx-caption" in one
    pid = re.search(r'class="mgx-player" id="([^"]+)"', one)[1]
    assert pid != re.search(r'class="mgx-player" id="([^"]+)"', two)[1]  # two players, one page
    assert f'getElementById("{pid}")' in one
    with pytest.raises(ValueError, match=r"\.html"):
        s.save(tmp_path / "x.svg")
    out = s.save(tmp_path / "sub" / "x.html")
    assert out.read_text(encoding="utf-8") == s.html()


def test_a_naive_replays_picture_does_not_change_the_tensors():
    e, t = canonical()
    before = (t["a"].grad, t["a"].name, t["b"].name)
    mgx.compare_orders(e).stepper().html()
    assert (t["a"].grad, t["a"].name, t["b"].name) == before


def test_too_large_for_the_player():
    x = mgx.Tensor(1.0, requires_grad=True, name="x")
    y = x
    for _ in range(player.MAX_PLAYER_TENSORS):
        y = y * 1.0
    s = step_backward(y)
    assert len(s.tensors) > player.MAX_PLAYER_TENSORS
    assert len(s) == 2 * player.MAX_PLAYER_TENSORS
    with pytest.raises(ValueError, match="at most"):
        s.html()


def test_browser_helper_names_what_is_missing(monkeypatch, tmp_path):
    from microgradx.viz.browser import BrowserUnavailable, find_chromium

    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium, no chromedriver
    with pytest.raises(BrowserUnavailable, match=r"selenium|Chromium and chromedriver not found"):
        find_chromium()
