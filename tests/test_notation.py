"""One notation everywhere (issue 10): the picture, the trace and `explain` call every tensor by
the same name; the trace's worksheet numbers multiply out and its local derivatives are right
(central differences); the notes' symmetric 2-2-1 networks mark their equal gradients."""

from __future__ import annotations

import re

import numpy as np
import pytest
from oracles import central_diff

import microgradx as mgx
from microgradx.autograd import _unbroadcast
from microgradx.formatting import matrix_lines, product_texts
from microgradx.lab import networks
from microgradx.viz.names import tensor_names, wrap
from microgradx.viz.symmetry import EQUAL_ATOL, same_as
from microgradx.viz.trace import ROUNDING_NOTE, trace_backward
from microgradx.viz.walk import walk

LABEL = re.compile(r'^\s*t(\d+) \[label="\{?([^|"]*)')


def dot_names(root, model=None, **options):
    """``{tensor: the name its box shows}`` from draw_graph's DOT (shape suffix removed)."""
    nodes, _ = walk(root)
    source = mgx.draw_graph(root, model=model, **options).source
    found = {}
    for line in source.splitlines():
        m = LABEL.match(line)
        if m:
            title = m.group(2).replace("\\", "")
            found[nodes[int(m.group(1))]] = re.sub(r" \(\d+(×\d+)*\)$", "", title)
    assert len(found) == len(nodes)
    return found


def mlp_training_step():
    net = mgx.nn.MLP(2, [3, 1], activation="tanh", rng=0)
    X = mgx.Tensor(np.array([[0.5, -1.0], [1.5, 2.0]]))
    y = mgx.Tensor(np.array([[1.0], [0.0]]))
    return mgx.mse_loss(net(X), y), net


CASES = [*networks.NETWORKS, "mlp-training-step"]


def build(case):
    if case == "mlp-training-step":
        loss, net = mlp_training_step()
        return loss, net, {}
    n = networks.build(case)
    return n.loss, n.model, n.draw_options


# ------------------------------------------------------------------ 1. one name per tensor
@pytest.mark.parametrize("case", CASES)
def test_picture_trace_and_explain_use_one_name_per_tensor(case):
    loss, model, _ = build(case)
    names = tensor_names(loss, model=model)
    steps = trace_backward(loss, model=model)
    shown = dot_names(loss, model)
    # Every box shows tensor_names' name; never a #k id.
    assert shown == names
    assert not any(re.search(r"#\d", n) for n in shown.values())
    # The trace prints the same names, for every tensor it mentions.
    text = str(steps)
    mentioned = set()
    for s in steps:
        assert s.name == shown[s.node]
        mentioned.add(s.name)
        for (p, g), pname in zip(s.to_parents, s.parent_names, strict=True):
            assert pname == shown[p]
            if g is not None:
                assert f"∂{wrap(names[loss])}/∂{wrap(pname)} =" in text
                mentioned.add(pname)
    assert {s.name for s in steps} <= set(shown.values()) and mentioned <= set(shown.values())
    # explain (scalar graphs) prints the same names in its factors.
    if all(t.data.size == 1 for t in names):
        for wrt in [t for t in names if t._ctx is None and t.requires_grad]:
            e = mgx.explain(loss, wrt, model=model)
            for path in e.paths:
                for f in path.factors:
                    assert f.symbol == f"∂{wrap(shown[f.child])}/∂{wrap(shown[f.parent])}"
                    assert f.symbol in str(e)


@pytest.mark.parametrize("case", CASES)
def test_the_stepper_uses_the_same_names(case):
    loss, model, _ = build(case)
    names = tensor_names(loss, model=model)
    stepper = mgx.step_backward(loss, model=model)
    assert set(stepper.frames[-1].values) == set(names.values())
    for frame in stepper.frames:
        assert frame.name == names[frame.node]


def test_mlp_boxes_carry_the_notes_names():
    loss, net = mlp_training_step()
    shown = set(dot_names(loss, net).values())
    assert {"W1", "b1", "z1", "a1", "W2", "b2", "ŷ", "L", "x", "y"} <= shown


# ------------------------------------------------------------- 2. worksheet-quality numbers
PRODUCT = re.compile(r"= \(([-0-9.e+]+)\)·\(([-0-9.e+]+)\) = ([-0-9.e+]+)(.*)$")


def _multiplies_out(a: str, b: str, result: str) -> bool:
    """Whether the printed factors, multiplied, print as the printed result (same format)."""
    product = float(a) * float(b)
    if "e" in result:
        return float(f"{product:.{len(result.split('e')[0].split('.')[1])}e}") == float(result)
    return float(f"{product:.{len(result.split('.')[1])}f}") == float(result)  # −0.0000 is 0.0000


