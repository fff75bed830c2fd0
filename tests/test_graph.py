"""The graph walk (pure data) and the DOT that `draw_graph` builds from it: names, ops, values,
grads, operand order, clusters, colours, caps. Rendering itself is tested in test_render.py."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from graphs import neuron as _neuron

import microgradx as mgx
from microgradx import formatting
from microgradx.autograd import topological_order
from microgradx.viz import style as viz
from microgradx.viz.draw import DRAW_MAX_NODES, draw_graph
from microgradx.viz.walk import walk


def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def neuron(backward=True):
    """The shared neuron (tests/graphs.py), after backward unless told otherwise; also names L."""
    loss, t = _neuron(backward)
    return loss, dict(t, L=loss)


def node_labels(source: str) -> dict[str, str]:
    """{node id: label} from DOT text."""
    pattern = r'^\t(\w+) \[label=(?:"((?:[^"\\]|\\.)*)"|(\w+))'
    return {
        m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
        for m in re.finditer(pattern, source, re.M)
    }


def edges_of(source: str) -> list[tuple[str, str]]:
    return re.findall(r"^\t(\w+) -> (\w+)", source, re.M)


# ------------------------------------------------------------------------------- walk
def test_walk_lists_every_tensor_once_parents_first():
    loss, _t = neuron(backward=False)
    nodes, edges = walk(loss)
    assert nodes[-1] is loss
    assert len(nodes) == len({id(n) for n in nodes}) == 8  # w1 x1 w1·x1 b z a 2 L
    position = {id(n): k for k, n in enumerate(nodes)}
    for e in edges:
        assert position[id(e.parent)] < position[id(e.child)]
        assert e.child._ctx.parents[e.index] is e.parent
    assert [n.name for n in nodes if n.name] == ["w1", "x1", "b", "z", "a", "L"]


def test_walk_keeps_one_edge_per_operand():
    a = mgx.Tensor(3.0, requires_grad=True, name="a")
    y = a + a
    nodes, edges = walk(y)
    assert nodes == [a, y]
    assert [(e.parent, e.child, e.index) for e in edges] == [(a, y, 0), (a, y, 1)]


def test_walk_of_a_leaf():
    a = mgx.Tensor(1.0, name="a")
    assert walk(a) == ([a], [])


def test_walk_is_iterative_on_deep_graphs():
    x = mgx.Tensor(0.1, requires_grad=True, name="x")
    y = x
    for _ in range(12_000):
        y = y * 1.0001
    nodes, edges = walk(y)
    assert len(nodes) == 24_001 and len(edges) == 24_000
    assert topological_order(y)[0] is x


def test_walk_max_nodes_keeps_the_nearest_tensors():
    x = mgx.Tensor(0.1, requires_grad=True, name="x")
    chain = [x]
    for _ in range(50):
        chain.append(chain[-1].tanh())
    nodes, edges = walk(chain[-1], max_nodes=10)
    assert nodes == chain[-10:]
    assert len(edges) == 9
    with pytest.raises(ValueError, match="max_nodes"):
        walk(x, max_nodes=0)


# ---------------------------------------------------------------------- draw: content
def test_records_show_names_values_and_grads_with_4_decimals():
    loss, _t = neuron()
    g = draw_graph(loss)
    labels = node_labels(g.source)
    s = sigmoid(0.5)
    assert f"{{a|data {s:.4f}|grad {2 * s:.4f}}}" in labels.values()
    dw = 2 * s * s * (1 - s) * 2.0
    assert f"{{w1|data 0.5000|grad {dw:.4f}}}" in labels.values()
    assert "{x1|data 2.0000}" in labels.values()  # no grad: no grad field
    ops = sorted(lbl for lbl in labels.values() if not lbl.startswith("{"))
    assert ops == ["add", "mul", "pow", "sigmoid"]
    # An unnamed tensor is called by its expression (the name the trace prints), never a #k id.
    assert any(re.fullmatch(r"\{w1·x1\|data 1\.0000\|grad .*\}", lbl) for lbl in labels.values())
    assert not any(re.search(r"#\d", lbl) for lbl in labels.values())


def test_shape_attributes_of_nodes():
    loss, _ = neuron()
    src = draw_graph(loss).source
    assert src.count("shape=record") == 8 and src.count("shape=ellipse") == 4
    assert "rankdir=LR" in src


def test_before_backward_there_is_no_grad_field():
    loss, _ = neuron(backward=False)
    assert "grad" not in draw_graph(loss).source


def test_show_data_and_show_grad_off():
    loss, _ = neuron()
    src = draw_graph(loss, show_data=False, show_grad=False).source
    assert "data" not in src and "grad" not in src
    assert "{w1}" in node_labels(src).values()


def test_rankdir_and_its_validation():
    loss, _ = neuron()
    assert "rankdir=TB" in draw_graph(loss, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(loss, rankdir="sideways")
    with pytest.raises(TypeError, match="Tensor"):
        draw_graph(3.0)


def test_arrays_are_summarised_not_drawn_per_element():
    x = mgx.Tensor(np.arange(12.0).reshape(3, 4), name="X")
    w = mgx.Tensor(np.ones((4, 2)), requires_grad=True, name="W")
    y = (x @ w).sum()
    y.backward()
    labels = node_labels(draw_graph(y).source)
    assert "X (3×4)|data mean 5.5000|min 0.0000, max 11.0000" in labels.values()
    # 4 values or fewer are listed.
    small = mgx.Tensor([1.0, -2.0], requires_grad=True, name="v")
    s = (small * small).sum()
    s.backward()
    assert "v (2)|data [1.0000, -2.0000]|grad [2.0000, -4.0000]" in node_labels(draw_graph(s).source).values()


def test_edges_follow_operand_order_and_repeat_for_repeated_operands():
    a = mgx.Tensor(3.0, requires_grad=True, name="a")
    b = mgx.Tensor(1.0, requires_grad=True, name="b")
    y = a + a
    src = draw_graph(y).source
    ids = {v: k for k, v in node_labels(src).items()}
    assert edges_of(src).count((ids["{a|data 3.0000}"], ids["add"])) == 2
    d = b - a  # not commutative: edges numbered, b first
    src = draw_graph(d).source
    ids = {v: k for k, v in node_labels(src).items()}
    ea = re.search(rf"\t{ids['{a|data 3.0000}']} -> {ids['sub']} \[label=(\d)\]", src)
    eb = re.search(rf"\t{ids['{b|data 1.0000}']} -> {ids['sub']} \[label=(\d)\]", src)
    assert (eb.group(1), ea.group(1)) == ("0", "1") and eb.start() < ea.start()


def test_hyper_parameters_shown_on_the_op():
    x = mgx.Tensor([-1.0, 2.0], requires_grad=True, name="x")
    src = draw_graph(x.leaky_relu(0.2).sum()).source
    assert "leaky_relu\\nnegative_slope=0.2" in src


# ------------------------------------------------------------------- draw: clusters
def mlp_step(sizes=(2, 2, 1), batch=4, activation="sigmoid", seed=0):
    nn = pytest.importorskip("microgradx.nn")
    rng = np.random.default_rng(seed)
    net = nn.MLP(2, list(sizes[1:]), activation=activation, rng=seed)
    X = mgx.Tensor(rng.normal(size=(batch, 2)), name="X")
    y = mgx.Tensor(rng.normal(size=(batch, 1)), name="y")
    loss = mgx.mse_loss(net(X), y)
    loss.name = "loss"
    loss.backward()
    return net, loss


def clusters(source: str) -> dict[str, str]:
    """{cluster label: text of its body (nested clusters included)}."""
    found = {}
    for m in re.finditer(r"subgraph (cluster_\w+) \{", source):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(source[i], 0) if source[i - 1] != "\\" else 0
            i += 1
        body = source[m.end() : i]
        m2 = re.search(r'label=(?:"((?:[^"\\]|\\.)*)"|([\w.]+))', body)
        found[m2.group(1) if m2.group(1) is not None else m2.group(2)] = body
    return found


def test_model_layers_become_labelled_clusters():
    net, loss = mlp_step()
    src = draw_graph(loss, model=net).source
    boxes = clusters(src)
    assert {"layers.0", "layers.1"} <= set(boxes)
    # Each layer's parameters and its ops sit in its box; data and loss do not.
    assert "W1 (2×2)" in boxes["layers.0"] and "matmul" in boxes["layers.0"]
    assert "b2 (1)" in boxes["layers.1"]
    assert "W2" not in boxes["layers.0"]
    assert "X (4×2)" not in "".join(boxes.values()) and "mse_loss" not in "".join(boxes.values())


def test_clusters_can_be_turned_off_or_labelled_by_class_without_model():
    net, loss = mlp_step()
    assert "subgraph" not in draw_graph(loss, model=net, clusters=False).source
    assert "subgraph" not in draw_graph(loss).source
    boxes = clusters(draw_graph(loss, clusters=True).source)
    assert {"Layer 1", "Layer 2"} <= set(boxes)


def test_nested_modules_give_nested_clusters():
    nn = pytest.importorskip("microgradx.nn")

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Layer(2, 2, activation="tanh", rng=0)
            self.scale = nn.Parameter(np.array(3.0))

        def forward(self, x):
            return self.inner(x) * self.scale  # this mul belongs to the block itself

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()

        def forward(self, x):
            return self.block(x).sum()

    net = Net()
    out = net(mgx.Tensor(np.ones((3, 2)), name="x"))
    src = draw_graph(out, model=net).source
    boxes = clusters(src)
    assert set(boxes) == {"block", "block.inner"}
    assert "block.inner" in boxes["block"]  # nested
    assert "block.scale" in boxes["block"] and "tanh" in boxes["block.inner"]
    assert "label=mul " in boxes["block"] and "label=mul " not in boxes["block.inner"]


def test_graph_of_a_training_step_has_nodes_per_op_not_per_element():
    _, small = mlp_step(sizes=(2, 3, 1), batch=4)
    _, big = mlp_step(sizes=(2, 64, 1), batch=256)
    count = lambda g: len(node_labels(g.source))  # noqa: E731
    assert count(draw_graph(small)) == count(draw_graph(big)) < 30


# ------------------------------------------------------------------- draw: colours
def test_shading_follows_gradient_magnitude_layer_by_layer():
    # A deep sigmoid chain: |∂L/∂h_k| shrinks by σ' ≤ 1/4 per layer (the vanishing gradient).
    x = mgx.Tensor(0.3, requires_grad=True, name="h0")
    h = x
    for k in range(1, 9):
        h = (h * 1.0).sigmoid()
        h.name = f"h{k}"
    h.backward()
    src = draw_graph(h, shade_grad=True).source
    fill = {
        m.group(1): m.group(2) for m in re.finditer(r'label="\{(h\d)\|[^"]*" [^\]]*fillcolor="([^"]+)"', src)
    }
    shades = [c for _, c in viz.GRAD_SHADES]
    rank = [shades.index(fill[f"h{k}"]) for k in range(8, -1, -1)]  # from the loss backwards
    assert rank == sorted(rank) and rank[0] == 0 and rank[-1] == len(shades) - 1
    assert "legend" in src and "vanishing" in src


def test_zero_gradient_gets_its_own_colour():
    w = mgx.Tensor(0.5, requires_grad=True, name="w")
    y = (w * 0.0).sum() + mgx.Tensor(1.0, requires_grad=True, name="c")
    y.backward()
    src = draw_graph(y, shade_grad=True).source
    assert re.search(r'label="\{w\|[^"]*" [^\]]*fillcolor="' + viz.ZERO_GRAD_COLOR, src)


def test_dead_relu_and_saturated_outputs_are_marked_with_a_legend():
    z = mgx.Tensor([[-1.0, -2.0], [-0.5, -3.0]], requires_grad=True, name="z")
    dead = z.relu()
    dead.name = "dead"
    s = mgx.Tensor([8.0, -9.0, 10.0], requires_grad=True, name="s")
    sat = s.sigmoid()
    sat.name = "sat"
    t = mgx.Tensor([0.1, 0.2], requires_grad=True, name="t")
    fine = t.tanh()
    fine.name = "fine"
    loss = dead.sum() + sat.sum() + fine.sum()
    loss.backward()
    src = draw_graph(loss).source
    line = lambda name: next(ln for ln in src.splitlines() if f'"{name} (' in ln)  # noqa: E731
    assert viz.STYLE["dead_relu"]["color"] in line("dead") and "penwidth=3" in line("dead")
    assert "dead units 2/2" in line("dead")
    assert viz.STYLE["saturated"]["color"] in line("sat") and "saturated 100%" in line("sat")
    assert viz.STYLE["saturated"]["color"] not in line("fine")
    assert "dead ReLU" in src and "saturated sigmoid/tanh" in src  # the legend
    quiet = draw_graph(loss, mark_activations=False).source
    assert "dead ReLU" not in quiet and viz.STYLE["dead_relu"]["color"] not in quiet


def test_partly_dead_relu_layer_counts_dead_units():
    z = mgx.Tensor([[-1.0, 2.0, -3.0], [-0.5, 1.0, 4.0]], requires_grad=True, name="z")
    h = z.relu()
    h.name = "h"
    src = draw_graph(h.sum()).source
    assert "dead units 1/3" in src and "legend" not in src


def test_graph_marks_follow_the_one_saturation_definition(monkeypatch):
    # just outside / just inside the tanh bound |a| = √(1 − SATURATION_LEVEL) = √0.9
    from microgradx.diagnostics import measures

    def drawn(a_value):
        z = mgx.Tensor(np.full(3, np.arctanh(a_value)), requires_grad=True, name="z")
        t = z.tanh()
        t.name = "t"
        return draw_graph(t.sum()).source

    inside, outside = drawn(math.sqrt(0.9) + 1e-7), drawn(math.sqrt(0.9) - 1e-7)
    assert "saturated 100%" in inside
    assert viz.STYLE["saturated"]["color"] in inside
    assert "saturated" not in outside
    assert viz.STYLE["saturated"]["color"] not in outside
    assert "slope &lt; 10% of its peak" in inside  # the legend quotes the constant
    monkeypatch.setattr(measures, "SATURATION_LEVEL", 0.2)
    assert "slope &lt; 20% of its peak" in drawn(0.95)
    assert "saturated 100%" in drawn(0.92)


def test_legend_only_when_asked_or_needed():
    loss, _ = neuron()
    assert "legend" not in draw_graph(loss).source
    assert "legend" in draw_graph(loss, legend=True).source
    assert "legend" not in draw_graph(loss, shade_grad=True, legend=False).source


# ------------------------------------------------------------------- draw: big graphs
@pytest.mark.slow
def test_deep_graph_is_capped_with_a_note():
    x = mgx.Tensor(0.1, requires_grad=True, name="x")
    y = x
    for _ in range(10_000):
        y = y + 0.001
    g = draw_graph(y)
    labels = node_labels(g.source)
    assert sum(lbl.startswith("{") for lbl in labels.values()) == DRAW_MAX_NODES
    assert "earlier part of the graph not drawn" in g.source
    assert "x|" not in g.source  # the far end was cut
    g = draw_graph(y, max_nodes=None)  # everything, still no recursion
    assert len(node_labels(g.source)) == 20_001 + 10_000  # x, 10k sums, 10k constants; 10k ops


def test_non_finite_values_still_draw_without_warnings():
    x = mgx.Tensor(np.array([np.inf, -np.inf, np.nan, 1.0, 2.0]), name="x")
    w = mgx.Tensor(np.ones(5), requires_grad=True, name="w")
    y = x * w
    y.grad = np.array([np.inf, -np.inf, 0.0, 1.0, 1.0])  # as after a diverged step
    w.grad = np.array([np.inf, -np.inf, np.nan, 1.0, 1.0])
    src = draw_graph(y, shade_grad=True).source  # RuntimeWarnings are errors here
    assert "mean nan" in src and "x (5)" in src


def test_format_number_and_summary():
    assert formatting.format_number(0.58514) == "0.5851"
    assert formatting.format_number(-1e-7) == "-1.0000e-07"
    assert formatting.format_number(0.0) == "0.0000"
    assert formatting.summarize(np.array(2.5)) == "2.5000"