@pytest.mark.parametrize("name", ["neuron", "221", "221-zero", "221-constant", "dead-relu", "linear"])
def test_every_printed_product_multiplies_out_at_the_printed_precision(name):
    net = networks.build(name)
    steps = trace_backward(net.loss)
    lines = 0
    for s in steps:
        for i, (_, g) in enumerate(s.to_parents):
            if g is None:
                continue
            (line,) = s.product_lines(i)
            m = PRODUCT.search(line)
            assert m, line
            a, b, result, rest = m.groups()
            assert result == mgx.formatting.format_number(float(g))
            assert _multiplies_out(a, b, result) or ROUNDING_NOTE in rest, line
            assert line in str(steps)
            lines += 1
    assert lines >= 7


def test_four_decimals_that_do_not_multiply_out_get_more():
    # upstream 1.24494, local 0.23496: 1.2449·0.2350 = 0.29255 prints 0.2926, the product is 0.2925.
    x = mgx.Tensor(0.23496, name="x")
    w = mgx.Tensor(1.0, requires_grad=True, name="w")
    z = w * x
    z.name = "z"
    loss = z * 1.24494
    loss.name = "L"
    steps = trace_backward(loss)
    line = steps[1].product_lines(0)[0]
    assert line == "∂L/∂w = ∂L/∂z · ∂z/∂w = (1.24494)·(0.23496) = 0.2925"
    assert _multiplies_out("1.24494", "0.23496", "0.2925")
    assert not _multiplies_out("1.2449", "0.2350", "0.2925")  # why 4 decimals were not enough
    _, _, exact = product_texts([1.24494, 0.23496], 1.24494 * 0.23496, max_decimals=4)
    assert not exact  # with the cap at 4 the line would need the note instead


def _op_of(node):
    fn = type(node._ctx)
    return lambda *arrays: np.asarray(fn.forward(fn.__new__(fn), *arrays), dtype=float)


@pytest.mark.parametrize("name", ["neuron", "221", "221-constant", "mlp", "deep-sigmoid"])
def test_step_local_against_central_differences(name):
    net = networks.build(name)
    steps = trace_backward(net.loss, model=net.model)
    checked = 0
    for s in steps:
        args = [np.array(p.data, dtype=float) for p in s.node._ctx.parents]
        f = _op_of(s.node)
        for i, (p, g) in enumerate(s.to_parents):
            local = s.local[i]
            if g is None:
                assert local is None
                continue
            up = np.asarray(s.upstream, dtype=float)
            numeric = central_diff(f, args, i, up)  # ∂(Σ upstream·node)/∂parent
            np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)  # what was passed
            if isinstance(local, float):
                one = central_diff(f, args, i, np.ones_like(up))
                assert local == pytest.approx(float(one.reshape(-1)[0]), rel=1e-6, abs=1e-9)
            elif isinstance(local, np.ndarray):  # elementwise: passed = Σ_broadcast(upstream ⊙ local)
                np.testing.assert_allclose(
                    _unbroadcast(up * local, p.data.shape, "t"), numeric, rtol=1e-6, atol=1e-8
                )
            else:
                assert isinstance(local, str) and s.op in ("matmul",), (s.op, local)
            checked += 1
    assert checked >= 6


def test_local_is_a_number_for_scalars_an_array_when_elementwise_and_a_text_otherwise():
    loss, net = mlp_training_step()
    steps = {s.op: s for s in trace_backward(loss, model=net)}
    assert isinstance(steps["tanh"].local[0], np.ndarray) and steps["tanh"].local[0].shape == (2, 3)
    # layer 1's matmul (the last step): not elementwise, so the text of how the upstream is carried
    assert steps["matmul"].local == [None, "xᵀ @ ∂L/∂(x@W1)"]
    # a matmul with inner dimension 1 (an outer product) is still written as a matmul
    x = mgx.Tensor([[2.0]], name="x")
    w = mgx.Tensor([[1.0, 2.0, 3.0]], requires_grad=True, name="W")
    outer = trace_backward((x @ w).sum())
    assert outer[1].op == "matmul" and outer[1].local == [None, "xᵀ @ ∂sum(x@W)/∂(x@W)"]
    neuron = trace_backward(networks.build("neuron").loss)
    assert all(
        isinstance(v, float)
        for s in neuron
        for v, (_, g) in zip(s.local, s.to_parents, strict=True)
        if g is not None
    )


def test_small_matrices_print_as_matrices_larger_as_a_summary():
    a = np.array([[1.0, -2.0], [1.0, -2.0], [1.0, -2.0]])
    assert matrix_lines(a) == ["[1.0000  -2.0000]", "[1.0000  -2.0000]", "[1.0000  -2.0000]"]
    assert matrix_lines(np.ones((4, 4)))[3] == "[1.0000  1.0000  1.0000  1.0000]"
    assert matrix_lines(np.ones((5, 2))) == ["5×2: mean 1.0000, min 1.0000, max 1.0000"]
    assert matrix_lines(np.ones((2, 2, 2)))[0].startswith("2×2×2: mean")
    x = mgx.Tensor(np.arange(10.0).reshape(5, 2), requires_grad=True, name="X")
    text = str(trace_backward((x * 2.0).sum()))
    assert "5×2: mean" in text


def test_explain_compact_prints_the_notes_four_factor_line():
    w = mgx.Tensor(0.5, requires_grad=True, name="w")
    x = mgx.Tensor(2.0, name="x")
    b = mgx.Tensor(-0.5, requires_grad=True, name="b")
    v = mgx.Tensor(0.8, requires_grad=True, name="v")
    z = w * x + b
    z.name = "z"
    a = z.sigmoid()
    a.name = "a"
    y_hat = v * a
    y_hat.name = "ŷ"
    loss = (y_hat - mgx.Tensor(1.0, name="y")) ** 2
    loss.name = "L"
    full, e = mgx.explain(loss, w), mgx.explain(loss, w, compact=True)
    assert len(full.paths[0].factors) == 6
    (path,) = e.paths
    assert e.chain(path) == "∂L/∂ŷ · ∂ŷ/∂a · ∂a/∂z · ∂z/∂w"
    assert "∂L/∂w = ∂L/∂ŷ · ∂ŷ/∂a · ∂a/∂z · ∂z/∂w = " in str(e)
    assert [f.rule for f in path.factors] == ["2·(ŷ − y)^(2−1)", "v", "σ(z)(1−σ(z))", "x"]
    assert e.value == pytest.approx(full.value) and path.value == pytest.approx(full.paths[0].value)
    s = 1 / (1 + np.exp(-0.5))
    expected = [2 * (0.8 * s - 1), 0.8, s * (1 - s), 2.0]
    assert [f.value for f in path.factors] == pytest.approx(expected)
    latex = e.to_latex()
    assert r"\hat{y}" in latex and "ŷ" not in latex
    assert r"\frac{\partial L}{\partial \hat{y}}" in latex and r"\cdot" in latex
    assert "σ" not in latex and "·" not in latex and "∂" not in latex


def test_custom_function_without_derivatives_says_no_formula_given():
    class Halve(mgx.Function):
        @staticmethod
        def forward(ctx, a):
            return a / 2

        @staticmethod
        def backward(ctx, grad):
            return grad / 2

    x = mgx.Tensor(3.0, requires_grad=True, name="x")
    y = Halve.apply(x)
    y.name = "y"
    steps = trace_backward(y)
    assert steps[0].rule == "∂y/∂x = (no formula given)"
    assert steps[0].local == [0.5]
    assert "∂y/∂x = (no formula given) = 0.5000" in str(steps)
    assert "(no formula given)" in str(mgx.explain(y, x))


# ------------------------------------------------------------ 3. the notes' symmetric 2-2-1
@pytest.mark.parametrize("name", ["221-zero", "221-constant"])
def test_symmetric_networks_mark_equal_gradients(name, tmp_path):
    net = networks.build(name)
    steps = trace_backward(net.loss, units=net.units)
    marks = same_as(net.units)
    unit1, unit2 = net.units
    # Every role of unit 2 is marked "same as" its unit-1 twin, and the gradients are equal.
    assert marks == dict(zip(unit2, unit1, strict=True))
    for t1, t2 in zip(unit1, unit2, strict=True):
        assert abs(float(t1.grad) - float(t2.grad)) <= EQUAL_ATOL
    text = str(steps)
    assert "w12 same as w11" in text and "w22 same as w21" in text and "a12 same as a11" in text
    by_name = {s.name: s for s in steps}
    assert by_name["z12"].note == "∂L/∂z12 same as ∂L/∂z11"
    # The picture marks the same boxes.
    source = mgx.draw_graph(net.loss, **net.draw_options).source
    assert source.count("same as ") == 6 and "same as w11" in source
    if name == "221-constant":  # equal but not zero: the units learn, and stay equal
        assert float(unit1[0].grad) != 0.0


def test_marks_are_computed_from_the_gradients_not_the_network():
    net = networks.build("221")  # random-looking start: no two units alike
    trace_backward(net.loss, units=net.units)
    assert same_as(net.units) == {}
    assert "same as" not in mgx.draw_graph(net.loss, **net.draw_options).source
    # The constant start with v2 nudged: ∂L/∂a12 = ∂L/∂ŷ·v2 now differs, so unit 2's weights
    # lose their marks; ∂L/∂v2 = ∂L/∂ŷ·a12 is still ∂L/∂v1 (a12 = a11), and keeps its mark.
    weights = dict.fromkeys(("w11", "w21", "w12", "w22", "b11", "b12", "v1", "v2", "c"), 0.5)
    weights["v2"] += 1e-3
    nudged = networks._two_two_one(weights, mgx.relu, "nudged")
    trace_backward(nudged.loss)
    marks = same_as(nudged.units)
    t = nudged.tensors
    assert t["w12"] not in marks and t["w22"] not in marks and t["b12"] not in marks
    assert marks[t["v2"]] is t["v1"]


@pytest.mark.torch
@pytest.mark.parametrize("name", ["221-zero", "221-constant"])
def test_symmetric_networks_agree_with_torch(name):
    torch = pytest.importorskip("torch")
    net = networks.build(name)
    net.loss.backward()
    p = {
        k: torch.tensor(float(t.data), dtype=torch.float64, requires_grad=True)
        for k, t in net.tensors.items()
        if k != "x1"
    }
    x1, x2 = torch.tensor(0.5, dtype=torch.float64), torch.tensor(-1.0, dtype=torch.float64)
    g = torch.sigmoid if name == "221-zero" else torch.relu
    a11 = g(p["w11"] * x1 + p["w21"] * x2 + p["b11"])
    a12 = g(p["w12"] * x1 + p["w22"] * x2 + p["b12"])
    ((p["v1"] * a11 + p["v2"] * a12 + p["c"] - 1.0) ** 2).backward()
    for k, t in p.items():
        assert float(net.tensors[k].grad) == pytest.approx(float(t.grad), abs=1e-12), k
    for one, two in (("w11", "w12"), ("w21", "w22"), ("b11", "b12"), ("v1", "v2")):
        assert abs(float(p[one].grad) - float(p[two].grad)) <= 1e-12


def test_symmetric_networks_are_registered_for_graph_and_step(tmp_path, capsys):
    from microgradx.cli import main

    assert "221-zero" in networks.describe() and "221-constant" in networks.describe()
    assert main(["graph", "221-constant", "--out", str(tmp_path / "g.dot")]) == 0
    out = capsys.readouterr().out
    assert "w12 same as w11: ∂L/∂w12 = ∂L/∂w11 = -0.1250" in out
    assert "same as w11" in (tmp_path / "g.dot").read_text("utf-8")
    assert main(["step", "221-zero", "--out", str(tmp_path / "p.html")]) == 0


# ------------------------------------------------------------------------ 4. the two pages
def test_docs_quote_the_real_output():
    """Every line of every ```text block of graphs.md and backprop-by-hand.md is a line that
    docs/make_graph_images.py prints: the quotes are the code's output, not typed by hand."""
    import importlib.util
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs"
    spec = importlib.util.spec_from_file_location("make_graph_images", docs / "make_graph_images.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    printed = {line.rstrip() for line in module.texts().splitlines()}
    quoted = 0
    for page in ("graphs.md", "backprop-by-hand.md"):
        text = (docs / page).read_text(encoding="utf-8")
        for block in re.findall(r"^```text\n(.*?)^```", text, re.S | re.M):
            for line in block.splitlines():
                assert line.rstrip() in printed, (page, line)
                quoted += 1
    assert quoted > 100


def test_the_player_captions_multiply_out_too():
    from graphs import neuron

    loss, _ = neuron()
    last = mgx.step_backward(loss).frames[-1].text
    # 2.0000 × 0.2926 = 0.5852: the caption carries the decimals that give the true 0.5851
    assert last.endswith("w1 ← 2.00000 × 0.29256 = 0.5851"), last


@pytest.mark.parametrize("name", ["neuron", "221", "221-constant"])
@pytest.mark.parametrize("compact", [False, True])
def test_explain_products_multiply_out_at_the_printed_precision(name, compact):
    net = networks.build(name)
    for wrt in [t for t in tensor_names(net.loss) if t._ctx is None and t.requires_grad]:
        e = mgx.explain(net.loss, wrt, compact=compact)
        for path in e.paths:
            line = e.numbers(path)
            factors, _, result = line.rpartition(" = ")
            product = 1.0
            for text in re.findall(r"\(([-0-9.e+]+)\)", factors):
                product *= float(text)
            assert float(f"{product:.4f}") == float(result) or ROUNDING_NOTE in line, line
